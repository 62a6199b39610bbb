-- How far the stream has committed, by arrival: the newest Kafka timestamp of the records of every committed batch.
-- The batch job rewrites a bucket only once its end + stream.allowed-lateness is below it (docs/batch.md), so a stream
-- that lags (a raw-store outage, a backlog) does not add to a bucket the batch has already rewritten.
-- NULL before the first batch with records after this migration.
ALTER TABLE stream_commit ADD COLUMN arrived_until DATETIME(3) NULL COMMENT 'UTC; newest Kafka timestamp committed';
