package io.trackpipe.spark.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.trackpipe.dimension.Company;
import io.trackpipe.dimension.Dimensions;
import io.trackpipe.dimension.Job;
import io.trackpipe.dimension.Publisher;
import io.trackpipe.spark.stream.TrackingStreamJob;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import io.trackpipe.spark.stream.StreamQueries;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Facts get their company from the {@code job} dimension, re-read while the stream runs. */
class EnrichmentIT {
  private static final DateTimeFormatter TS = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");
  private static final long NEW_JOB = 900;
  private static final long NEW_COMPANY = 4242;

  @TempDir Path work;


  @Test
  void picksUpJobsAddedWhileTheStreamRuns() throws Exception {
    StreamFixture f = StreamFixture.create("enrich", work);
    f.loadDimensions(new Dimensions(List.of(new Company(1, "Known Co")), List.of(new Job(1, 1, 4, 3, "Cook", "Food")),
        List.of(new Publisher(2, "Board"))));
    LocalDateTime now = LocalDateTime.now(ZoneOffset.UTC);
    LocalDateTime earlier = now.truncatedTo(ChronoUnit.HOURS).minusHours(2);
    LocalDateTime later = earlier.plusHours(1);
    List<String> ids = new ArrayList<>();

    TrackingStreamJob job = f.job(f.streamConfig());
    StreamQueries query = job.start(StreamFixture.spark());
    try {
      f.produce(List.of(click(ids, NEW_JOB, earlier.plusMinutes(1), now), click(ids, NEW_JOB, earlier.plusMinutes(2), now),
          click(ids, 1, earlier.plusMinutes(3), now)));
      query.processAllAvailable();
      assertThat(f.facts().get(key(NEW_JOB, earlier))).as("before job 900 exists")
          .satisfies(r -> assertThat(r.clicks()).isEqualTo(2), r -> assertThat(r.companyId()).isNull());
      assertThat(f.facts().get(key(1, earlier)).companyId()).isEqualTo(1);

      f.loadDimensions(new Dimensions(List.of(new Company(NEW_COMPANY, "New Co")),
          List.of(new Job(NEW_JOB, NEW_COMPANY, 4, 3, "Baker", "Food")), List.of()));
      Thread.sleep(f.streamConfig().dimensionRefresh().multipliedBy(3).toMillis());
      f.produce(List.of(click(ids, NEW_JOB, earlier.plusMinutes(4), now), click(ids, NEW_JOB, earlier.plusMinutes(5), now),
          click(ids, NEW_JOB, earlier.plusMinutes(6), now), click(ids, NEW_JOB, later.plusMinutes(1), now)));
      query.processAllAvailable();
      assertThat(query.isActive()).isTrue();
    } finally {
      query.stop();
    }

    assertThat(f.facts().get(key(NEW_JOB, earlier))).as("the same hour, after job 900 was added")
        .satisfies(r -> assertThat(r.clicks()).isEqualTo(5), r -> assertThat(r.companyId()).isEqualTo(NEW_COMPANY));
    assertThat(f.facts().get(key(NEW_JOB, later))).as("a new hour")
        .satisfies(r -> assertThat(r.clicks()).isEqualTo(1), r -> assertThat(r.companyId()).isEqualTo(NEW_COMPANY));
    assertThat(f.facts().get(key(1, earlier)).companyId()).isEqualTo(1);
  }

  private static String key(long job, LocalDateTime hour) {
    return FactRow.key(job, hour.toLocalDate(), hour.getHour(), 2, 3, 4);
  }

  /** A click on {@code job} at {@code time}, arriving at {@code arrival}; its id is added to {@code ids}. */
  private static StreamFixture.Send click(List<String> ids, long job, LocalDateTime time, LocalDateTime arrival) {
    String id = "enrich-" + ids.size();
    ids.add(id);
    String json = "{\"create_time\":\"" + id + "\",\"ts\":\"" + TS.format(time) + "\",\"job_id\":" + job
        + ",\"publisher_id\":2,\"campaign_id\":3,\"group_id\":4,\"bid\":0.5,\"custom_track\":\"click\"}";
    return new StreamFixture.Send(String.valueOf(job), json.getBytes(StandardCharsets.UTF_8),
        arrival.toInstant(ZoneOffset.UTC).toEpochMilli());
  }
}
