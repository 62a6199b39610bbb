package io.trackpipe.session;

import java.time.LocalDate;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The additive counters of the two session tables, per key: what a set of views contributes, or (signed) the
 * difference between two sets. Times are in milliseconds; the tables store seconds with 3 decimals, so nothing rounds.
 * Not thread-safe; built by one thread.
 */
public final class SessionFigures {
  /** Counters of a pages-table row, keyed by (page, date). */
  public enum Page { VIEWS, TIMED_VIEWS, TIME_ON_PAGE_MILLIS, ENTRANCES, EXITS }

  /** Counters of a sessions-table row, keyed by (date, dimension values…). */
  public enum Session { SESSIONS, PAGEVIEWS, BOUNCES, DURATION_MILLIS }

  private final Map<List<Object>, long[]> pages = new HashMap<>();
  private final Map<List<Object>, long[]> sessions = new HashMap<>();

  /** Counters by (page, date); arrays indexed by {@link Page#ordinal()}. */
  public Map<List<Object>, long[]> pages() {
    return pages;
  }

  /** Counters by (date, dimension values…); arrays indexed by {@link Session#ordinal()}. */
  public Map<List<Object>, long[]> sessions() {
    return sessions;
  }

  void addPage(String page, LocalDate date, Page counter, long amount) {
    pages.computeIfAbsent(List.of(page, date), k -> new long[Page.values().length])[counter.ordinal()] += amount;
  }

  void addSession(List<Object> key, Session counter, long amount) {
    sessions.computeIfAbsent(key, k -> new long[Session.values().length])[counter.ordinal()] += amount;
  }

  /** Adds a pages-table row's counters (indexed by {@link Page#ordinal()}), as a recount over parts does. */
  public void addPageRow(List<Object> key, long[] counters) {
    long[] target = pages.computeIfAbsent(List.copyOf(key), k -> new long[Page.values().length]);
    for (int i = 0; i < target.length; i++) target[i] += counters[i];
  }

  /** Adds a sessions-table row's counters (indexed by {@link Session#ordinal()}). */
  public void addSessionRow(List<Object> key, long[] counters) {
    long[] target = sessions.computeIfAbsent(List.copyOf(key), k -> new long[Session.values().length]);
    for (int i = 0; i < target.length; i++) target[i] += counters[i];
  }

  /** Adds {@code other} times {@code sign} (1 or -1) to these figures. */
  public SessionFigures add(SessionFigures other, int sign) {
    merge(pages, other.pages, sign);
    merge(sessions, other.sessions, sign);
    return this;
  }

  /** {@code after − before}, without the keys whose counters are all unchanged. */
  public static SessionFigures difference(SessionFigures after, SessionFigures before) {
    SessionFigures delta = new SessionFigures().add(after, 1).add(before, -1);
    delta.pages.values().removeIf(SessionFigures::allZero);
    delta.sessions.values().removeIf(SessionFigures::allZero);
    return delta;
  }

  public boolean isEmpty() {
    return pages.isEmpty() && sessions.isEmpty();
  }

  private static void merge(Map<List<Object>, long[]> into, Map<List<Object>, long[]> from, int sign) {
    from.forEach((key, counters) -> {
      long[] target = into.computeIfAbsent(key, k -> new long[counters.length]);
      for (int i = 0; i < counters.length; i++) target[i] += sign * counters[i];
    });
  }

  private static boolean allZero(long[] counters) {
    return Arrays.stream(counters).allMatch(c -> c == 0);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SessionFigures other && sameCounters(pages, other.pages) && sameCounters(sessions, other.sessions);
  }

  @Override
  public int hashCode() {
    return pages.size() * 31 + sessions.size();
  }

  private static boolean sameCounters(Map<List<Object>, long[]> a, Map<List<Object>, long[]> b) {
    Map<List<Object>, long[]> x = new HashMap<>(a);
    Map<List<Object>, long[]> y = new HashMap<>(b);
    x.values().removeIf(SessionFigures::allZero);
    y.values().removeIf(SessionFigures::allZero);
    if (!x.keySet().equals(y.keySet())) return false;
    return x.entrySet().stream().allMatch(e -> Arrays.equals(e.getValue(), y.get(e.getKey())));
  }

  @Override
  public String toString() {
    StringBuilder s = new StringBuilder("pages{");
    pages.forEach((k, v) -> s.append(k).append('=').append(Arrays.toString(v)).append(' '));
    s.append("} sessions{");
    sessions.forEach((k, v) -> s.append(k).append('=').append(Arrays.toString(v)).append(' '));
    return s.append('}').toString();
  }
}
