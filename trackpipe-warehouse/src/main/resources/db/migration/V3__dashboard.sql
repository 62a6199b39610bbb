-- Dashboard, query API and pipeline status (docs/dashboard.md).

-- Every dashboard query reads a range of dates. InnoDB secondary indexes also hold the primary key columns (job_id,
-- publisher_id, campaign_id, group_id), so this index covers every dashboard and API query: a date range is one
-- contiguous index scan in date order, with no lookups into the table.
CREATE INDEX events_dashboard ON events (dates, hours, company_id, impressions, clicks, conversion,
  qualified_application, disqualified_application, spend_hour);

-- Each local (dates, hours) of the facts with the UTC instant it starts at, for tools that need real instants
-- (Grafana reads DATETIME values as UTC). Filled by trackpipe for the configured stream.time-zone, DST included:
-- an hour that does not exist locally (spring forward) has no row; an hour that happens twice (fall back) starts at
-- its first occurrence.
CREATE TABLE hour_calendar (
  dates DATE NOT NULL,
  hours TINYINT NOT NULL,
  hour_start_utc DATETIME NOT NULL,
  time_zone VARCHAR(64) NOT NULL,
  PRIMARY KEY (dates, hours),
  KEY hour_calendar_utc (hour_start_utc)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;

-- The latest committed batch of each streaming (or batch) job, with its counters since the job started: what the
-- dashboard's pipeline panel shows. Written after each commit; informative, not part of the exactly-once commit.
CREATE TABLE pipeline_status (
  job VARCHAR(100) NOT NULL PRIMARY KEY,
  started_at DATETIME(3) NOT NULL COMMENT 'UTC',
  updated_at DATETIME(3) NOT NULL COMMENT 'UTC time of the last committed batch',
  batch_id BIGINT NOT NULL,
  batches BIGINT NOT NULL,
  records_read BIGINT NOT NULL,
  events_counted BIGINT NOT NULL,
  duplicates BIGINT NOT NULL,
  too_late BIGINT NOT NULL,
  dead_letters BIGINT NOT NULL,
  dead_letters_by_reason VARCHAR(4000) NOT NULL COMMENT 'JSON object: reason code -> count',
  rows_upserted BIGINT NOT NULL,
  last_batch_millis BIGINT NOT NULL,
  lag_records BIGINT NULL COMMENT 'Kafka records not yet read; NULL when unknown',
  input_per_second DOUBLE NOT NULL,
  processed_per_second DOUBLE NOT NULL,
  freshness_p50_millis BIGINT NULL,
  freshness_p99_millis BIGINT NULL
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;

-- Which rows changed since a time: the summary refresh recomputes only the hours written since its last run.
CREATE INDEX events_updated ON events (latest_update_time, dates, hours);

-- Summaries of events for the dashboard and the API (docs/dashboard.md, "Summary tables"). Each holds the same sums
-- as events, by a coarser key; each is recomputed from events (or from a finer summary) for the hours and days whose
-- facts changed, by trackpipe serve (SummaryRefresher), never written by the stream. company_id NULL is kept as 0.
CREATE TABLE summary_hour (
  dates DATE NOT NULL, hours TINYINT NOT NULL,
  impressions BIGINT NOT NULL, clicks BIGINT NOT NULL, conversion BIGINT NOT NULL,
  qualified_application BIGINT NOT NULL, disqualified_application BIGINT NOT NULL, spend_hour DECIMAL(20, 6) NOT NULL,
  PRIMARY KEY (dates, hours)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;

CREATE TABLE summary_hour_campaign (
  dates DATE NOT NULL, hours TINYINT NOT NULL, campaign_id BIGINT NOT NULL,
  impressions BIGINT NOT NULL, clicks BIGINT NOT NULL, conversion BIGINT NOT NULL,
  qualified_application BIGINT NOT NULL, disqualified_application BIGINT NOT NULL, spend_hour DECIMAL(20, 6) NOT NULL,
  PRIMARY KEY (dates, hours, campaign_id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;

CREATE TABLE summary_hour_publisher (
  dates DATE NOT NULL, hours TINYINT NOT NULL, publisher_id BIGINT NOT NULL,
  impressions BIGINT NOT NULL, clicks BIGINT NOT NULL, conversion BIGINT NOT NULL,
  qualified_application BIGINT NOT NULL, disqualified_application BIGINT NOT NULL, spend_hour DECIMAL(20, 6) NOT NULL,
  PRIMARY KEY (dates, hours, publisher_id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;

CREATE TABLE summary_hour_company (
  dates DATE NOT NULL, hours TINYINT NOT NULL, company_id BIGINT NOT NULL,
  impressions BIGINT NOT NULL, clicks BIGINT NOT NULL, conversion BIGINT NOT NULL,
  qualified_application BIGINT NOT NULL, disqualified_application BIGINT NOT NULL, spend_hour DECIMAL(20, 6) NOT NULL,
  PRIMARY KEY (dates, hours, company_id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;

CREATE TABLE summary_hour_group (
  dates DATE NOT NULL, hours TINYINT NOT NULL, group_id BIGINT NOT NULL,
  impressions BIGINT NOT NULL, clicks BIGINT NOT NULL, conversion BIGINT NOT NULL,
  qualified_application BIGINT NOT NULL, disqualified_application BIGINT NOT NULL, spend_hour DECIMAL(20, 6) NOT NULL,
  PRIMARY KEY (dates, hours, group_id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;

CREATE TABLE summary_hour_job (
  dates DATE NOT NULL, hours TINYINT NOT NULL, job_id BIGINT NOT NULL,
  campaign_id BIGINT NOT NULL, company_id BIGINT NOT NULL, group_id BIGINT NOT NULL,
  impressions BIGINT NOT NULL, clicks BIGINT NOT NULL, conversion BIGINT NOT NULL,
  qualified_application BIGINT NOT NULL, disqualified_application BIGINT NOT NULL, spend_hour DECIMAL(20, 6) NOT NULL,
  PRIMARY KEY (dates, hours, job_id, campaign_id, company_id, group_id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;

CREATE TABLE summary_day_campaign (
  dates DATE NOT NULL, campaign_id BIGINT NOT NULL,
  impressions BIGINT NOT NULL, clicks BIGINT NOT NULL, conversion BIGINT NOT NULL,
  qualified_application BIGINT NOT NULL, disqualified_application BIGINT NOT NULL, spend_hour DECIMAL(20, 6) NOT NULL,
  PRIMARY KEY (dates, campaign_id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;

CREATE TABLE summary_day_company (
  dates DATE NOT NULL, company_id BIGINT NOT NULL,
  impressions BIGINT NOT NULL, clicks BIGINT NOT NULL, conversion BIGINT NOT NULL,
  qualified_application BIGINT NOT NULL, disqualified_application BIGINT NOT NULL, spend_hour DECIMAL(20, 6) NOT NULL,
  PRIMARY KEY (dates, company_id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;

CREATE TABLE summary_day_job (
  dates DATE NOT NULL, job_id BIGINT NOT NULL,
  campaign_id BIGINT NOT NULL, company_id BIGINT NOT NULL, group_id BIGINT NOT NULL,
  impressions BIGINT NOT NULL, clicks BIGINT NOT NULL, conversion BIGINT NOT NULL,
  qualified_application BIGINT NOT NULL, disqualified_application BIGINT NOT NULL, spend_hour DECIMAL(20, 6) NOT NULL,
  PRIMARY KEY (dates, job_id, campaign_id, company_id, group_id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;

-- Publisher with the other dimensions, per day: what filters combining a publisher with a job, campaign, company or
-- group need. summary_day_publisher_job leads with publisher_id, so one publisher's days are one key range.
CREATE TABLE summary_day_publisher_job (
  publisher_id BIGINT NOT NULL, dates DATE NOT NULL, job_id BIGINT NOT NULL,
  campaign_id BIGINT NOT NULL, company_id BIGINT NOT NULL, group_id BIGINT NOT NULL,
  impressions BIGINT NOT NULL, clicks BIGINT NOT NULL, conversion BIGINT NOT NULL,
  qualified_application BIGINT NOT NULL, disqualified_application BIGINT NOT NULL, spend_hour DECIMAL(20, 6) NOT NULL,
  PRIMARY KEY (publisher_id, dates, job_id, campaign_id, company_id, group_id),
  KEY summary_day_publisher_job_dates (dates)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;

CREATE TABLE summary_day_publisher_context (
  dates DATE NOT NULL, publisher_id BIGINT NOT NULL,
  campaign_id BIGINT NOT NULL, company_id BIGINT NOT NULL, group_id BIGINT NOT NULL,
  impressions BIGINT NOT NULL, clicks BIGINT NOT NULL, conversion BIGINT NOT NULL,
  qualified_application BIGINT NOT NULL, disqualified_application BIGINT NOT NULL, spend_hour DECIMAL(20, 6) NOT NULL,
  PRIMARY KEY (dates, publisher_id, campaign_id, company_id, group_id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;

-- How far the summaries are current: every events row with latest_update_time before refreshed_through (minus the
-- refresh's overlap) is in them. NULL until the first full build finished: the API reads events until then.
CREATE TABLE summary_state (
  id TINYINT NOT NULL PRIMARY KEY,
  refreshed_through DATETIME(3) NULL COMMENT 'UTC',
  refreshed_at DATETIME(3) NULL COMMENT 'UTC'
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;
INSERT INTO summary_state (id, refreshed_through, refreshed_at) VALUES (1, NULL, NULL);
