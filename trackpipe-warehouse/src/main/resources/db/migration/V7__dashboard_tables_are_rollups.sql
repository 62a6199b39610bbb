-- The dashboard's tables are rollups (docs/dashboard.md, "The dashboard's tables"): declared in domains/job-ads.yaml and
-- written by the stream and the batch in the same transaction as events. They replace the summary_* tables that
-- trackpipe serve recomputed from events (V3), which are dropped here with what only their refresh used.
--
-- An existing installation keeps its history: each new table is created as the stream would create it (the same
-- columns and types; the stream then finds it complete) and filled once from events, summed by its key, with
-- company_id 0 where events has NULL (a job not in the job table), as the stream writes it. On a new installation
-- events is empty and so are they. Stop the stream of the previous version before upgrading: rows it writes to
-- events after this migration would be missing from these tables (trackpipe backfill recomputes a range).
DROP TABLE IF EXISTS summary_hour, summary_hour_campaign, summary_hour_publisher, summary_hour_company,
  summary_hour_group, summary_hour_job, summary_day_campaign, summary_day_company, summary_day_job,
  summary_day_publisher_job, summary_day_publisher_context, summary_state;
DROP INDEX events_updated ON events;

CREATE TABLE IF NOT EXISTS `dashboard_hour` (
  `dates` DATE NOT NULL,
  `hours` INT NOT NULL,
  `impressions` BIGINT NOT NULL DEFAULT 0,
  `clicks` BIGINT NOT NULL DEFAULT 0,
  `conversion` BIGINT NOT NULL DEFAULT 0,
  `qualified_application` BIGINT NOT NULL DEFAULT 0,
  `disqualified_application` BIGINT NOT NULL DEFAULT 0,
  `spend_hour` DECIMAL(30, 6) NOT NULL DEFAULT 0,
  `sources` VARCHAR(32) NOT NULL,
  `latest_update_time` DATETIME(3) NOT NULL COMMENT 'UTC',
  PRIMARY KEY (`dates`, `hours`)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;
INSERT INTO `dashboard_hour` (dates, hours, impressions, clicks, conversion, qualified_application, disqualified_application, spend_hour, sources, latest_update_time)
  SELECT dates, hours, SUM(impressions), SUM(clicks), SUM(conversion), SUM(qualified_application), SUM(disqualified_application), SUM(spend_hour), 'migration', UTC_TIMESTAMP(3)
  FROM events GROUP BY dates, hours;

CREATE TABLE IF NOT EXISTS `dashboard_hour_publisher` (
  `dates` DATE NOT NULL,
  `hours` INT NOT NULL,
  `publisher_id` BIGINT NOT NULL,
  `impressions` BIGINT NOT NULL DEFAULT 0,
  `clicks` BIGINT NOT NULL DEFAULT 0,
  `conversion` BIGINT NOT NULL DEFAULT 0,
  `qualified_application` BIGINT NOT NULL DEFAULT 0,
  `disqualified_application` BIGINT NOT NULL DEFAULT 0,
  `spend_hour` DECIMAL(30, 6) NOT NULL DEFAULT 0,
  `sources` VARCHAR(32) NOT NULL,
  `latest_update_time` DATETIME(3) NOT NULL COMMENT 'UTC',
  PRIMARY KEY (`dates`, `hours`, `publisher_id`)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;
INSERT INTO `dashboard_hour_publisher` (dates, hours, publisher_id, impressions, clicks, conversion, qualified_application, disqualified_application, spend_hour, sources, latest_update_time)
  SELECT dates, hours, publisher_id, SUM(impressions), SUM(clicks), SUM(conversion), SUM(qualified_application), SUM(disqualified_application), SUM(spend_hour), 'migration', UTC_TIMESTAMP(3)
  FROM events GROUP BY dates, hours, publisher_id;

CREATE TABLE IF NOT EXISTS `dashboard_hour_campaign` (
  `dates` DATE NOT NULL,
  `hours` INT NOT NULL,
  `campaign_id` BIGINT NOT NULL,
  `impressions` BIGINT NOT NULL DEFAULT 0,
  `clicks` BIGINT NOT NULL DEFAULT 0,
  `conversion` BIGINT NOT NULL DEFAULT 0,
  `qualified_application` BIGINT NOT NULL DEFAULT 0,
  `disqualified_application` BIGINT NOT NULL DEFAULT 0,
  `spend_hour` DECIMAL(30, 6) NOT NULL DEFAULT 0,
  `sources` VARCHAR(32) NOT NULL,
  `latest_update_time` DATETIME(3) NOT NULL COMMENT 'UTC',
  PRIMARY KEY (`dates`, `hours`, `campaign_id`)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;
INSERT INTO `dashboard_hour_campaign` (dates, hours, campaign_id, impressions, clicks, conversion, qualified_application, disqualified_application, spend_hour, sources, latest_update_time)
  SELECT dates, hours, campaign_id, SUM(impressions), SUM(clicks), SUM(conversion), SUM(qualified_application), SUM(disqualified_application), SUM(spend_hour), 'migration', UTC_TIMESTAMP(3)
  FROM events GROUP BY dates, hours, campaign_id;

CREATE TABLE IF NOT EXISTS `dashboard_hour_company` (
  `dates` DATE NOT NULL,
  `hours` INT NOT NULL,
  `company_id` BIGINT NOT NULL,
  `impressions` BIGINT NOT NULL DEFAULT 0,
  `clicks` BIGINT NOT NULL DEFAULT 0,
  `conversion` BIGINT NOT NULL DEFAULT 0,
  `qualified_application` BIGINT NOT NULL DEFAULT 0,
  `disqualified_application` BIGINT NOT NULL DEFAULT 0,
  `spend_hour` DECIMAL(30, 6) NOT NULL DEFAULT 0,
  `sources` VARCHAR(32) NOT NULL,
  `latest_update_time` DATETIME(3) NOT NULL COMMENT 'UTC',
  PRIMARY KEY (`dates`, `hours`, `company_id`)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;
INSERT INTO `dashboard_hour_company` (dates, hours, company_id, impressions, clicks, conversion, qualified_application, disqualified_application, spend_hour, sources, latest_update_time)
  SELECT dates, hours, COALESCE(company_id, 0), SUM(impressions), SUM(clicks), SUM(conversion), SUM(qualified_application), SUM(disqualified_application), SUM(spend_hour), 'migration', UTC_TIMESTAMP(3)
  FROM events GROUP BY dates, hours, COALESCE(company_id, 0);

CREATE TABLE IF NOT EXISTS `dashboard_day_job` (
  `dates` DATE NOT NULL,
  `job_id` BIGINT NOT NULL,
  `campaign_id` BIGINT NOT NULL,
  `company_id` BIGINT NOT NULL,
  `group_id` BIGINT NOT NULL,
  `impressions` BIGINT NOT NULL DEFAULT 0,
  `clicks` BIGINT NOT NULL DEFAULT 0,
  `conversion` BIGINT NOT NULL DEFAULT 0,
  `qualified_application` BIGINT NOT NULL DEFAULT 0,
  `disqualified_application` BIGINT NOT NULL DEFAULT 0,
  `spend_hour` DECIMAL(30, 6) NOT NULL DEFAULT 0,
  `sources` VARCHAR(32) NOT NULL,
  `latest_update_time` DATETIME(3) NOT NULL COMMENT 'UTC',
  PRIMARY KEY (`dates`, `job_id`, `campaign_id`, `company_id`, `group_id`)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;
INSERT INTO `dashboard_day_job` (dates, job_id, campaign_id, company_id, group_id, impressions, clicks, conversion, qualified_application, disqualified_application, spend_hour, sources, latest_update_time)
  SELECT dates, job_id, campaign_id, COALESCE(company_id, 0), group_id, SUM(impressions), SUM(clicks), SUM(conversion), SUM(qualified_application), SUM(disqualified_application), SUM(spend_hour), 'migration', UTC_TIMESTAMP(3)
  FROM events GROUP BY dates, job_id, campaign_id, COALESCE(company_id, 0), group_id;

CREATE TABLE IF NOT EXISTS `dashboard_day_publisher_context` (
  `dates` DATE NOT NULL,
  `publisher_id` BIGINT NOT NULL,
  `campaign_id` BIGINT NOT NULL,
  `company_id` BIGINT NOT NULL,
  `group_id` BIGINT NOT NULL,
  `impressions` BIGINT NOT NULL DEFAULT 0,
  `clicks` BIGINT NOT NULL DEFAULT 0,
  `conversion` BIGINT NOT NULL DEFAULT 0,
  `qualified_application` BIGINT NOT NULL DEFAULT 0,
  `disqualified_application` BIGINT NOT NULL DEFAULT 0,
  `spend_hour` DECIMAL(30, 6) NOT NULL DEFAULT 0,
  `sources` VARCHAR(32) NOT NULL,
  `latest_update_time` DATETIME(3) NOT NULL COMMENT 'UTC',
  PRIMARY KEY (`dates`, `publisher_id`, `campaign_id`, `company_id`, `group_id`)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;
INSERT INTO `dashboard_day_publisher_context` (dates, publisher_id, campaign_id, company_id, group_id, impressions, clicks, conversion, qualified_application, disqualified_application, spend_hour, sources, latest_update_time)
  SELECT dates, publisher_id, campaign_id, COALESCE(company_id, 0), group_id, SUM(impressions), SUM(clicks), SUM(conversion), SUM(qualified_application), SUM(disqualified_application), SUM(spend_hour), 'migration', UTC_TIMESTAMP(3)
  FROM events GROUP BY dates, publisher_id, campaign_id, COALESCE(company_id, 0), group_id;

CREATE TABLE IF NOT EXISTS `dashboard_day_publisher_job` (
  `publisher_id` BIGINT NOT NULL,
  `dates` DATE NOT NULL,
  `job_id` BIGINT NOT NULL,
  `campaign_id` BIGINT NOT NULL,
  `company_id` BIGINT NOT NULL,
  `group_id` BIGINT NOT NULL,
  `impressions` BIGINT NOT NULL DEFAULT 0,
  `clicks` BIGINT NOT NULL DEFAULT 0,
  `conversion` BIGINT NOT NULL DEFAULT 0,
  `qualified_application` BIGINT NOT NULL DEFAULT 0,
  `disqualified_application` BIGINT NOT NULL DEFAULT 0,
  `spend_hour` DECIMAL(30, 6) NOT NULL DEFAULT 0,
  `sources` VARCHAR(32) NOT NULL,
  `latest_update_time` DATETIME(3) NOT NULL COMMENT 'UTC',
  PRIMARY KEY (`publisher_id`, `dates`, `job_id`, `campaign_id`, `company_id`, `group_id`)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;
INSERT INTO `dashboard_day_publisher_job` (publisher_id, dates, job_id, campaign_id, company_id, group_id, impressions, clicks, conversion, qualified_application, disqualified_application, spend_hour, sources, latest_update_time)
  SELECT publisher_id, dates, job_id, campaign_id, COALESCE(company_id, 0), group_id, SUM(impressions), SUM(clicks), SUM(conversion), SUM(qualified_application), SUM(disqualified_application), SUM(spend_hour), 'migration', UTC_TIMESTAMP(3)
  FROM events GROUP BY publisher_id, dates, job_id, campaign_id, COALESCE(company_id, 0), group_id;
