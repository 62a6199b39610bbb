package io.trackpipe.generator;

import static java.util.Objects.requireNonNull;

import io.trackpipe.domain.Domain;
import io.trackpipe.domain.EventField;
import io.trackpipe.domain.EventSchema;
import io.trackpipe.domain.FieldType;
import io.trackpipe.domain.Rule;
import io.trackpipe.domain.TimeFormat;
import io.trackpipe.domain.UnknownFields;
import io.trackpipe.event.DecodeResult;
import io.trackpipe.event.EventDecoder;
import io.trackpipe.event.EventLimits;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Makes the events of any domain from its {@link EventSchema} alone, for domains without a generator of their own:
 * every value within its field's declared type and checks (min/max, scale, max-length, enum values, one of a
 * timestamp's formats), a fresh unique id when the id is a field (and, when it is a hash of fields, values that do
 * not repeat a recent event's), the event time from {@code now} (or up to
 * {@link GeneratorConfig#maxLateness()} before it for late events), a few distinct values per partition-key field so
 * that rollups group, and the domain's rules respected (values are re-drawn until every rule holds). Duplicates, late
 * and malformed records come at the config's ratios, as from the job-ads {@link EventGenerator}; the malformed ones
 * cycle through the {@link SchemaMalformation}s the schema allows; rule-breaking events come at
 * {@link GeneratorConfig#ruleViolationRatio()} on top, cycling through the rules. Optional fields are left out with
 * {@link GeneratorConfig#nullFieldRatio()}; the job-ads parts of the config (mix, dimensions) are not used.
 *
 * <p>Deterministic: equal configs given the same {@code now} values give byte-identical records. Not thread-safe.
 */
public final class SchemaEventGenerator implements RecordGenerator {
  private static final int DUPLICATE_MEMORY = 4096;
  /** Distinct values per partition-key field: enough to spread over partitions, few enough that rollups group. */
  static final int PARTITION_KEY_VALUES = 8;
  /** Distinct words per text field: texts repeat, as names and labels do. */
  private static final int TEXT_VOCABULARY = 24;
  private static final int LONGEST_WORD = 12;
  /** Integers and decimals without bounds are drawn in a range this wide. */
  private static final long UNBOUNDED_SPAN = 1000;
  /** Timestamp fields other than the event time lie up to this long before it. */
  private static final long OTHER_TIMES_SPAN_MILLIS = Duration.ofDays(30).toMillis();
  private static final long NANOS_PER_SECOND = 1_000_000_000L;
  private static final int ATTEMPTS_PER_RULE = 400;
  /** Events whose hashed id is remembered, so that a new event does not repeat one by chance. */
  private static final int RECENT_HASHED_IDS = 1 << 16;
  private static final int ATTEMPTS_PER_HASHED_ID = 64;
  private static final Pattern QUOTED = Pattern.compile("'((?:[^']|'')*)'");
  private static final Pattern NUMBER = Pattern.compile("(?<![\\w.'])-?\\d+(?:\\.\\d+)?(?![\\w.])");
  private static final DateTimeFormatter LOCAL_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");
  private static final byte ABSENT = 0;
  private static final byte NULL = 1;
  private static final byte SENT = 2;

  private final Domain domain;
  private final EventSchema schema;
  private final GeneratorConfig config;
  private final ZoneId zone;
  private final EventField[] fields;
  /** {@code "name":} per field, encoded once. */
  private final byte[][] names;
  private final SplittableRandom random;
  private final TimeUuidSequence uuids;
  /** Reads back the id of an event keyed by its hashed id; the only use of a decoder here. */
  private final EventDecoder idReader;
  private final int idIndex;
  private final int timeIndex;
  private final int[] partitionKeyIndexes;
  private final int[] hashIndexes;
  /** The hash-of values of recent events (hashed ids only): equal values would make them one event. */
  private final Set<List<Object>> recentHashedIds = Collections.newSetFromMap(new LinkedHashMap<>() {
    @Override
    protected boolean removeEldestEntry(Map.Entry<List<Object>, Boolean> eldest) {
      return size() > RECENT_HASHED_IDS;
    }
  });
  private final boolean[] omittable;
  /** Per field, the values a draw picks from: partition keys and texts repeat; null where any value in range goes. */
  private final Object[][] pools;
  /** Per field, values worth trying to satisfy or break a rule: its bounds and the literals of the rules that read it. */
  private final Object[][] edges;
  private final long[] lowest;
  private final long[] highest;
  private final Rule[] rules;
  private final int[][] ruleFieldIndexes;
  private final List<SchemaMalformation> malformations;
  private final int[] requiredToDrop;
  private final double duplicateBelow;
  private final double malformedBelow;
  private final double ruleViolationBelow;
  private final double lateBelow;
  private final long latenessRangeNanos;

  private final JsonBuffer buffer = new JsonBuffer();
  private final GeneratedRecord[] recentEvents = new GeneratedRecord[DUPLICATE_MEMORY];
  private int recentCount;
  private int recentNext;
  private long idCounter;
  private long malformedCount;
  private long wrongTypeCount;
  private long outOfRangeCount;
  private long missingCount;
  private long ruleCount;
  private long notAnObjectCount;

  /** @param zone the zone the pipeline reads timestamps without an offset in ({@link EventLimits#zone()}) */
  public SchemaEventGenerator(Domain domain, GeneratorConfig config, ZoneId zone) {
    this.domain = requireNonNull(domain, "domain is null");
    this.config = requireNonNull(config, "config is null");
    this.zone = requireNonNull(zone, "zone is null");
    this.schema = domain.schema();
    this.fields = schema.fields().toArray(EventField[]::new);
    this.names = Arrays.stream(fields).map(f -> (new String(JsonBuffer.quoted(f.name()), StandardCharsets.UTF_8) + ":")
        .getBytes(StandardCharsets.UTF_8)).toArray(byte[][]::new);
    SplittableRandom root = new SplittableRandom(config.seed());
    SplittableRandom setup = root.split();
    this.random = root.split();
    this.uuids = new TimeUuidSequence(config.seed());
    this.idReader = new EventDecoder(schema, new EventLimits(zone, Duration.ofDays(365L * 1000), Integer.MAX_VALUE, Integer.MAX_VALUE));
    this.idIndex = schema.id().hashed() ? -1 : schema.indexOf(schema.id().field());
    this.timeIndex = schema.indexOf(schema.time().field());
    this.partitionKeyIndexes = schema.partitionKey().stream().mapToInt(schema::indexOf).toArray();
    this.hashIndexes = schema.id().hashOf().stream().mapToInt(schema::indexOf).toArray();
    this.rules = schema.rules().toArray(Rule[]::new);
    this.ruleFieldIndexes = new int[rules.length][];
    for (int r = 0; r < rules.length; r++) {
      Set<String> names = new LinkedHashSet<>(rules[r].require().fields());
      names.addAll(rules[r].when().fields());
      ruleFieldIndexes[r] = names.stream().mapToInt(schema::indexOf).toArray();
    }

    this.omittable = new boolean[fields.length];
    this.lowest = new long[fields.length];
    this.highest = new long[fields.length];
    for (int i = 0; i < fields.length; i++) {
      omittable[i] = !fields[i].required() && i != idIndex && i != timeIndex;
      bounds(i);
    }
    this.edges = new Object[fields.length][];
    for (int i = 0; i < fields.length; i++) {
      edges[i] = edgeValues(i);
    }
    this.pools = new Object[fields.length][];
    for (int i = 0; i < fields.length; i++) {
      pools[i] = pool(i, setup);
    }

    List<Integer> required = new ArrayList<>();
    for (int i = 0; i < fields.length; i++) {
      boolean filledByCollector = (i == idIndex && schema.id().collectorAssigns())
          || (i == timeIndex && schema.time().arrivalWhenMissing());
      if ((fields[i].required() || i == idIndex || i == timeIndex) && !filledByCollector) required.add(i);
    }
    this.requiredToDrop = required.stream().mapToInt(Integer::intValue).toArray();
    List<SchemaMalformation> kinds = new ArrayList<>(List.of(SchemaMalformation.BROKEN_JSON,
        SchemaMalformation.NOT_AN_OBJECT, SchemaMalformation.WRONG_TYPE, SchemaMalformation.OUT_OF_RANGE));
    if (requiredToDrop.length > 0) kinds.add(SchemaMalformation.MISSING_FIELD);
    if (schema.unknownFields() == UnknownFields.REFUSE) kinds.add(SchemaMalformation.UNKNOWN_FIELD);
    if (rules.length > 0) kinds.add(SchemaMalformation.RULE_BROKEN);
    this.malformations = List.copyOf(kinds);

    this.duplicateBelow = config.duplicateRatio();
    this.malformedBelow = duplicateBelow + config.malformedRatio();
    this.ruleViolationBelow = malformedBelow + (rules.length > 0 ? config.ruleViolationRatio() : 0);
    this.lateBelow = ruleViolationBelow + config.lateRatio();
    this.latenessRangeNanos = config.maxLateness().toNanos() - NANOS_PER_SECOND;
  }

  @Override
  public GeneratorConfig config() {
    return config;
  }

  public Domain domain() {
    return domain;
  }

  /** The kinds of malformed records this domain's schema allows, in the order they are cycled through. */
  public List<SchemaMalformation> malformations() {
    return malformations;
  }

  @Override
  public GeneratedRecord next(Instant now) {
    requireNonNull(now, "now is null");
    double kindDraw = random.nextDouble();
    if (kindDraw < duplicateBelow) {
      if (recentCount > 0) {
        GeneratedRecord original = recentEvents[random.nextInt(recentCount)];
        return new GeneratedRecord(original.key(), original.value().clone(), GeneratedRecord.Kind.DUPLICATE);
      }
    } else if (kindDraw < malformedBelow) {
      return malformed(now);
    } else if (kindDraw < ruleViolationBelow) {
      return malformed(now, SchemaMalformation.RULE_BROKEN);
    } else if (kindDraw < lateBelow) {
      long latenessNanos = NANOS_PER_SECOND + random.nextLong(latenessRangeNanos + 1);
      return remember(valid(now.minusNanos(latenessNanos)), GeneratedRecord.Kind.LATE);
    }
    return remember(valid(now), GeneratedRecord.Kind.VALID);
  }

  private GeneratedRecord remember(Draft draft, GeneratedRecord.Kind kind) {
    byte[] value = write(draft, -1, null, null);
    GeneratedRecord record = new GeneratedRecord(key(draft, value), value, kind);
    recentEvents[recentNext] = record;
    recentNext = (recentNext + 1) % DUPLICATE_MEMORY;
    recentCount = Math.min(recentCount + 1, DUPLICATE_MEMORY);
    return record;
  }

  // ---- valid events ----

  /** One event's values as the decoder would read them back, with what is sent for each field. */
  private static final class Draft {
    final Object[] values;
    final byte[] sent;
    final TimeFormat[] formats;

    Draft(int size) {
      values = new Object[size];
      sent = new byte[size];
      formats = new TimeFormat[size];
    }
  }

  /**
   * A valid event at about {@code eventTime}. With an id hashed from fields, equal values are one event to the
   * pipeline: an event that would repeat a recent one's values is drawn again, a millisecond earlier each time, so
   * that only the records made as duplicates are duplicates (unless the domain's fields leave too few combinations).
   */
  private Draft valid(Instant eventTime) {
    for (int attempt = 0; ; attempt++) {
      Draft draft = keepingRules(eventTime.minusMillis(attempt));
      if (hashIndexes.length == 0 || attempt >= ATTEMPTS_PER_HASHED_ID) return draft;
      Object[] hashed = new Object[hashIndexes.length];
      for (int h = 0; h < hashIndexes.length; h++) hashed[h] = draft.values[hashIndexes[h]];
      if (recentHashedIds.add(Arrays.asList(hashed))) return draft;
    }
  }

  private Draft keepingRules(Instant eventTime) {
    long eventMillis = eventTime.toEpochMilli();
    Draft draft = new Draft(fields.length);
    for (int i = 0; i < fields.length; i++) {
      draw(draft, i, eventMillis, false);
    }
    for (int attempt = 0; ; attempt++) {
      int broken = firstBrokenRule(draft.values);
      if (broken < 0) return draft;
      if (attempt >= ATTEMPTS_PER_RULE * rules.length) {
        throw new IllegalStateException("Cannot generate an event of domain '" + domain.name() + "' that satisfies rule '"
            + rules[broken].name() + "' (" + rules[broken].message() + "): the fields' declared ranges and values seem "
            + "to leave no event that keeps every rule. Check the rules of " + domain.origin());
      }
      // Re-draw what the broken rule reads; every other try from the values worth trying (bounds, the rules' literals).
      for (int i : ruleFieldIndexes[broken]) {
        if (i != idIndex && i != timeIndex) draw(draft, i, eventMillis, attempt % 2 == 1);
      }
    }
  }

  private int firstBrokenRule(Object[] values) {
    for (int r = 0; r < rules.length; r++) {
      if (rules[r].when().test(values) && !rules[r].require().test(values)) return r;
    }
    return -1;
  }

  /**
   * Draws field {@code i} into {@code draft}.
   *
   * @param edgy whether to pick from the field's edge values (bounds, literals of rules, left out) rather than its
   *     usual distribution: how a rule is met or broken on purpose
   */
  private void draw(Draft draft, int i, long eventMillis, boolean edgy) {
    EventField field = fields[i];
    if (omittable[i] && random.nextDouble() < (edgy ? 0.25 : config.nullFieldRatio())) {
      draft.values[i] = null;
      draft.sent[i] = field.nullIsMissing() && random.nextBoolean() ? NULL : ABSENT;
      return;
    }
    draft.sent[i] = SENT;
    if (field.type() == FieldType.TIMESTAMP) {
      TimeFormat format = field.formats().get(random.nextInt(field.formats().size()));
      draft.formats[i] = format;
      long millis = i == timeIndex ? eventMillis : eventMillis - random.nextLong(OTHER_TIMES_SPAN_MILLIS);
      draft.values[i] = asSent(millis, format);
      return;
    }
    if (i == idIndex) {
      draft.values[i] = uniqueId(field, eventMillis);
      return;
    }
    Object[] candidates = edgy && edges[i].length > 0 ? edges[i] : pools[i];
    if (candidates != null) {
      // Skewed towards the front: some partition keys and words are much more common than others.
      double u = random.nextDouble();
      draft.values[i] = candidates[edgy ? random.nextInt(candidates.length) : (int) (candidates.length * u * u)];
      return;
    }
    draft.values[i] = switch (field.type()) {
      case INTEGER, DECIMAL -> lowest[i] + random.nextLong(highest[i] - lowest[i] + 1);
      case BOOLEAN -> random.nextBoolean();
      case ENUM -> field.values().get(random.nextInt(field.values().size()));
      default -> throw new IllegalStateException("no pool for " + field.type() + " field " + field.name());
    };
  }

  /** The event time as the decoder reads it back from {@code format}: whole seconds where the format has no millis. */
  private long asSent(long millis, TimeFormat format) {
    return switch (format) {
      case EPOCH_MILLIS, ISO_8601 -> millis;
      case EPOCH_SECONDS -> Math.floorDiv(millis, 1000) * 1000;
      case LOCAL -> {
        LocalDateTime local = LocalDateTime.ofInstant(Instant.ofEpochMilli(millis), zone).truncatedTo(ChronoUnit.SECONDS);
        yield local.atZone(zone).toInstant().toEpochMilli();
      }
    };
  }

  private Object uniqueId(EventField field, long eventMillis) {
    long sequence = idCounter++;
    return switch (field.type()) {
      case INTEGER, DECIMAL -> lowest[idIndex] + sequence; // unscaled for decimals: whole units at scale 0
      case TEXT, ANY -> {
        int max = field.maxLength() > 0 ? field.maxLength() : Integer.MAX_VALUE;
        yield max >= 36 ? uuids.next(Instant.ofEpochMilli(eventMillis)).toString()
            : Long.toString(config.seed() & 0xFFFF, 36) + "-" + Long.toString(sequence, 36);
      }
      default -> throw new IllegalStateException("an id field of type " + field.type() + " cannot be unique");
    };
  }

  // ---- set-up: ranges, pools and edge values ----

  /** Integer and decimal fields: the range drawn from, unscaled for decimals. */
  private void bounds(int i) {
    EventField field = fields[i];
    if (field.type() != FieldType.INTEGER && field.type() != FieldType.DECIMAL) return;
    BigDecimal unit = BigDecimal.ONE.movePointLeft(field.scale());
    // The decoder bounds |value × 10^scale| below 9e18; stay well inside.
    BigDecimal limit = BigDecimal.valueOf(1_000_000_000_000_000L).movePointLeft(field.scale());
    BigDecimal min = field.min() == null ? null : field.min().max(limit.negate());
    BigDecimal max = field.max() == null ? null : field.max().min(limit);
    BigDecimal span = BigDecimal.valueOf(UNBOUNDED_SPAN);
    if (min == null && max == null) min = BigDecimal.ZERO;
    if (min == null) min = max.subtract(span);
    if (max == null) max = min.add(span);
    lowest[i] = min.setScale(field.scale(), RoundingMode.CEILING).unscaledValue().longValueExact();
    highest[i] = max.setScale(field.scale(), RoundingMode.FLOOR).unscaledValue().longValueExact();
    if (highest[i] < lowest[i]) {
      throw new IllegalStateException("field '" + field.name() + "' of domain '" + domain.name() + "' has no value at "
          + "scale " + field.scale() + " between " + field.min() + " and " + field.max() + " (unit " + unit + ")");
    }
  }

  private Object[] pool(int i, SplittableRandom setup) {
    EventField field = fields[i];
    boolean partitionKey = Arrays.stream(partitionKeyIndexes).anyMatch(k -> k == i);
    return switch (field.type()) {
      case TEXT, ANY -> {
        Set<Object> words = new LinkedHashSet<>(Arrays.asList(literalsOfRules(field, true)));
        int size = partitionKey ? PARTITION_KEY_VALUES : TEXT_VOCABULARY;
        for (int tries = 0; words.size() < size && tries < size * 20; tries++) words.add(word(field, setup));
        yield shuffled(words.toArray(), setup);
      }
      case INTEGER, DECIMAL -> {
        if (!partitionKey) yield null;
        Set<Object> values = new LinkedHashSet<>();
        for (int tries = 0; values.size() < PARTITION_KEY_VALUES && tries < 100; tries++) {
          values.add(lowest[i] + setup.nextLong(highest[i] - lowest[i] + 1));
        }
        yield values.toArray();
      }
      default -> null;
    };
  }

  private Object[] edgeValues(int i) {
    EventField field = fields[i];
    Set<Object> values = new LinkedHashSet<>();
    switch (field.type()) {
      case INTEGER, DECIMAL -> {
        values.add(lowest[i]);
        values.add(highest[i]);
        if (lowest[i] <= 0 && highest[i] >= 0) values.add(0L);
        for (Object literal : literalsOfRules(field, false)) {
          BigDecimal number = ((BigDecimal) literal).setScale(field.scale(), RoundingMode.HALF_UP);
          long unscaled = number.unscaledValue().longValue();
          for (long v = unscaled - 1; v <= unscaled + 1; v++) {
            if (v >= lowest[i] && v <= highest[i]) values.add(v);
          }
        }
      }
      case BOOLEAN -> values.addAll(List.of(true, false));
      case ENUM -> values.addAll(field.values());
      case TEXT, ANY -> values.addAll(Arrays.asList(literalsOfRules(field, true)));
      default -> { }
    }
    return values.toArray();
  }

  /**
   * The literals the domain's rules compare this field with: quoted texts that fit the field ({@code text}) or numbers.
   * Read from the conditions' text, since a rule that names a value is met or broken with that value.
   */
  private Object[] literalsOfRules(EventField field, boolean text) {
    Set<Object> literals = new LinkedHashSet<>();
    for (Rule rule : rules) {
      for (var condition : List.of(rule.when(), rule.require())) {
        if (!condition.fields().contains(field.name())) continue;
        String source = condition.text();
        if (text) {
          Matcher m = QUOTED.matcher(source);
          while (m.find()) {
            String value = m.group(1).replace("''", "'");
            if (field.maxLength() <= 0 || value.length() <= field.maxLength()) literals.add(value);
          }
        } else {
          Matcher m = NUMBER.matcher(QUOTED.matcher(source).replaceAll("''"));
          while (m.find()) literals.add(new BigDecimal(m.group()));
        }
      }
    }
    return literals.toArray();
  }

  private static String word(EventField field, SplittableRandom setup) {
    int longest = field.maxLength() > 0 ? Math.min(field.maxLength(), LONGEST_WORD) : LONGEST_WORD;
    int length = Math.max(1, Math.min(longest, 2 + setup.nextInt(longest)));
    StringBuilder word = new StringBuilder(length);
    for (int c = 0; c < length; c++) word.append((char) ('a' + setup.nextInt(26)));
    return word.toString();
  }

  private static Object[] shuffled(Object[] items, SplittableRandom setup) {
    for (int i = items.length - 1; i > 0; i--) {
      int j = setup.nextInt(i + 1);
      Object swap = items[i];
      items[i] = items[j];
      items[j] = swap;
    }
    return items;
  }

  // ---- writing ----

  /**
   * The draft as JSON, in the schema's field order.
   *
   * @param replaced a field whose value is written as {@code replacement} instead (left out when that is null), or -1
   * @param extraName a field to add at the end with the id's value, or null
   */
  private byte[] write(Draft draft, int replaced, byte[] replacement, String extraName) {
    buffer.reset();
    buffer.raw((byte) '{');
    boolean first = true;
    for (int i = 0; i < fields.length; i++) {
      if (i == replaced ? replacement == null : draft.sent[i] == ABSENT) continue;
      if (!first) buffer.raw((byte) ',');
      first = false;
      buffer.raw(names[i]);
      if (i == replaced) {
        buffer.raw(replacement);
      } else if (draft.sent[i] == NULL) {
        buffer.raw(JsonBuffer.NULL);
      } else {
        writeValue(i, draft, buffer);
      }
    }
    if (extraName != null) {
      if (!first) buffer.raw((byte) ',');
      buffer.raw(JsonBuffer.quoted(extraName));
      buffer.raw((byte) ':');
      buffer.raw(JsonBuffer.quoted("?"));
    }
    buffer.raw((byte) '}');
    return buffer.toByteArray();
  }

  private void writeValue(int i, Draft draft, JsonBuffer out) {
    EventField field = fields[i];
    Object value = draft.values[i];
    switch (field.type()) {
      case INTEGER -> out.number((Long) value);
      case DECIMAL -> out.raw(JsonBuffer.ascii(BigDecimal.valueOf((Long) value, field.scale()).toPlainString()));
      case BOOLEAN -> out.bool((Boolean) value);
      case TEXT, ENUM, ANY -> out.raw(JsonBuffer.quoted((String) value));
      case TIMESTAMP -> out.raw(timestamp((Long) value, draft.formats[i]));
    }
  }

  private byte[] timestamp(long millis, TimeFormat format) {
    Instant instant = Instant.ofEpochMilli(millis);
    return switch (format) {
      case EPOCH_MILLIS -> JsonBuffer.ascii(Long.toString(millis));
      case EPOCH_SECONDS -> JsonBuffer.ascii(Long.toString(Math.floorDiv(millis, 1000)));
      case ISO_8601 -> JsonBuffer.quoted(instant.toString());
      case LOCAL -> JsonBuffer.quoted(LOCAL_TIME.format(LocalDateTime.ofInstant(instant, zone)));
    };
  }

  /**
   * The Kafka key: the first partition-key field that has a value, as text; else the event id (read back with the
   * decoder when it is a hash of fields).
   */
  private String key(Draft draft, byte[] value) {
    for (int i : partitionKeyIndexes) {
      Object v = draft.values[i];
      if (v != null) {
        return fields[i].type() == FieldType.DECIMAL ? BigDecimal.valueOf((Long) v, fields[i].scale()).toPlainString()
            : String.valueOf(v);
      }
    }
    if (idIndex >= 0) return String.valueOf(draft.values[idIndex]);
    DecodeResult read = idReader.decode(value, Long.MAX_VALUE / 4);
    if (read instanceof DecodeResult.Accepted accepted) return accepted.event().id();
    throw new IllegalStateException("generated an event of domain '" + domain.name() + "' its own definition rejects: "
        + ((DecodeResult.Rejected) read).message() + ": " + new String(value, StandardCharsets.UTF_8));
  }

  // ---- malformed records ----

  /** A bad record of the next kind in the cycle of {@link #malformations()}. */
  GeneratedRecord malformed(Instant now) {
    return malformed(now, malformations.get((int) (malformedCount++ % malformations.size())));
  }

  private GeneratedRecord malformed(Instant now, SchemaMalformation kind) {
    Draft draft = valid(now);
    String key = key(draft, write(draft, -1, null, null));
    byte[] value = switch (kind) {
      case BROKEN_JSON -> {
        // Cut right after a '{', ',' or ':', so that what is left is an unfinished object, never a shorter value.
        byte[] whole = write(draft, -1, null, null);
        List<Integer> cuts = new ArrayList<>();
        for (int at = 1; at < whole.length - 1; at++) {
          byte b = whole[at - 1];
          if (b == '{' || b == ',' || b == ':') cuts.add(at);
        }
        yield Arrays.copyOf(whole, cuts.get(random.nextInt(cuts.size())));
      }
      case NOT_AN_OBJECT -> notAnObject(draft);
      case WRONG_TYPE -> {
        int i = (int) (wrongTypeCount++ % fields.length);
        yield write(draft, i, wrongType(fields[i]), null);
      }
      case OUT_OF_RANGE -> outOfRange(draft);
      case MISSING_FIELD -> write(draft, requiredToDrop[(int) (missingCount++ % requiredToDrop.length)], null, null);
      case UNKNOWN_FIELD -> write(draft, -1, null, unknownFieldName());
      case RULE_BROKEN -> {
        Draft breaking = breakingRule(draft, now, (int) (ruleCount++ % rules.length));
        // A rule no drawn event could break: the record is still bad input, only of another kind.
        yield breaking == null ? outOfRange(draft) : write(breaking, -1, null, null);
      }
    };
    return new GeneratedRecord(key, value, GeneratedRecord.Kind.MALFORMED);
  }

  private byte[] notAnObject(Draft draft) {
    byte[] event = write(draft, -1, null, null);
    return switch ((int) (notAnObjectCount++ % 3)) {
      case 0 -> {
        byte[] array = new byte[event.length + 2];
        array[0] = '[';
        System.arraycopy(event, 0, array, 1, event.length);
        array[array.length - 1] = ']';
        yield array;
      }
      case 1 -> JsonBuffer.quoted(new String(event, StandardCharsets.UTF_8)); // JSON-encoded twice
      default -> JsonBuffer.NULL.clone();
    };
  }

  private static byte[] wrongType(EventField field) {
    return JsonBuffer.ascii(switch (field.type()) {
      case INTEGER, DECIMAL -> "\"not a number\"";
      case TEXT, ENUM -> "12345";
      case BOOLEAN -> "\"yes\"";
      case TIMESTAMP -> "true";
      case ANY -> "{\"nested\":true}";
    });
  }

  /** A value outside a field's declared range, cycling over the fields that have one (every timestamp has one). */
  private byte[] outOfRange(Draft draft) {
    List<Integer> candidates = new ArrayList<>();
    for (int i = 0; i < fields.length; i++) {
      if (outOfRangeValue(fields[i]) != null) candidates.add(i);
    }
    int i = candidates.get((int) (outOfRangeCount++ % candidates.size()));
    return write(draft, i, outOfRangeValue(fields[i]), null);
  }

  private static byte[] outOfRangeValue(EventField field) {
    return switch (field.type()) {
      case INTEGER, DECIMAL -> field.max() != null ? JsonBuffer.ascii(field.max().add(BigDecimal.ONE).toPlainString())
          : field.min() != null ? JsonBuffer.ascii(field.min().subtract(BigDecimal.ONE).toPlainString()) : null;
      case ENUM -> {
        String value = "not-" + field.values().get(0);
        while (field.values().contains(value)) value = "not-" + value;
        yield JsonBuffer.quoted(value);
      }
      case TEXT -> field.maxLength() > 0 ? JsonBuffer.quoted("x".repeat(field.maxLength() + 1)) : null;
      // Before 2000: an unset clock.
      case TIMESTAMP -> switch (field.formats().get(0)) {
        case LOCAL -> JsonBuffer.quoted("1999-12-31 00:00:00");
        case ISO_8601 -> JsonBuffer.quoted("1999-12-31T00:00:00Z");
        case EPOCH_MILLIS, EPOCH_SECONDS -> JsonBuffer.ascii("0");
      };
      default -> null;
    };
  }

  private String unknownFieldName() {
    String name = fields[0].name() + "_unknown";
    while (schema.indexOf(name) >= 0) name = name + "_";
    return name;
  }

  /** An otherwise valid event for which rule {@code r} applies but does not hold, or null when none is found. */
  private Draft breakingRule(Draft draft, Instant now, int r) {
    Rule rule = rules[r];
    long eventMillis = now.toEpochMilli();
    for (int attempt = 0; attempt < ATTEMPTS_PER_RULE; attempt++) {
      for (int i : ruleFieldIndexes[r]) {
        if (i != idIndex && i != timeIndex) draw(draft, i, eventMillis, attempt % 4 != 3);
      }
      if (rule.when().test(draft.values) && !rule.require().test(draft.values)) return draft;
    }
    return null;
  }
}
