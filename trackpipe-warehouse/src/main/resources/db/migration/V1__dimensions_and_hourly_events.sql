-- Dimension tables: what the tracking events reference.
CREATE TABLE company (
  id BIGINT NOT NULL PRIMARY KEY,
  name VARCHAR(200) NOT NULL
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;

CREATE TABLE job (
  id BIGINT NOT NULL PRIMARY KEY,
  company_id BIGINT NOT NULL,
  group_id BIGINT NOT NULL,
  campaign_id BIGINT NOT NULL,
  title VARCHAR(300) NOT NULL,
  industry VARCHAR(100) NOT NULL,
  updated_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
  KEY job_company (company_id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;

CREATE TABLE master_publisher (
  id BIGINT NOT NULL PRIMARY KEY,
  name VARCHAR(200) NOT NULL
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;

-- Hourly facts per job ad, keeping the seed systems' table and column names.
-- dates/hours are the event time's local date and hour in the configured zone (stream.time-zone).
CREATE TABLE events (
  job_id BIGINT NOT NULL,
  dates DATE NOT NULL,
  hours TINYINT NOT NULL,
  publisher_id BIGINT NOT NULL,
  campaign_id BIGINT NOT NULL,
  group_id BIGINT NOT NULL,
  clicks BIGINT NOT NULL DEFAULT 0,
  conversion BIGINT NOT NULL DEFAULT 0,
  qualified_application BIGINT NOT NULL DEFAULT 0,
  disqualified_application BIGINT NOT NULL DEFAULT 0,
  bid_set DECIMAL(20, 6) NULL COMMENT 'average bid of the click events; NULL without clicks',
  spend_hour DECIMAL(20, 6) NOT NULL DEFAULT 0 COMMENT 'sum of the bids of the click events',
  company_id BIGINT NULL COMMENT 'from job.company_id; NULL while the job is unknown',
  sources VARCHAR(32) NOT NULL,
  latest_update_time DATETIME(3) NOT NULL COMMENT 'UTC time of the last write to this row',
  PRIMARY KEY (job_id, dates, hours, publisher_id, campaign_id, group_id),
  KEY events_time (dates, hours)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;

-- Exactly-once bookkeeping: the last micro-batch of each streaming sink committed together with its facts.
CREATE TABLE stream_commit (
  sink VARCHAR(100) NOT NULL PRIMARY KEY,
  query_id VARCHAR(64) NOT NULL,
  batch_id BIGINT NOT NULL,
  committed_at DATETIME(3) NOT NULL
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;
