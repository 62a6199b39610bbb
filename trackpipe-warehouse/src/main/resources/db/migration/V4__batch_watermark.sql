-- The batch job's progress (trackpipe batch; docs/batch.md), written in the same transaction as the facts it recomputed.

-- Raw-store writes up to arrived_until (UTC, the writers' clock) are in the facts, except for the buckets that were
-- not settled yet and wait in batch_pending.
CREATE TABLE batch_watermark (
  pipeline VARCHAR(100) NOT NULL PRIMARY KEY,
  arrived_until DATETIME(3) NOT NULL COMMENT 'UTC',
  updated_at DATETIME(3) NOT NULL COMMENT 'UTC time of the commit'
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;

-- Time buckets that received raw rows but were not settled (the stream may still add to them) when a cycle saw them:
-- a later cycle recomputes them once they are. bucket_start is local wall-clock time in stream.time-zone.
CREATE TABLE batch_pending (
  pipeline VARCHAR(100) NOT NULL,
  granularity VARCHAR(8) NOT NULL COMMENT 'HOURLY or DAILY',
  bucket_start DATETIME NOT NULL COMMENT 'local hour or day start',
  PRIMARY KEY (pipeline, granularity, bucket_start)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;
