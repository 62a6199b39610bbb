package io.trackpipe.generator;

/**
 * The job-ad trackers' JSON fields, in the order the job-ads generator writes them (the order of the job-ads domain's
 * definition file). The generator names them itself: it is sample data for that one domain, whereas the pipeline
 * reads every domain from its definition.
 */
enum JobAdsField {
  CREATE_TIME("create_time"),
  TS("ts"),
  JOB_ID("job_id"),
  PUBLISHER_ID("publisher_id"),
  CAMPAIGN_ID("campaign_id"),
  GROUP_ID("group_id"),
  BID("bid"),
  CUSTOM_TRACK("custom_track"),
  BN("bn"),
  CD("cd"),
  DE("de"),
  DL("dl"),
  DT("dt"),
  ED("ed"),
  EV("ev"),
  ID("id"),
  MD("md"),
  RL("rl"),
  SR("sr"),
  TZ("tz"),
  UA("ua"),
  UID("uid"),
  UTM_CAMPAIGN("utm_campaign"),
  UTM_CONTENT("utm_content"),
  UTM_MEDIUM("utm_medium"),
  UTM_SOURCE("utm_source"),
  UTM_TERM("utm_term"),
  V("v"),
  VP("vp");

  private final String jsonName;

  JobAdsField(String jsonName) {
    this.jsonName = jsonName;
  }

  String jsonName() {
    return jsonName;
  }
}
