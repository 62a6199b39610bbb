-- The Kafka offsets each committed micro-batch read, so a checkpoint that went back (a restored backup, a lost
-- offsets/N file) is refused instead of re-planning batch N over other offsets (docs/architecture.md, "Exactly once").
-- Spark's offset JSON ({"topic":{"partition":offset}}, partitions sorted); start inclusive, end exclusive.
-- NULL for commits made before this migration: the first batch after the upgrade is accepted as before.
ALTER TABLE stream_commit
  ADD COLUMN start_offsets TEXT NULL COMMENT 'Kafka offsets the batch started at',
  ADD COLUMN end_offsets TEXT NULL COMMENT 'Kafka offsets the batch ended before';
