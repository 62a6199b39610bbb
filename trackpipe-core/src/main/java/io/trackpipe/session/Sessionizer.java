package io.trackpipe.session;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Cuts page views into sessions and measures them; pure, so the stream, the batch path and tests share it.
 *
 * <p>A user's views, sorted by time then event id: a view more than {@code gap} after the previous one, or on another
 * local day (in {@code zone}), starts a new session. A view's time on page is the next view's time in its session
 * minus its own; the session's last view (its exit) has none. A session of one view is a bounce; its duration is its
 * last view's time minus its first's.
 */
public final class Sessionizer {
  private final long gapMillis;
  private final ZoneId zone;

  public Sessionizer(Duration gap, ZoneId zone) {
    requireNonNull(gap, "gap is null");
    this.zone = requireNonNull(zone, "zone is null");
    this.gapMillis = gap.toMillis();
  }

  /** One session: a user's consecutive views, in order. */
  public record Session(List<PageView> views) {
    public Session {
      views = List.copyOf(views);
      if (views.isEmpty()) throw new IllegalArgumentException("a session has at least one view");
    }

    public PageView first() {
      return views.get(0);
    }

    public PageView last() {
      return views.get(views.size() - 1);
    }

    public long durationMillis() {
      return last().timeMillis() - first().timeMillis();
    }

    public boolean bounce() {
      return views.size() == 1;
    }
  }

  /** Every user's sessions, in each user's order; {@code views} may be in any order and mix users. */
  public List<Session> sessions(Collection<PageView> views) {
    Map<String, List<PageView>> byUser = new LinkedHashMap<>();
    for (PageView v : views) byUser.computeIfAbsent(v.user(), u -> new ArrayList<>()).add(v);
    List<Session> sessions = new ArrayList<>();
    for (List<PageView> ofUser : byUser.values()) {
      ofUser.sort(null);
      List<PageView> current = new ArrayList<>();
      for (PageView v : ofUser) {
        if (!current.isEmpty() && startsSession(current.get(current.size() - 1), v)) {
          sessions.add(new Session(current));
          current = new ArrayList<>();
        }
        current.add(v);
      }
      if (!current.isEmpty()) sessions.add(new Session(current));
    }
    return sessions;
  }

  /** What {@code views} contribute to the two tables. */
  public SessionFigures figures(Collection<PageView> views) {
    SessionFigures figures = new SessionFigures();
    for (Session session : sessions(views)) {
      LocalDate date = date(session.first().timeMillis());
      List<Object> key = new ArrayList<>();
      key.add(date);
      key.addAll(session.first().dimensions());
      List<Object> sessionKey = List.copyOf(key);
      figures.addSession(sessionKey, SessionFigures.Session.SESSIONS, 1);
      figures.addSession(sessionKey, SessionFigures.Session.PAGEVIEWS, session.views().size());
      figures.addSession(sessionKey, SessionFigures.Session.BOUNCES, session.bounce() ? 1 : 0);
      figures.addSession(sessionKey, SessionFigures.Session.DURATION_MILLIS, session.durationMillis());
      List<PageView> ordered = session.views();
      for (int i = 0; i < ordered.size(); i++) {
        PageView v = ordered.get(i);
        figures.addPage(v.page(), date, SessionFigures.Page.VIEWS, 1);
        if (i == 0) figures.addPage(v.page(), date, SessionFigures.Page.ENTRANCES, 1);
        if (i == ordered.size() - 1) {
          figures.addPage(v.page(), date, SessionFigures.Page.EXITS, 1);
        } else {
          figures.addPage(v.page(), date, SessionFigures.Page.TIMED_VIEWS, 1);
          figures.addPage(v.page(), date, SessionFigures.Page.TIME_ON_PAGE_MILLIS, ordered.get(i + 1).timeMillis() - v.timeMillis());
        }
      }
    }
    return figures;
  }

  /**
   * What adding {@code added} to a user's {@code stored} views changes: the figures of all of them minus those of
   * the stored ones. {@code stored} must hold every stored view of the days the added views fall on (sessions never
   * cross midnight, so other days are unchanged).
   */
  public SessionFigures change(Collection<PageView> stored, Collection<PageView> added) {
    List<PageView> all = new ArrayList<>(stored);
    all.addAll(added);
    return SessionFigures.difference(figures(all), figures(stored));
  }

  /** The local date of an event time: what keys both tables, and where sessions are cut at midnight. */
  public LocalDate date(long timeMillis) {
    return LocalDate.ofInstant(Instant.ofEpochMilli(timeMillis), zone);
  }

  public ZoneId zone() {
    return zone;
  }

  private boolean startsSession(PageView previous, PageView next) {
    return next.timeMillis() - previous.timeMillis() > gapMillis || !date(previous.timeMillis()).equals(date(next.timeMillis()));
  }
}
