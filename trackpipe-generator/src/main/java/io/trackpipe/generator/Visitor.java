package io.trackpipe.generator;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * A person browsing job ads, with the device context trackers report. A visitor keeps one browser, screen and time
 * zone for the whole run, as real users do. Values are pre-encoded JSON literals so that writing an event only copies
 * bytes.
 */
record Visitor(
    byte[] browserName, int colorDepth, boolean mobile, byte[] screen, int timeZoneOffset, byte[] userAgent,
    byte[] userId, byte[] viewport) {

  /** How many distinct visitors a generator draws from. */
  static final int POPULATION = 10_000;

  private record Device(String browser, int[] versions, String userAgentTemplate, boolean mobile, List<String> screens,
      List<String> viewports) {}

  /** {@code %d} is the browser's major version. */
  private static final List<Device> DEVICES = List.of(
      new Device("Chrome", new int[] {118, 119, 120},
          "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/%d.0.0.0 Safari/537.36",
          false, List.of("1920x1080", "1366x768", "2560x1440", "1536x864"), List.of("1280x720", "1366x657", "1903x961")),
      new Device("Chrome Mobile", new int[] {119, 120},
          "Mozilla/5.0 (Linux; Android 13; SM-A536B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/%d.0.0.0 Mobile Safari/537.36",
          true, List.of("412x915", "360x800", "393x873"), List.of("412x780", "360x668", "393x740")),
      new Device("Mobile Safari", new int[] {16, 17},
          "Mozilla/5.0 (iPhone; CPU iPhone OS %d_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1",
          true, List.of("390x844", "414x896", "375x667"), List.of("390x664", "414x715", "375x548")),
      new Device("Firefox", new int[] {119, 120},
          "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:%1$d.0) Gecko/20100101 Firefox/%1$d.0",
          false, List.of("1920x1080", "2560x1440"), List.of("1920x955", "1280x720")),
      new Device("Edge", new int[] {119},
          "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/%1$d.0.0.0 Safari/537.36 Edg/%1$d.0.0.0",
          false, List.of("1920x1080", "1440x900"), List.of("1872x932", "1440x789")),
      new Device("Safari", new int[] {17},
          "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/%d.1 Safari/605.1.15",
          false, List.of("1440x900", "1680x1050", "2560x1600"), List.of("1440x789", "1680x939")));

  /** Desktop and Android visitors are more common than the rest; repeats set the odds. */
  private static final int[] DEVICE_ODDS = {0, 0, 0, 1, 1, 1, 2, 2, 3, 4, 5};

  /** Minutes west of UTC, as JavaScript's getTimezoneOffset reports them; most traffic is from UTC+7. */
  private static final int[] TIME_ZONE_OFFSETS = {-420, -420, -420, -420, -480, -540, -330, -60, 0, 300};

  static List<Visitor> population(SplittableRandom random, int size) {
    List<Visitor> visitors = new ArrayList<>(size);
    for (int i = 0; i < size; i++) {
      Device device = DEVICES.get(DEVICE_ODDS[random.nextInt(DEVICE_ODDS.length)]);
      int version = device.versions()[random.nextInt(device.versions().length)];
      // The trackers' visitor ids look like "1-" + a base-36 random number.
      String userId = "1-" + Long.toString(random.nextLong(36L * 36 * 36 * 36 * 36 * 36 * 36 * 36), 36);
      visitors.add(new Visitor(
          JsonBuffer.quoted(device.browser() + " " + version),
          random.nextInt(4) == 0 ? 32 : 24,
          device.mobile(),
          JsonBuffer.quoted(device.screens().get(random.nextInt(device.screens().size()))),
          TIME_ZONE_OFFSETS[random.nextInt(TIME_ZONE_OFFSETS.length)],
          JsonBuffer.quoted(String.format(Locale.ROOT, device.userAgentTemplate(), version)),
          JsonBuffer.quoted(userId),
          JsonBuffer.quoted(device.viewports().get(random.nextInt(device.viewports().size())))));
    }
    return visitors;
  }
}
