package io.trackpipe.generator;

import io.trackpipe.dimension.Job;
import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * A job from the dimension table with everything an event about it repeats, pre-encoded as JSON literals.
 *
 * @param key the Kafka key: the job id in decimal
 * @param baseBidCents the job's usual cost per click; single events deviate from it a little
 */
record JobAd(
    Job job, String key, byte[] jobId, byte[] campaignId, byte[] groupId, byte[] pageUrl, byte[] title,
    byte[] utmCampaign, byte[] utmContent, byte[] utmTerm, int baseBidCents) {

  static final int MIN_BID_CENTS = 10;
  static final int MAX_BID_CENTS = 300;

  static JobAd of(Job job, SplittableRandom random) {
    double u = random.nextDouble();
    // Most CPCs are cheap, a few roles are expensive: skew towards the low end of 0.10–3.00.
    int baseBid = MIN_BID_CENTS + (int) Math.round((MAX_BID_CENTS - MIN_BID_CENTS) * u * u);
    // The search keyword a visitor might have typed: the title without accents and punctuation.
    String keyword = Normalizer.normalize(job.title(), Normalizer.Form.NFD).replaceAll("\\p{M}", "")
        .toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9+]+", " ").trim();
    return new JobAd(
        job,
        Long.toString(job.id()),
        decimal(job.id()),
        decimal(job.campaignId()),
        decimal(job.groupId()),
        JsonBuffer.quoted("https://jobs.example.com/job/" + job.id()),
        JsonBuffer.quoted(job.title()),
        JsonBuffer.quoted("campaign-" + job.campaignId() + "-" + job.industry().toLowerCase(Locale.ROOT)),
        JsonBuffer.quoted("group-" + job.groupId()),
        JsonBuffer.quoted(keyword),
        baseBid);
  }

  private static byte[] decimal(long value) {
    return Long.toString(value).getBytes(StandardCharsets.US_ASCII);
  }
}
