package io.trackpipe.spark.rollup;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;

import io.trackpipe.rollup.Dimension;
import io.trackpipe.rollup.Metric;
import io.trackpipe.rollup.RollupDefinition;
import io.trackpipe.rollup.TimeGrain;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * A batch's one aggregation, at the finest grain every rollup can be rolled up from: the events grouped by local hour,
 * by every dimension expression and by every filter's outcome, with every partial count, sum, min and max that the
 * rollups' metrics and attributes need. Spark reduces the batch to these rows (about as many as the {@code events}
 * table gets) in one task; each rollup is then the same rows regrouped on the driver, a loop over those rows, where one
 * Spark aggregation per rollup cost a scan of the batch and a task each (docs/performance.md has both measured).
 *
 * <p>The result is the same as each {@link RollupPlan#aggregate} on the events, which stays the definition (and gives
 * the column types): counts and sums add up, minima and maxima compose, every time bucket is a function of the local
 * hour, and a ratio is computed from the regrouped sums. Distinct counts do not compose; they are counted from the
 * rollup's distinct (key, value) pairs instead.
 */
final class FinestGrain {
  /** The first column: the local hour ({@link TimeGrain#HOUR}), from which every time dimension is derived. */
  private static final int HOUR = 0;

  private final ZoneId zone;
  private final Column anyFilter;
  private final List<Column> keys;
  private final List<Column> partials;
  private final List<Projection> projections;

  private FinestGrain(ZoneId zone, Column anyFilter, List<Column> keys, List<Column> partials, List<Projection> projections) {
    this.zone = zone;
    this.anyFilter = anyFilter;
    this.keys = List.copyOf(keys);
    this.partials = List.copyOf(partials);
    this.projections = List.copyOf(projections);
  }

  /** How one rollup reads the grain's columns. */
  private record Projection(RollupPlan plan, int filter, int[] dimensions, int[] metrics, int[] attributes) {}

  static FinestGrain of(List<RollupPlan> plans, ZoneId zone) {
    Columns keys = new Columns("k");
    Columns partials = new Columns("p");
    keys.add("hour", RollupPlan.dimension(Dimension.time("hour", TimeGrain.HOUR)));
    Column anyFilter = lit(false);
    List<Projection> projections = new ArrayList<>();
    for (RollupPlan plan : plans) {
      RollupDefinition rollup = plan.definition();
      int filter = -1;
      if (rollup.filter() == null) {
        anyFilter = lit(true);
      } else {
        filter = keys.add("filter " + rollup.filter(), coalesce(expr(rollup.filter()), lit(false)));
        anyFilter = anyFilter.or(expr(rollup.filter()));
      }
      int[] dimensions = new int[rollup.dimensions().size()];
      for (int i = 0; i < dimensions.length; i++) {
        Dimension d = rollup.dimensions().get(i);
        dimensions[i] = d.isTime() ? HOUR
            : keys.add("dimension " + d.expression() + " default " + d.defaultValue(), RollupPlan.dimension(d));
      }
      int[] metrics = new int[rollup.metrics().size()];
      for (int i = 0; i < metrics.length; i++) {
        Metric m = rollup.metrics().get(i);
        metrics[i] = switch (m.kind()) {
          case COUNT, SUM, MIN, MAX -> partials.add(m.kind() + " " + m.expression() + " where " + m.where(), RollupPlan.partial(m));
          case RATIO, DISTINCT -> -1;
        };
      }
      int[] attributes = rollup.attributes().stream()
          .mapToInt(a -> partials.add(Metric.Kind.MAX + " " + a + " where null", max(expr(a)))).toArray();
      projections.add(new Projection(plan, filter, dimensions, metrics, attributes));
    }
    return new FinestGrain(zone, anyFilter, keys.columns, partials.columns, projections);
  }

  /** The batch's rows at this grain: the key columns, then the partials. */
  Dataset<Row> aggregate(Dataset<Row> source) {
    Dataset<Row> events = RollupPlan.withLocalTime(source.filter(anyFilter), zone);
    return events.groupBy(keys.toArray(Column[]::new))
        .agg(partials.get(0), partials.subList(1, partials.size()).toArray(Column[]::new));
  }

