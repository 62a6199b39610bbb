-- Impressions (views of a job ad) per hourly fact row, for CTR. Which tracker events count as impressions is
-- configured (rollup.impression-tracks); see docs/rollups.md.
ALTER TABLE events ADD COLUMN impressions BIGINT NOT NULL DEFAULT 0 AFTER group_id;
