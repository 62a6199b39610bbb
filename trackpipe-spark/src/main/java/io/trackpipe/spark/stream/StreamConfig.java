package io.trackpipe.spark.stream;

import io.trackpipe.config.Configuration;
import io.trackpipe.config.Setting;
import io.trackpipe.config.ValueType;
import io.trackpipe.config.ConfigException;
import io.trackpipe.event.EventLimits;
import io.trackpipe.domain.Domain;
import io.trackpipe.domain.DomainCatalog;
import io.trackpipe.rollup.RollupConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The streaming job's behaviour: time rules, state, and Spark resources.
 *
 * @param allowedLateness an event counts in its hour if it arrives at most this long after the hour ends
 * @param dedupHorizon copies of an event arriving within this time of the first are dropped
 * @param maxFutureSkew events stamped further ahead of their arrival are rejected
 * @param deadLetterMaxBytes the most bytes of a rejected record's key, and of its value, kept in its dead letter
 * @param acceptDedupStoreLoss start although the dedup store does not belong to the warehouse's last commit
 * @param domains the domains to stream, each with its rollups (the catalogue, or the part of it {@code --domain} names)
 */
public record StreamConfig(
    CheckpointLocation checkpointDir,
    String sparkMaster,
    Duration triggerInterval,
    long maxEventsPerBatch,
    int shufflePartitions,
    Path dedupStoreDir,
    String startingOffsets,
    ZoneId timeZone,
    Duration allowedLateness,
    Duration dedupHorizon,
    Duration maxFutureSkew,
    Duration dimensionRefresh,
    int deadLetterMaxBytes,
    boolean acceptDedupStoreLoss,
    DomainCatalog domains) {

  /** The dedup store's local folder when the checkpoint is not local (a cache; see {@link #DEDUP_STORE_DIR}). */
  static final String REMOTE_CHECKPOINT_DEDUP_STORE = "data/dedup-store";

  public static final Setting<CheckpointLocation> CHECKPOINT_DIR = Setting.of("stream.checkpoint-dir",
      CheckpointLocation.TYPE, CheckpointLocation.parse("data/checkpoints/events"),
      "Spark checkpoint folder (Kafka offsets, the dedup log) of the job-ads domain; every other domain has its own in"
          + " <checkpoint-dir>/domains/<name>. A local path, or a URI of storage every machine of a cluster sees"
          + " (hdfs://namenode:8020/trackpipe/checkpoints, s3a://bucket/checkpoints). Keep it with the warehouse: losing"
          + " it means starting over.");
  public static final Setting<Path> DEDUP_STORE_DIR = Setting.of("stream.dedup-store-dir", ValueType.PATH, null,
      "Local folder of the ids seen within the dedup horizon, on the driver's disk, of the job-ads domain (default:"
          + " <checkpoint-dir>/dedup when the checkpoint is a local folder, else " + REMOTE_CHECKPOINT_DEDUP_STORE
          + "); every other domain's is <its checkpoint>/dedup, or <dedup-store-dir>-<name>."
          + " A cache: the durable copy is the dedup log in the checkpoint (<checkpoint>/dedup-log), from which a lost store"
          + " is rebuilt at start.");
  public static final Setting<String> SPARK_MASTER = Setting.of("stream.spark-master", ValueType.STRING, "local[*]",
      "Spark master when trackpipe starts Spark itself; ignored under spark-submit, which sets its own.");
  public static final Setting<Duration> TRIGGER_INTERVAL = Setting.of("stream.trigger-interval", ValueType.DURATION_TYPE,
      Duration.ZERO, "Micro-batch interval; 0s starts the next batch as soon as the previous one commits.")
      .checked(d -> !d.isNegative(), ">= 0");
  public static final Setting<Long> MAX_EVENTS_PER_BATCH = Setting.of("stream.max-events-per-batch", ValueType.LONG, 200_000L,
      "Upper bound of Kafka records per micro-batch (bounds memory and latency while catching up).")
      .checked(v -> v > 0, "> 0");
  public static final Setting<Integer> SHUFFLE_PARTITIONS = Setting.of("stream.shuffle-partitions", ValueType.INT, 2,
      "Partitions of each batch's aggregation; about the number of cores is right.").checked(Setting.positive(), "> 0");
  public static final Setting<String> STARTING_OFFSETS = Setting.of("stream.starting-offsets", ValueType.STRING, "earliest",
      "Where a new checkpoint starts reading the events topic: earliest or latest.")
      .checked(v -> v.equals("earliest") || v.equals("latest"), "earliest or latest");
  public static final Setting<ZoneId> TIME_ZONE = Setting.of("stream.time-zone", ValueType.ZONE, ZoneId.of("UTC"),
      "Zone of the facts' dates and hours, and of ts values sent without an offset.");
  public static final Setting<Duration> ALLOWED_LATENESS = Setting.of("stream.allowed-lateness", ValueType.DURATION_TYPE,
      Duration.ofHours(2), "An event still counts in its hour if it arrives at most this long after the hour ends.")
      .checked(d -> !d.isNegative(), ">= 0");
  public static final Setting<Duration> DEDUP_HORIZON = Setting.of("stream.dedup-horizon", ValueType.DURATION_TYPE,
      Duration.ofHours(4), "Copies of an event (same create_time) arriving within this time of the first are dropped.")
      .checked(Setting.positiveDuration(), "> 0");
  public static final Setting<Duration> MAX_FUTURE_SKEW = Setting.of("stream.max-future-skew", ValueType.DURATION_TYPE,
      EventLimits.DEFAULT.maxFutureSkew(), "Events stamped further than this ahead of their arrival are rejected.")
      .checked(d -> !d.isNegative(), ">= 0");
  public static final Setting<Duration> DIMENSION_REFRESH = Setting.of("stream.dimension-refresh", ValueType.DURATION_TYPE,
      Duration.ofSeconds(30), "How often dimension tables (job → company) are re-read, so new rows are used without a restart.")
      .checked(Setting.positiveDuration(), "> 0");

  public static final Setting<Integer> DEAD_LETTER_MAX_BYTES = Setting.of("stream.dead-letter-max-bytes", ValueType.INT,
      512 * 1024, "A rejected record's key and value are each kept up to this many bytes in its dead letter (the rest is"
          + " cut; headers give the original size and SHA-256), so a huge record Kafka took in compressed never stops the stream.")
      .checked(v -> v >= 1024 && v <= 1024 * 1024, "1024 to 1048576");

  public static final Setting<Boolean> ACCEPT_DEDUP_STORE_LOSS = Setting.of("stream.accept-dedup-store-loss",
      ValueType.BOOLEAN, false, "Start although the dedup store is empty or from another batch than the warehouse's last"
          + " commit (a new driver disk, a restored copy) and the dedup log in the checkpoint cannot rebuild it (deleted,"
          + " or begun less than a horizon ago next to an older store). The start is refused otherwise: copies of events"
          + " counted within the dedup horizon before the loss would be counted again. Set it once, for the start after"
          + " the loss.");

  public static final Setting<Duration> SESSION_GAP = Setting.of("stream.session-gap", ValueType.DURATION_TYPE, null,
      "Inactivity that ends a visitor's session, for every domain that declares sessions; unset: the gap of each"
          + " domain's sessions: section (30m when it declares none). See docs/sessions.md.")
      .checked(d -> d.compareTo(Duration.ZERO) > 0 && d.compareTo(Duration.ofDays(1)) <= 0, "> 0 and <= 1d");

  public static final Setting<String> DOMAINS = Setting.of("stream.domains", ValueType.STRING, "",
      "Comma-separated names of the domains the stream runs, one query each (e.g. job-ads); empty: every domain"
          + " loaded (the built-in ones and those of domain.definitions). The stream command's --domain overrides it.");

  public static final List<Setting<?>> SETTINGS = Stream.concat(Stream.<Setting<?>>of(CHECKPOINT_DIR, DEDUP_STORE_DIR,
      SPARK_MASTER, TRIGGER_INTERVAL, MAX_EVENTS_PER_BATCH, SHUFFLE_PARTITIONS, STARTING_OFFSETS, TIME_ZONE, ALLOWED_LATENESS,
      DEDUP_HORIZON, MAX_FUTURE_SKEW, DIMENSION_REFRESH, DEAD_LETTER_MAX_BYTES, ACCEPT_DEDUP_STORE_LOSS, SESSION_GAP, DOMAINS),
      Stream.concat(DomainCatalog.SETTINGS.stream(), RollupConfig.SETTINGS.stream())).toList();

  public static StreamConfig from(Configuration config) {
    DomainCatalog domains = new DomainCatalog(java.util.List.of());
    try {
      domains = DomainCatalog.from(config);
      List<String> names = java.util.Arrays.stream(config.get(DOMAINS).split(",")).map(String::trim)
          .filter(n -> !n.isEmpty()).toList();
      if (!names.isEmpty()) domains = domains.only(names);
      Duration gap = config.get(SESSION_GAP);
      if (gap != null) domains = new DomainCatalog(domains.domains().stream().map(d -> d.withSessionGap(gap)).toList());
    } catch (ConfigException e) {
      e.problems().forEach(problem -> config.check(false, problem));
    } catch (IllegalArgumentException e) {
      config.check(false, DOMAINS.key() + ": " + e.getMessage());
    }
    CheckpointLocation checkpoint = config.get(CHECKPOINT_DIR);
    Path dedupStore = config.get(DEDUP_STORE_DIR) != null ? config.get(DEDUP_STORE_DIR)
        : checkpoint.localPath().map(dir -> dir.resolve("dedup")).orElse(Path.of(REMOTE_CHECKPOINT_DEDUP_STORE));
    StreamConfig stream = new StreamConfig(checkpoint, config.get(SPARK_MASTER), config.get(TRIGGER_INTERVAL),
        config.get(MAX_EVENTS_PER_BATCH), config.get(SHUFFLE_PARTITIONS), dedupStore, config.get(STARTING_OFFSETS),
        config.get(TIME_ZONE), config.get(ALLOWED_LATENESS), config.get(DEDUP_HORIZON), config.get(MAX_FUTURE_SKEW),
        config.get(DIMENSION_REFRESH), config.get(DEAD_LETTER_MAX_BYTES),
        config.get(ACCEPT_DEDUP_STORE_LOSS), domains);
    config.check(stream.dedupHorizon().compareTo(stream.minimumDedupHorizon()) >= 0,
        "stream.dedup-horizon is " + ValueType.formatDuration(stream.dedupHorizon()) + " but must be at least "
            + "1h + stream.allowed-lateness + stream.max-future-skew = " + ValueType.formatDuration(stream.minimumDedupHorizon())
            + ": a copy arriving later than that could otherwise be counted a second time");
    return stream;
  }

  /** These settings with other domains (a part of the catalogue, or domains with test topics). */
  public StreamConfig withDomains(DomainCatalog other) {
    return new StreamConfig(checkpointDir, sparkMaster, triggerInterval, maxEventsPerBatch, shufflePartitions,
        dedupStoreDir, startingOffsets, timeZone, allowedLateness, dedupHorizon, maxFutureSkew, dimensionRefresh,
        deadLetterMaxBytes, acceptDedupStoreLoss, other);
  }

  /**
   * A domain's checkpoint: job ads keep {@link #checkpointDir()} itself (existing installations resume where they
   * stopped), every other domain has its own folder inside it, so that one folder holds the stream's whole state.
   */
  public CheckpointLocation checkpointDir(Domain domain) {
    return isJobAds(domain) ? checkpointDir : checkpointDir.resolve("domains/" + domain.name());
  }

  /** A domain's dedup store: job ads keep {@link #dedupStoreDir()}; see {@link #DEDUP_STORE_DIR} for the others. */
  public Path dedupStoreDir(Domain domain) {
    if (isJobAds(domain)) return dedupStoreDir;
    Optional<Path> checkpoint = checkpointDir.localPath();
    if (checkpoint.isPresent() && dedupStoreDir.equals(checkpoint.get().resolve("dedup"))) {
      return checkpointDir(domain).localPath().orElseThrow().resolve("dedup");
    }
    return dedupStoreDir.resolveSibling(dedupStoreDir.getFileName() + "-" + domain.name());
  }

  private static boolean isJobAds(Domain domain) {
    return domain.name().equals(DomainCatalog.JOB_ADS);
  }

  /**
   * The stream counts an event only if it arrives between (hour start − skew) and (hour end + lateness), a window
   * of 1h + lateness + skew; a horizon at least that long means no copy of a counted event can be counted again.
   */
  public Duration minimumDedupHorizon() {
    return Duration.ofHours(1).plus(allowedLateness).plus(maxFutureSkew);
  }

  public EventLimits eventLimits() {
    return new EventLimits(timeZone, maxFutureSkew, EventLimits.DEFAULT.maxPayloadBytes(), EventLimits.DEFAULT.maxFieldChars());
  }
}
