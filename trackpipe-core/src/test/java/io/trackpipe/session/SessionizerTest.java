package io.trackpipe.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.trackpipe.session.SessionFigures.Page;
import io.trackpipe.session.SessionFigures.Session;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SessionizerTest {
  private static final ZoneId ZONE = ZoneId.of("Asia/Ho_Chi_Minh");
  private static final Sessionizer SESSIONS = new Sessionizer(Duration.ofMinutes(30), ZONE);
  private static final LocalDate DAY = LocalDate.of(2026, 12, 5);
  /** 10:00 local on DAY. */
  private static final long TEN = DAY.atTime(10, 0).atZone(ZONE).toInstant().toEpochMilli();
  private static final long MINUTE = 60_000;

  private static PageView view(String user, long time, String id, String page) {
    return new PageView(user, time, id, page, List.of("VN"));
  }

  private static long[] page(SessionFigures f, String page, LocalDate day) {
    return f.pages().get(List.of(page, day));
  }

  private static long[] sessions(SessionFigures f, LocalDate day) {
    return f.sessions().get(List.of(day, "VN"));
  }

  @Test
  void aViewExactlyTheGapLaterStaysInTheSessionAndOneMillisecondMoreStartsANewOne() {
    List<PageView> exactly = List.of(view("u", TEN, "a", "/a"), view("u", TEN + 30 * MINUTE, "b", "/b"));
    assertThat(SESSIONS.sessions(exactly)).hasSize(1);
    SessionFigures f = SESSIONS.figures(exactly);
    assertThat(sessions(f, DAY)).containsExactly(1, 2, 0, 30 * MINUTE);
    assertThat(page(f, "/a", DAY)).containsExactly(1, 1, 30 * MINUTE, 1, 0);
    assertThat(page(f, "/b", DAY)).containsExactly(1, 0, 0, 0, 1);

    List<PageView> over = List.of(view("u", TEN, "a", "/a"), view("u", TEN + 30 * MINUTE + 1, "b", "/b"));
    assertThat(SESSIONS.sessions(over)).hasSize(2);
    SessionFigures g = SESSIONS.figures(over);
    assertThat(sessions(g, DAY)).containsExactly(2, 2, 2, 0);
    assertThat(page(g, "/a", DAY)).containsExactly(1, 0, 0, 1, 1);
  }

  @Test
  void localMidnightEndsASessionAndEachDayKeysItsOwnSessions() {
    long beforeMidnight = DAY.plusDays(1).atStartOfDay(ZONE).toInstant().toEpochMilli() - MINUTE;
    List<PageView> views = List.of(view("u", beforeMidnight, "a", "/a"), view("u", beforeMidnight + 2 * MINUTE, "b", "/b"));
    assertThat(SESSIONS.sessions(views)).hasSize(2);
    SessionFigures f = SESSIONS.figures(views);
    assertThat(sessions(f, DAY)).containsExactly(1, 1, 1, 0);
    assertThat(sessions(f, DAY.plusDays(1))).containsExactly(1, 1, 1, 0);
    assertThat(page(f, "/a", DAY)).containsExactly(1, 0, 0, 1, 1);
    assertThat(page(f, "/b", DAY.plusDays(1))).containsExactly(1, 0, 0, 1, 1);
  }

  @Test
  void viewsAtTheSameMillisecondAreOrderedByEventId() {
    List<PageView> views = List.of(view("u", TEN, "b", "/second"), view("u", TEN, "a", "/first"), view("u", TEN + MINUTE, "c", "/third"));
    assertThat(SESSIONS.sessions(views).get(0).views()).extracting(PageView::page).containsExactly("/first", "/second", "/third");
    SessionFigures f = SESSIONS.figures(views);
    assertThat(page(f, "/first", DAY)).containsExactly(1, 1, 0, 1, 0);
    assertThat(page(f, "/second", DAY)).containsExactly(1, 1, MINUTE, 0, 0);
  }

  @Test
  void theOrderViewsArriveInDoesNotMatter() {
    List<PageView> views = new ArrayList<>(List.of(view("u", TEN, "a", "/a"), view("u", TEN + 5 * MINUTE, "b", "/b"),
        view("u", TEN + 50 * MINUTE, "c", "/c"), view("v", TEN + MINUTE, "d", "/a")));
    SessionFigures inOrder = SESSIONS.figures(views);
    Collections.reverse(views);
    assertThat(SESSIONS.figures(views)).isEqualTo(inOrder);
  }

  @Test
  void aSessionOfOneViewIsABounceWithNoTimeOnPage() {
    SessionFigures f = SESSIONS.figures(List.of(view("u", TEN, "a", "/a")));
    assertThat(sessions(f, DAY)).containsExactly(1, 1, 1, 0);
    assertThat(page(f, "/a", DAY)).containsExactly(1, 0, 0, 1, 1);
  }

  @Test
  void theDimensionsOfASessionAreThoseOfItsFirstView() {
    SessionFigures f = SESSIONS.figures(List.of(new PageView("u", TEN + MINUTE, "b", "/b", List.of("US")),
        new PageView("u", TEN, "a", "/a", List.of("VN"))));
    assertThat(f.sessions()).containsOnlyKeys(List.of(DAY, "VN"));
  }

  @Test
  void aLateViewInTheMiddleOfASessionMovesTimeOnPageFromTheViewBeforeIt() {
    List<PageView> stored = List.of(view("u", TEN, "a", "/a"), view("u", TEN + 20 * MINUTE, "c", "/c"));
    PageView late = view("u", TEN + 5 * MINUTE, "b", "/b");
    SessionFigures change = SESSIONS.change(stored, List.of(late));
    // /a's time on page shrinks from 20 to 5 minutes; /b gets 15; one more pageview in the same session.
    assertThat(page(change, "/a", DAY)).containsExactly(0, 0, -15 * MINUTE, 0, 0);
    assertThat(page(change, "/b", DAY)).containsExactly(1, 1, 15 * MINUTE, 0, 0);
    assertThat(change.pages()).doesNotContainKey(List.of("/c", DAY));
    assertThat(sessions(change, DAY)).containsExactly(0, 1, 0, 0);
    assertThat(new SessionFigures().add(SESSIONS.figures(stored), 1).add(change, 1))
        .isEqualTo(SESSIONS.figures(List.of(stored.get(0), late, stored.get(1))));
  }

  @Test
  void aLateViewBridgingTwoSessionsMergesThemIntoOne() {
    List<PageView> stored = List.of(view("u", TEN, "a", "/a"), view("u", TEN + 50 * MINUTE, "c", "/c"));
    assertThat(sessions(SESSIONS.figures(stored), DAY)).containsExactly(2, 2, 2, 0);
    SessionFigures change = SESSIONS.change(stored, List.of(view("u", TEN + 25 * MINUTE, "b", "/b")));
    // Two bounces become one session of three views lasting 50 minutes.
    assertThat(sessions(change, DAY)).containsExactly(-1, 1, -2, 50 * MINUTE);
    assertThat(page(change, "/a", DAY)).containsExactly(0, 1, 25 * MINUTE, 0, -1);
    assertThat(page(change, "/c", DAY)).containsExactly(0, 0, 0, -1, 0);
    assertThat(page(change, "/b", DAY)).containsExactly(1, 1, 25 * MINUTE, 0, 0);
  }

  @Test
  void changesOfAnySplitIntoBatchesAddUpToTheFiguresOfAllViewsAtOnce() {
    Random random = new Random(7);
    for (int round = 0; round < 200; round++) {
      List<PageView> views = new ArrayList<>();
      int n = 1 + random.nextInt(40);
      for (int i = 0; i < n; i++) {
        // Three users over about 3 hours around midnight, gaps from 0 to 40 minutes, a few equal times.
        long time = TEN + 13 * 60 * MINUTE + random.nextInt(180) * MINUTE + (random.nextBoolean() ? 0 : random.nextInt(1000));
        views.add(new PageView("u" + random.nextInt(3), time, "e" + i, "/p" + random.nextInt(4), List.of("c" + random.nextInt(2))));
      }
      SessionFigures all = SESSIONS.figures(views);
      Collections.shuffle(views, random);
      List<PageView> stored = new ArrayList<>();
      SessionFigures total = new SessionFigures();
      int from = 0;
      while (from < views.size()) {
        int to = Math.min(views.size(), from + 1 + random.nextInt(8));
        List<PageView> batch = views.subList(from, to);
        total.add(SESSIONS.change(stored, batch), 1);
        stored.addAll(batch);
        from = to;
      }
      assertThat(total).as("round %d", round).isEqualTo(all);
    }
  }

  @Test
  void theDateIsTheLocalDateOfTheZone() {
    long utcEvening = Instant.parse("2026-12-05T18:00:00Z").toEpochMilli();
    assertThat(SESSIONS.date(utcEvening)).isEqualTo(DAY.plusDays(1));
    assertThat(Page.values()).hasSize(5);
    assertThat(Session.values()).hasSize(4);
  }
}
