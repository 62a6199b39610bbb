package io.trackpipe.spark.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.trackpipe.dimension.Dimensions;
import io.trackpipe.dimension.Job;
import io.trackpipe.generator.EventGenerator;
import io.trackpipe.generator.GeneratedRecord;
import io.trackpipe.generator.GeneratorConfig;
import io.trackpipe.generator.SampleDimensions;
import io.trackpipe.spark.stream.StreamStatus;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Generator → Kafka → streaming job → MariaDB, on real servers, checked against an independent recount. */
class StreamingPipelineIT {
  private static final DateTimeFormatter TS = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

  @TempDir Path work;



  @Test
  void factsEqualAnIndependentRecountOfGeneratedEvents() throws Exception {
    StreamFixture f = StreamFixture.create("recount", work);
    Dimensions dimensions = SampleDimensions.generate(7, 10, 60, 8);
    f.loadDimensions(dimensions);
    GeneratorConfig config = GeneratorConfig.builder(dimensions).seed(7).duplicateRatio(0.05).lateRatio(0.05)
        .malformedRatio(0.02).build();
    EventGenerator generator = new EventGenerator(config);
    Instant start = Instant.now().minus(Duration.ofMinutes(30)).truncatedTo(ChronoUnit.MILLIS);
    List<StreamFixture.Send> valid = new ArrayList<>();
    List<StreamFixture.Send> all = new ArrayList<>();
    int malformed = 0;
    int duplicates = 0;
    for (int i = 0; i < 20_000; i++) {
      Instant now = start.plusMillis(i * 60L); // 20 minutes of arrivals, several hours of event times with late ones
      GeneratedRecord r = generator.next(now);
      StreamFixture.Send send = new StreamFixture.Send(r.key(), r.value(), now.toEpochMilli());
      all.add(send);
      if (r.kind() == GeneratedRecord.Kind.MALFORMED) malformed++;
      else valid.add(send);
      if (r.kind() == GeneratedRecord.Kind.DUPLICATE) duplicates++;
    }
    f.produce(all);

    StreamStatus status = StreamFixture.runToEnd(f.job(f.streamConfig()));

    Map<Long, Job> jobs = dimensions.jobs().stream().collect(Collectors.toMap(Job::id, Function.identity()));
    Map<String, FactRow> expected = Recount.of(valid, jobs, Duration.ofHours(2));
    assertThat(f.facts()).isEqualTo(expected);
    assertThat(expected.values().stream().mapToLong(FactRow::clicks).sum()).as("a meaningful test").isGreaterThan(1_000);
    assertThat(expected.values().stream().mapToLong(FactRow::impressions).sum()).as("about 9 impressions per click").isGreaterThan(10_000);
    assertThat(status.rejected()).as("every malformed record dead-lettered").isEqualTo(malformed);
    assertThat(status.recordsRead()).isEqualTo(all.size());
    assertThat(status.droppedDuplicates()).as("generated copies dropped").isEqualTo(duplicates);
    assertThat(f.deadLetters(malformed)).hasSize(malformed);
  }

  private static String event(String id, LocalDateTime time, String track, double bid) {
    return "{\"create_time\":\"" + id + "\",\"ts\":\"" + TS.format(time) + "\",\"job_id\":1,\"publisher_id\":2,"
        + "\"campaign_id\":3,\"group_id\":4,\"bid\":" + bid + ",\"custom_track\":\"" + track + "\"}";
  }

  private static StreamFixture.Send send(String json, LocalDateTime arrival) {
    return new StreamFixture.Send("1", json.getBytes(StandardCharsets.UTF_8), arrival.toInstant(ZoneOffset.UTC).toEpochMilli());
  }

  private static LocalDateTime hoursAgo(int hours) {
    return LocalDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.HOURS).minusHours(hours);
  }

  @Test
  void countsADuplicateOnceAcrossBatchesAndRestarts() throws Exception {
    StreamFixture f = StreamFixture.create("dups", work);
    LocalDateTime hour = hoursAgo(1);
    String click = event("dup-1", hour.plusMinutes(5), "click", 0.4);
    String other = event("dup-2", hour.plusMinutes(6), "click", 0.6);

    f.produce(List.of(send(click, hour.plusMinutes(5)), send(click, hour.plusMinutes(5))));
    StreamFixture.runToEnd(f.job(f.streamConfig()));
    f.produce(List.of(send(click, hour.plusMinutes(40)), send(other, hour.plusMinutes(41))));
    StreamFixture.runToEnd(f.job(f.streamConfig()));
    f.produce(List.of(send(click, hour.plusMinutes(50)), send(other, hour.plusMinutes(55))));
    StreamStatus last = StreamFixture.runToEnd(f.job(f.streamConfig()));

    FactRow row = f.facts().get(FactRow.key(1, hour.toLocalDate(), hour.getHour(), 2, 3, 4));
    assertThat(row.clicks()).isEqualTo(2);
    assertThat(row.spend()).isEqualByComparingTo("1.0");
    assertThat(row.bidSet()).isEqualByComparingTo("0.5");
    assertThat(last.droppedDuplicates()).isEqualTo(2);
  }

  @Test
  void countsLateAndOutOfOrderEventsInTheirHourUntilTheAllowedLatenessRunsOut() throws Exception {
    StreamFixture f = StreamFixture.create("late", work);
    LocalDateTime hour = hoursAgo(3); // the hour [H, H+1) ends at H+1; with 2h lateness it counts until H+3
    List<StreamFixture.Send> sends = List.of(
        send(event("late-1", hour.plusMinutes(50), "click", 1.0), hour.plusHours(2).plusMinutes(59)),
        send(event("late-2", hour.plusMinutes(10), "conversion", 1.0), hour.plusHours(3)),
        send(event("late-3", hour.plusMinutes(20), "click", 1.0), hour.plusHours(3).plusSeconds(1)),
        send(event("late-4", hour.plusHours(2).plusMinutes(30), "click", 2.0), hour.plusHours(2).plusMinutes(31)),
        send(event("late-5", hour.plusMinutes(1), "qualified", 0.0), hour.plusMinutes(2)));

    StreamStatus status = StreamFixture.runToEnd(f.job(f.streamConfig()));
    f.produce(sends);
    status = StreamFixture.runToEnd(f.job(f.streamConfig()));

    Map<String, FactRow> facts = f.facts();
    FactRow first = facts.get(FactRow.key(1, hour.toLocalDate(), hour.getHour(), 2, 3, 4));
    assertThat(first.clicks()).as("late-1 counted, late-3 arrived one second too late").isEqualTo(1);
    assertThat(first.conversion()).as("late-2 arrived exactly at the limit").isEqualTo(1);
    assertThat(first.qualified()).isEqualTo(1);
    LocalDateTime third = hour.plusHours(2);
    assertThat(facts.get(FactRow.key(1, third.toLocalDate(), third.getHour(), 2, 3, 4)).clicks()).isEqualTo(1);
    assertThat(status.eventsTooLate()).isEqualTo(1);
    assertThat(status.eventsCounted()).isEqualTo(4);
  }
}
