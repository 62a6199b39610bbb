package io.trackpipe.spark.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.trackpipe.dimension.Job;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * An independent recount of the hourly facts from the raw records, written plainly in Java (no Spark, no
 * EventDecoder): what the {@code events} table must equal. UTC buckets; records the test knows to be bad are skipped.
 */
public final class Recount {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final DateTimeFormatter TS = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

  /** @param records valid records in arrival order, duplicates included; each with its arrival (Kafka) time */
  public static Map<String, FactRow> of(List<StreamFixture.Send> records, Map<Long, Job> jobs, Duration allowedLateness)
      throws Exception {
    Set<String> seen = new HashSet<>();
    Map<String, long[]> counts = new TreeMap<>();
    Map<String, BigDecimal> spend = new HashMap<>();
    for (StreamFixture.Send record : records) {
      JsonNode e = JSON.readTree(record.value());
      if (!seen.add(e.get("create_time").asText())) continue;
      if (e.path("job_id").isNull() || e.path("job_id").isMissingNode()) continue;
      LocalDateTime time = LocalDateTime.parse(e.get("ts").asText(), TS);
      LocalDateTime hour = time.withMinute(0).withSecond(0).withNano(0);
      Instant countedUntil = hour.plusHours(1).toInstant(ZoneOffset.UTC).plus(allowedLateness);
      if (Instant.ofEpochMilli(record.timestampMillis()).isAfter(countedUntil)) continue;
      String key = FactRow.key(e.get("job_id").asLong(), hour.toLocalDate(), hour.getHour(), e.path("publisher_id").asLong(0),
          e.path("campaign_id").asLong(0), e.path("group_id").asLong(0));
      long[] c = counts.computeIfAbsent(key, k -> new long[5]);
      String track = e.path("custom_track").isTextual() ? e.get("custom_track").asText() : "";
      switch (track) {
        case "click" -> {
          c[0]++;
          BigDecimal bid = e.path("bid").isNumber() ? new BigDecimal(e.get("bid").asText()) : BigDecimal.ZERO;
          spend.merge(key, bid, BigDecimal::add);
        }
        case "conversion" -> c[1]++;
        case "qualified" -> c[2]++;
        case "unqualified" -> c[3]++;
        case "", "impression" -> c[4]++; // the default rollup.impression-tracks and rollup.untracked-is-impression
        default -> { }
      }
    }
    Map<String, FactRow> facts = new TreeMap<>();
    counts.forEach((key, c) -> {
      BigDecimal s = spend.getOrDefault(key, BigDecimal.ZERO);
      BigDecimal bidSet = c[0] == 0 ? null : s.divide(BigDecimal.valueOf(c[0]), 6, RoundingMode.HALF_UP).stripTrailingZeros();
      Job job = jobs.get(Long.parseLong(key.substring(0, key.indexOf('|'))));
      facts.put(key, new FactRow(c[0], c[1], c[2], c[3], s.setScale(6, RoundingMode.HALF_UP).stripTrailingZeros(), bidSet,
          job == null ? null : job.companyId(), c[4]));
    });
    return facts;
  }

  private Recount() {}
}