  /**
   * The rows of rollup {@code index} (of the plans given to {@link #of}), in {@link RollupPlan#aggregate} column order.
   *
   * @param grainRows {@link #aggregate}'s rows, as warehouse values
   * @param distinctCounts for each distinct metric of the rollup, by name: the number of distinct values per key
   */
  List<Object[]> rollUp(int index, List<Object[]> grainRows, Map<String, Map<List<Object>, Long>> distinctCounts) {
    Projection projection = projections.get(index);
    RollupDefinition rollup = projection.plan().definition();
    List<Dimension> dimensions = rollup.dimensions();
    List<Metric> metrics = rollup.metrics();
    int keyCount = keys.size();
    Map<List<Object>, Object[]> totals = new LinkedHashMap<>();
    rows:
    for (Object[] row : grainRows) {
      if (projection.filter() >= 0 && !Boolean.TRUE.equals(row[projection.filter()])) continue;
      Object[] key = new Object[dimensions.size()];
      for (int d = 0; d < key.length; d++) {
        Object value = bucket(dimensions.get(d).time(), row[projection.dimensions()[d]]);
        if (value == null) continue rows; // a key column cannot be NULL: such events are left out, as in aggregate()
        key[d] = value;
      }
      Object[] total = totals.computeIfAbsent(Arrays.asList(key), k -> new Object[metrics.size() + rollup.attributes().size()]);
      for (int m = 0; m < metrics.size(); m++) {
        int partial = projection.metrics()[m];
        if (partial < 0) continue;
        Object value = row[keyCount + partial];
        total[m] = switch (metrics.get(m).kind()) {
          case COUNT, SUM -> add(total[m], value);
          case MIN -> extreme(total[m], value, -1);
          case MAX -> extreme(total[m], value, 1);
          case RATIO, DISTINCT -> null;
        };
      }
      for (int a = 0; a < projection.attributes().length; a++) {
        int at = metrics.size() + a;
        total[at] = extreme(total[at], row[keyCount + projection.attributes()[a]], 1);
      }
    }

    List<Object[]> out = new ArrayList<>(totals.size());
    for (Map.Entry<List<Object>, Object[]> entry : totals.entrySet()) {
      List<Object> key = entry.getKey();
      Object[] total = entry.getValue();
      Object[] values = new Object[dimensions.size() + total.length];
      key.toArray(values);
      Map<String, Object> byName = new LinkedHashMap<>();
      for (int m = 0; m < metrics.size(); m++) {
        Metric metric = metrics.get(m);
        Object value = switch (metric.kind()) {
          case COUNT -> total[m] == null ? 0L : total[m];
          // SUM of nothing (or of NULLs only) is 0, as in aggregate(); its type is the sum's.
          case SUM -> total[m] == null ? projection.plan().zeroOf(metric) : total[m];
          case MIN, MAX -> total[m];
          case RATIO -> ratio(byName.get(metric.numerator()), byName.get(metric.denominator()));
          case DISTINCT -> distinctCounts.get(metric.name()).getOrDefault(key, 0L);
        };
        byName.put(metric.name(), value);
        values[dimensions.size() + m] = value;
      }
      System.arraycopy(total, metrics.size(), values, dimensions.size() + metrics.size(), rollup.attributes().size());
      out.add(values);
    }
    return out;
  }

  /** A time dimension's bucket of the local hour, or a column dimension's value as it is. */
  private static Object bucket(TimeGrain grain, Object value) {
    if (grain == null || value == null) return value;
    LocalDateTime hour = (LocalDateTime) value;
    return switch (grain) {
      case HOUR -> hour;
      case DAY -> hour.toLocalDate();
      case HOUR_OF_DAY -> hour.getHour();
      case DAY_OF_WEEK -> hour.getDayOfWeek().getValue(); // ISO-8601: 1 = Monday … 7 = Sunday
    };
  }

  /** A sum's value plus a partial sum; NULL partials (sums of NULLs only) add nothing. */
  private static Object add(Object total, Object value) {
    if (value == null) return total;
    if (total == null) return value;
    if (total instanceof Long t) return t + (Long) value;
    if (total instanceof BigDecimal t) return t.add((BigDecimal) value);
    if (total instanceof Double t) return t + (Double) value;
    throw new IllegalStateException("cannot add " + value.getClass().getSimpleName());
  }

  /** The smaller ({@code sign} -1) or larger (+1) of two values, ignoring NULLs as Spark's min and max do. */
  @SuppressWarnings({"unchecked", "rawtypes"})
  private static Object extreme(Object current, Object value, int sign) {
    if (value == null) return current;
    if (current == null) return value;
    int order = current instanceof String a ? compareCodePoints(a, (String) value) : ((Comparable) current).compareTo(value);
    return Integer.signum(order) == -sign ? value : current;
  }

  /** Text in Spark's order (by UTF-8 bytes, which is by code point); String.compareTo orders by UTF-16 unit. */
  private static int compareCodePoints(String a, String b) {
    return Arrays.compare(a.codePoints().toArray(), b.codePoints().toArray());
  }

  /**
   * numerator / denominator as {@link RollupPlan#RATIO}, NULL for a zero (or NULL) denominator: exact decimal division
   * of counts and sums of money, rounded half up like Spark's cast.
   */
  private static BigDecimal ratio(Object numerator, Object denominator) {
    if (numerator == null || denominator == null) return null;
    if (numerator instanceof Double || denominator instanceof Double) {
      double d = ((Number) denominator).doubleValue();
      double q = ((Number) numerator).doubleValue() / d;
      return d == 0 || !Double.isFinite(q) ? null : BigDecimal.valueOf(q).setScale(RollupPlan.RATIO.scale(), RoundingMode.HALF_UP);
    }
    BigDecimal d = decimal(denominator);
    if (d.signum() == 0) return null;
    return decimal(numerator).divide(d, RollupPlan.RATIO.scale(), RoundingMode.HALF_UP);
  }

  private static BigDecimal decimal(Object value) {
    return value instanceof BigDecimal b ? b : BigDecimal.valueOf(((Number) value).longValue());
  }

  /** Named columns without repeats: two rollups that group by (or sum) the same expression share one column. */
  private static final class Columns {
    private final String prefix;
    private final Map<String, Integer> indexById = new LinkedHashMap<>();
    private final List<Column> columns = new ArrayList<>();

    Columns(String prefix) {
      this.prefix = prefix;
    }

    int add(String id, Column column) {
      return indexById.computeIfAbsent(id, k -> {
        columns.add(column.as(prefix + columns.size()));
        return columns.size() - 1;
      });
    }
  }
}
