package io.trackpipe.spark.rollup;

import static io.trackpipe.spark.ingest.EventColumns.EVENT_ID;
import static io.trackpipe.spark.ingest.EventColumns.EVENT_TIME;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.unix_millis;

import io.trackpipe.session.PageView;
import io.trackpipe.session.SessionDefinition;
import io.trackpipe.session.SessionFigures;
import io.trackpipe.session.Sessionizer;
import io.trackpipe.warehouse.fact.FactBatch;
import io.trackpipe.warehouse.session.SessionTables;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.api.java.function.FlatMapGroupsFunction;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The batch path's recount of a domain's two session tables from whole days of events, with the stream's
 * {@link Sessionizer}: the events grouped by user in Spark, each user's sessions measured on the executors, the
 * figures summed per row key in Spark, and only the rows collected. Sessions never cross midnight, so a day's rows
 * depend on that day's views alone.
 */
public final class SessionRecount {
  private static final int PAGES = 0;
  private static final int SESSIONS = 1;
  private static final int COUNTERS = 5;
  private static final StructType PARTS = new StructType()
      .add("table", DataTypes.IntegerType, false)
      .add("key", DataTypes.createArrayType(DataTypes.StringType, false), false)
      .add("c0", DataTypes.LongType, false).add("c1", DataTypes.LongType, false).add("c2", DataTypes.LongType, false)
      .add("c3", DataTypes.LongType, false).add("c4", DataTypes.LongType, false);

  private SessionRecount() {}

  /**
   * Both tables' rows for {@code events} (valid, deduplicated; whole local days of them), with {@code sources}.
   *
   * @param gap the sessions' gap (the section's, or {@code stream.session-gap})
   */
  public static List<FactBatch> facts(Dataset<Row> events, SessionTables tables, ZoneId zone, String sources) {
    SessionDefinition definition = tables.definition();
    List<Column> columns = new ArrayList<>(List.of(col(definition.user()).cast(DataTypes.StringType), unix_millis(col(EVENT_TIME)),
        col(EVENT_ID), col(definition.page())));
    definition.dimensions().forEach(d -> columns.add(col(d)));
    // Only serializable values go to the executors.
    Duration gap = definition.gap();
    boolean[] integer = tables.integerDimensions();
    Dataset<Row> parts = events.select(columns.toArray(Column[]::new))
        .filter(col(definition.user()).isNotNull())
        .groupByKey((MapFunction<Row, String>) row -> row.getString(0), Encoders.STRING())
        .flatMapGroups((FlatMapGroupsFunction<String, Row, Row>) (user, rows) -> {
          List<PageView> views = new ArrayList<>();
          rows.forEachRemaining(row -> {
            List<Object> dimensions = new ArrayList<>();
            for (int i = 4; i < row.length(); i++) dimensions.add(row.get(i));
            views.add(SessionTables.view(row.get(0), row.getLong(1), row.getString(2), row.get(3), dimensions, integer));
          });
          return parts(new Sessionizer(gap, zone).figures(views)).iterator();
        }, Encoders.row(PARTS));
    List<Row> summed = parts.groupBy(col("table"), col("key"))
        .agg(sum("c0"), sum("c1"), sum("c2"), sum("c3"), sum("c4"))
        .collectAsList();
    SessionFigures total = new SessionFigures();
    for (Row row : summed) {
      List<String> key = row.getList(1);
      long[] counters = new long[COUNTERS];
      for (int i = 0; i < COUNTERS; i++) counters[i] = row.getLong(2 + i);
      if (row.getInt(0) == PAGES) {
        total.addPageRow(List.of(key.get(0), LocalDate.parse(key.get(1))), counters);
      } else {
        List<Object> values = new ArrayList<>();
        values.add(LocalDate.parse(key.get(0)));
        for (int d = 0; d < integer.length; d++) values.add(integer[d] ? (Object) Long.parseLong(key.get(d + 1)) : key.get(d + 1));
        total.addSessionRow(values, counters);
      }
    }
    return List.of(new FactBatch(tables.pages(), tables.pageRows(total, sources)),
        new FactBatch(tables.sessions(), tables.sessionRows(total, sources)));
  }

  /** One user's figures as rows of {@link #PARTS}: keys as text, counters padded to five. */
  private static List<Row> parts(SessionFigures figures) {
    List<Row> rows = new ArrayList<>();
    figures.pages().forEach((key, counters) -> rows.add(part(PAGES, key, counters)));
    figures.sessions().forEach((key, counters) -> rows.add(part(SESSIONS, key, counters)));
    return rows;
  }

  private static Row part(int table, List<Object> key, long[] counters) {
    long[] padded = Arrays.copyOf(counters, COUNTERS);
    return RowFactory.create(table, key.stream().map(String::valueOf).toList().toArray(new String[0]), padded[0], padded[1],
        padded[2], padded[3], padded[4]);
  }
}
