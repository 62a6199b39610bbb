package io.trackpipe.generator;

import static java.util.Objects.requireNonNull;

import io.trackpipe.dimension.Job;
import io.trackpipe.dimension.Publisher;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Makes raw job-ad tracking records, one per {@link #next(Instant)} call, with realistic jobs, publishers, visitors
 * and a configurable {@code custom_track} mix. Deterministic: two generators with equal configs
 * that are given the same sequence of {@code now} values return byte-identical records, so a test can regenerate what
 * a run sent. Event times come only from {@code now}, never from a clock of its own.
 *
 * <p>Not thread-safe; use one generator per producing thread (with different seeds).
 */
public final class EventGenerator implements RecordGenerator {
  /** How many recent events a duplicate can copy: at-least-once delivery re-sends recent records, not old ones. */
  private static final int DUPLICATE_MEMORY = 4096;
  /** Truncated records keep at least this many bytes, so they still look like the start of an event. */
  private static final int SHORTEST_TRUNCATION = 16;
  private static final Malformation[] MALFORMATIONS = Malformation.values();
  /** "Other" custom_track values: sent by the tracker but neither counted nor impressions. */
  private static final byte[][] OTHER_TRACKS = {JsonBuffer.quoted("apply_start"), JsonBuffer.quoted("save_job")};
  /** Paid clicks dominate; repeats set the odds. */
  private static final byte[][] UTM_MEDIUMS = {
      JsonBuffer.quoted("cpc"), JsonBuffer.quoted("cpc"), JsonBuffer.quoted("cpc"), JsonBuffer.quoted("cpc"),
      JsonBuffer.quoted("cpc"), JsonBuffer.quoted("cpc"), JsonBuffer.quoted("cpc"), JsonBuffer.quoted("cpc"),
      JsonBuffer.quoted("email"), JsonBuffer.quoted("social")};
  private static final long NANOS_PER_SECOND = 1_000_000_000L;

  private final GeneratorConfig config;
  private final SplittableRandom random;
  private final TimeUuidSequence ids;
  private final TrackingEventWriter writer = new TrackingEventWriter();
  private final JsonBuffer buffer = new JsonBuffer();
  /** Most popular first: traffic is drawn with a skew towards the front. */
  private final JobAd[] jobsByPopularity;
  private final AdSite[] sitesByPopularity;
  private final Visitor[] visitors;
  private final byte[][] countedTracks;
  /** Cumulative shares of click, conversion, qualified, unqualified; the rest is "other". */
  private final double[] trackThresholds;
  /** Where a draw lands when rounding leaves it past the last threshold and "other" has no weight. */
  private final byte[] lastWeightedTrack;
  private final boolean drawsOtherTracks;
  /** Draws below this (and above the counted tracks' thresholds) are impressions: no custom_track. */
  private final double impressionBelow;
  private final double duplicateBelow;
  private final double malformedBelow;
  private final double lateBelow;
  private final double nullFieldRatio;
  private final long latenessRangeNanos;

  private final GeneratedRecord[] recentEvents = new GeneratedRecord[DUPLICATE_MEMORY];
  private int recentCount;
  private int recentNext;
  private long malformedCount;
  private long notAnObjectCount;

  public EventGenerator(GeneratorConfig config) {
    this.config = requireNonNull(config, "config is null");
    SplittableRandom root = new SplittableRandom(config.seed());
    SplittableRandom setup = root.split();
    this.random = root.split();
    this.ids = new TimeUuidSequence(config.seed());

    List<Job> jobs = config.dimensions().jobs();
    this.jobsByPopularity = new JobAd[jobs.size()];
    for (int i = 0; i < jobs.size(); i++) {
      jobsByPopularity[i] = JobAd.of(jobs.get(i), setup);
    }
    shuffle(jobsByPopularity, setup);
    List<Publisher> publishers = config.dimensions().publishers();
    this.sitesByPopularity = publishers.stream().map(AdSite::of).toArray(AdSite[]::new);
    shuffle(sitesByPopularity, setup);
    this.visitors = Visitor.population(setup, Visitor.POPULATION).toArray(Visitor[]::new);

    this.countedTracks = TrackMix.countedValues().stream().map(JsonBuffer::quoted).toArray(byte[][]::new);
    double[] shares = config.trackMix().shares();
    this.trackThresholds = new double[countedTracks.length];
    double cumulative = 0;
    for (int i = 0; i < trackThresholds.length; i++) {
      cumulative += shares[i];
      trackThresholds[i] = cumulative;
    }
    this.impressionBelow = cumulative + shares[countedTracks.length];
    int lastWeighted = 0;
    for (int i = 0; i < countedTracks.length; i++) {
      if (shares[i] > 0) lastWeighted = i;
    }
    this.lastWeightedTrack = countedTracks[lastWeighted];
    this.drawsOtherTracks = config.trackMix().other() > 0;
    this.duplicateBelow = config.duplicateRatio();
    this.malformedBelow = duplicateBelow + config.malformedRatio();
    this.lateBelow = malformedBelow + config.lateRatio();
    this.nullFieldRatio = config.nullFieldRatio();
    this.latenessRangeNanos = config.maxLateness().toNanos() - NANOS_PER_SECOND;
  }

  @Override
  public GeneratorConfig config() {
    return config;
  }

  @Override
  public GeneratedRecord next(Instant now) {
    requireNonNull(now, "now is null");
    double kindDraw = random.nextDouble();
    if (kindDraw < duplicateBelow) {
      if (recentCount > 0) {
        return duplicateOfRecentEvent();
      }
      // Nothing sent yet to duplicate: the first records are simply events.
    } else if (kindDraw < malformedBelow) {
      return malformed(now);
    } else if (kindDraw < lateBelow) {
      long latenessNanos = NANOS_PER_SECOND + random.nextLong(latenessRangeNanos + 1);
      return event(now.minusNanos(latenessNanos), GeneratedRecord.Kind.LATE);
    }
    return event(now, GeneratedRecord.Kind.VALID);
  }

  private GeneratedRecord event(Instant eventTime, GeneratedRecord.Kind kind) {
    SyntheticEvent event = draw(eventTime);
    buffer.reset();
    writer.write(event, null, buffer);
    GeneratedRecord record = new GeneratedRecord(event.key(), buffer.toByteArray(), kind);
    recentEvents[recentNext] = record;
    recentNext = (recentNext + 1) % DUPLICATE_MEMORY;
    recentCount = Math.min(recentCount + 1, DUPLICATE_MEMORY);
    return record;
  }

  private GeneratedRecord duplicateOfRecentEvent() {
    GeneratedRecord original = recentEvents[random.nextInt(recentCount)];
    // A copy, so that whoever receives the duplicate cannot change the original's bytes.
    return new GeneratedRecord(original.key(), original.value().clone(), GeneratedRecord.Kind.DUPLICATE);
  }

  private GeneratedRecord malformed(Instant now) {
    Malformation malformation = MALFORMATIONS[(int) (malformedCount++ % MALFORMATIONS.length)];
    SyntheticEvent event = draw(now);
    buffer.reset();
    switch (malformation) {
      case TRUNCATED_JSON -> {
        writer.write(event, null, buffer);
        buffer.truncate(SHORTEST_TRUNCATION + random.nextInt(buffer.length() - SHORTEST_TRUNCATION));
      }
      case NOT_AN_OBJECT -> writeNotAnObject(event);
      default -> writer.write(event, malformation, buffer);
    }
    // Keyed by the job the broken tracker was on, even when job_id itself is lost or mangled.
    return new GeneratedRecord(event.job().key(), buffer.toByteArray(), GeneratedRecord.Kind.MALFORMED);
  }

  private void writeNotAnObject(SyntheticEvent event) {
    switch ((int) (notAnObjectCount++ % 4)) {
      case 0 -> {
        buffer.raw((byte) '[');
        writer.write(event, null, buffer);
        buffer.raw((byte) ']');
      }
      case 1 -> {
        // The event JSON-encoded twice: a string holding the object, a classic producer bug.
        writer.write(event, null, buffer);
        String inner = new String(buffer.toByteArray(), StandardCharsets.UTF_8);
        buffer.reset();
        buffer.raw(JsonBuffer.quoted(inner));
      }
      case 2 -> buffer.raw(event.job().jobId());
      default -> buffer.raw(JsonBuffer.NULL);
    }
  }

  private SyntheticEvent draw(Instant eventTime) {
    JobAd job = jobsByPopularity[skewedIndex(jobsByPopularity.length)];
    AdSite site = sitesByPopularity[skewedIndex(sitesByPopularity.length)];
    Visitor visitor = visitors[random.nextInt(visitors.length)];
    int bidCents = job.baseBidCents();
    if (random.nextInt(10) == 0) {
      // Bids move a little when advertisers adjust them.
      int adjusted = bidCents + (int) Math.round(bidCents * (random.nextDouble() * 0.4 - 0.2));
      bidCents = Math.max(JobAd.MIN_BID_CENTS, Math.min(JobAd.MAX_BID_CENTS, adjusted));
    }
    return new SyntheticEvent(
        ids.next(eventTime),
        eventTime,
        job,
        site,
        visitor,
        unlessLost(job.jobId()),
        unlessLost(site.publisherId()),
        unlessLost(job.campaignId()),
        unlessLost(job.groupId()),
        lost() ? SyntheticEvent.NO_BID : bidCents,
        drawTrack(),
        1 + random.nextInt(2),
        UTM_MEDIUMS[random.nextInt(UTM_MEDIUMS.length)],
        random.nextBoolean() ? job.utmContent() : null,
        random.nextInt(10) < 3 ? job.utmTerm() : null);
  }

  private byte[] drawTrack() {
    double draw = random.nextDouble();
    for (int i = 0; i < trackThresholds.length; i++) {
      if (draw < trackThresholds[i]) {
        return countedTracks[i];
      }
    }
    if (draw < impressionBelow) return null;
    return drawsOtherTracks ? OTHER_TRACKS[random.nextInt(OTHER_TRACKS.length)] : lastWeightedTrack;
  }

  private byte[] unlessLost(byte[] value) {
    return lost() ? null : value;
  }

  private boolean lost() {
    return nullFieldRatio > 0 && random.nextDouble() < nullFieldRatio;
  }

  /** Index in [0, size) with density falling towards the end: the top 1% of entries get about 10% of draws. */
  private int skewedIndex(int size) {
    double u = random.nextDouble();
    return (int) (size * u * u);
  }

  private static <T> void shuffle(T[] items, SplittableRandom random) {
    for (int i = items.length - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      T swap = items[i];
      items[i] = items[j];
      items[j] = swap;
    }
  }
}
