package io.trackpipe.generator;

import static java.util.Objects.requireNonNull;

import io.trackpipe.domain.Domain;
import io.trackpipe.domain.DomainCatalog;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.PriorityQueue;
import java.util.SplittableRandom;

/**
 * Realistic page views of the built-in web clickstream domain ({@code domains/clickstream.yaml}): visitors (a cookie
 * id with a country and city, a device, an operating system and a browser that fit together) browse a shop's site in
 * visits that enter on a landing page (home, a product found by a search engine, a blog post, a campaign page), walk
 * through it (categories, products, search, the cart → checkout → payment → confirmation funnel, help, account) and
 * leave. Many come back in later visits, between {@link #SHORTEST_RETURN} and {@link #LONGEST_RETURN} after their
 * previous visit ended, so visitors are seen on several days.
 *
 * <p>Time follows the {@code now} given to {@link #next}: a visitor views the next page once the time spent on the
 * page has passed (seconds to minutes, depending on the page), and a call when no visitor is due starts a visit. So
 * at a steady rate (the demo, {@code generate --rate}, or a test's clock) views of one visit are seconds to minutes
 * apart and never more than {@link #SESSION_TIMEOUT}, and visits of one visitor are more than that apart: a 30-minute
 * inactivity rule finds exactly the visits made here. A run without pacing ({@code --rate 0}) calls with nearly the
 * same {@code now}, so views pile up as first views of new visits; at most {@link #OPEN_VISITS} visits stay open.
 *
 * <p>Duplicates, late and malformed records come at the config's ratios as from the other generators: a duplicate is
 * a byte copy of a recent view, a late record the one view of a visit sent up to {@link GeneratorConfig#maxLateness()}
 * late (a phone's tracker that was offline), a malformed record one of the {@link SchemaEventGenerator}'s for this
 * domain (broken JSON, wrong types, values out of range, missing and unknown fields). Now and then a visitor's tracker
 * leaves out the location or the device, or names a device class the site has not seen before (kept as text).
 *
 * <p>Deterministic: equal configs given the same {@code now} values give byte-identical records. Not thread-safe.
 */
public final class ClickstreamEventGenerator implements RecordGenerator {
  /** The site's address; every URL is a page of it. */
  public static final String SITE = "https://www.example-shop.com";
  /** The longest pause within a visit: a longer one ends it (the usual web-analytics inactivity timeout). */
  public static final Duration SESSION_TIMEOUT = Duration.ofMinutes(30);
  /** The shortest time between the end of a visit and the visitor's next one. */
  public static final Duration SHORTEST_RETURN = Duration.ofMinutes(31);
  /** The longest time before a returning visitor comes back. */
  public static final Duration LONGEST_RETURN = Duration.ofDays(4);
  /** The most visits kept open at once; beyond, the visit due first goes on even if its visitor is still reading. */
  static final int OPEN_VISITS = 100_000;
  /** The most visitors waiting to come back; beyond, a visitor who leaves does not return. */
  static final int WAITING_VISITORS = 200_000;
  /** Share of visitors who come back after a visit. */
  static final double RETURNS = 0.55;
  private static final long SHORTEST_DWELL_MILLIS = 2_000;
  private static final long LONGEST_DWELL_MILLIS = Duration.ofMinutes(10).toMillis();
  private static final int DUPLICATE_MEMORY = 4096;
  private static final DateTimeFormatter LOCAL_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

  /** What kind of page a URL is: how long people read it, and where they go from it. */
  enum Page {
    HOME(15), CATEGORY(20), PRODUCT(40), SEARCH(12), BLOG(90), LANDING(30), PRICING(45), ABOUT(30), CONTACT(40),
    HELP(60), CART(25), CHECKOUT(60), PAYMENT(50), CONFIRMATION(20), LOGIN(15), ACCOUNT(30);

    /** Median seconds spent on such a page before the next view. */
    final int medianDwellSeconds;

    Page(int medianDwellSeconds) {
      this.medianDwellSeconds = medianDwellSeconds;
    }
  }

  /** A weighted choice: {@code next} of null means the visitor leaves. */
  private record Step(Page next, int weight) {}

  private static Step to(Page next, int weight) {
    return new Step(next, weight);
  }

  private static Step exit(int weight) {
    return new Step(null, weight);
  }

  /** Where visits start: search engines, links and campaigns bring people to these pages. */
  private static final List<Step> ENTRIES = List.of(to(Page.HOME, 30), to(Page.PRODUCT, 20), to(Page.BLOG, 18),
      to(Page.CATEGORY, 10), to(Page.LANDING, 12), to(Page.SEARCH, 3), to(Page.PRICING, 4), to(Page.HELP, 3));

  /** Where people go from each kind of page, exits included. */
  private static List<Step> steps(Page page) {
    return switch (page) {
      case HOME -> List.of(to(Page.CATEGORY, 35), to(Page.SEARCH, 15), to(Page.PRODUCT, 10), to(Page.BLOG, 5),
          to(Page.PRICING, 5), to(Page.ABOUT, 3), to(Page.LOGIN, 5), exit(22));
      case CATEGORY -> List.of(to(Page.PRODUCT, 55), to(Page.CATEGORY, 10), to(Page.SEARCH, 5), to(Page.HOME, 5), exit(25));
      case PRODUCT -> List.of(to(Page.PRODUCT, 25), to(Page.CART, 12), to(Page.CATEGORY, 15), to(Page.SEARCH, 5),
          to(Page.HOME, 3), exit(40));
      case SEARCH -> List.of(to(Page.PRODUCT, 55), to(Page.SEARCH, 10), exit(35));
      case BLOG -> List.of(to(Page.BLOG, 25), to(Page.PRODUCT, 10), to(Page.HOME, 10), exit(55));
      case LANDING -> List.of(to(Page.PRODUCT, 30), to(Page.PRICING, 10), to(Page.HOME, 10), exit(50));
      case PRICING -> List.of(to(Page.LOGIN, 15), to(Page.CONTACT, 10), to(Page.HOME, 15), exit(60));
      case ABOUT -> List.of(to(Page.CONTACT, 20), to(Page.HOME, 20), exit(60));
      case CONTACT -> List.of(to(Page.HOME, 30), exit(70));
      case HELP -> List.of(to(Page.HELP, 30), to(Page.CONTACT, 20), exit(50));
      case CART -> List.of(to(Page.CHECKOUT, 45), to(Page.PRODUCT, 20), exit(35));
      case CHECKOUT -> List.of(to(Page.PAYMENT, 60), to(Page.CART, 10), exit(30));
      case PAYMENT -> List.of(to(Page.CONFIRMATION, 70), to(Page.CHECKOUT, 5), exit(25));
      case CONFIRMATION -> List.of(to(Page.HOME, 15), to(Page.ACCOUNT, 10), exit(75));
      case LOGIN -> List.of(to(Page.ACCOUNT, 70), exit(30));
      case ACCOUNT -> List.of(to(Page.PRODUCT, 20), to(Page.HOME, 20), to(Page.HELP, 10), exit(50));
    };
  }

  private static final List<String> CATEGORIES = List.of("shoes", "jackets", "bags", "watches", "outdoor", "kitchen",
      "lighting", "toys");
  private static final int PRODUCTS_PER_CATEGORY = 40;
  private static final List<String> SEARCHES = List.of("running+shoes", "rain+jacket", "gift", "sale", "leather+bag",
      "smart+watch", "tent", "coffee+grinder", "desk+lamp", "lego", "size+guide", "free+shipping");
  private static final List<String> POSTS = List.of("how-to-choose-running-shoes", "packing-for-a-weekend-hike",
      "caring-for-leather", "best-gifts-under-50", "spring-lookbook", "kitchen-essentials", "lighting-a-small-room",
      "our-sustainability-report", "behind-the-seams", "winter-layering-guide", "watch-buying-guide", "toy-safety-tips");
  private static final List<String> CAMPAIGNS = List.of("/lp/spring-sale?utm_source=google&utm_medium=cpc",
      "/lp/spring-sale?utm_source=facebook&utm_medium=social", "/lp/free-shipping?utm_source=newsletter&utm_medium=email",
      "/lp/new-collection?utm_source=instagram&utm_medium=social");
  private static final List<String> HELP_TOPICS = List.of("shipping", "returns", "payment", "sizes", "warranty");

  /** A country with its share of visitors and its cities, the first the largest. */
  record Country(String name, int weight, List<String> cities) {}

  static final List<Country> COUNTRIES = List.of(
      new Country("United States", 30, List.of("New York", "Los Angeles", "Chicago", "Houston", "Seattle")),
      new Country("India", 10, List.of("Mumbai", "Delhi", "Bengaluru", "Hyderabad")),
      new Country("Vietnam", 8, List.of("Ho Chi Minh City", "Hanoi", "Da Nang")),
      new Country("Germany", 8, List.of("Berlin", "Munich", "Hamburg", "Cologne")),
      new Country("United Kingdom", 8, List.of("London", "Manchester", "Birmingham", "Edinburgh")),
      new Country("Brazil", 6, List.of("São Paulo", "Rio de Janeiro", "Belo Horizonte")),
      new Country("France", 6, List.of("Paris", "Lyon", "Marseille")),
      new Country("Japan", 6, List.of("Tokyo", "Osaka", "Yokohama")),
      new Country("Canada", 5, List.of("Toronto", "Vancouver", "Montreal")),
      new Country("Australia", 4, List.of("Sydney", "Melbourne", "Brisbane")),
      new Country("Nigeria", 3, List.of("Lagos", "Abuja")),
      new Country("Mexico", 3, List.of("Mexico City", "Guadalajara", "Monterrey")));

  /** What a visitor browses with: a device class, an operating system and a browser that run together. */
  private record Technology(String device, String os, String browser) {}

  /** The visitor's cookie and what the tracker says about where and on what; null fields are left out of the event. */
  private record Visitor(String id, String country, String city, Technology technology) {}

  /** An open visit: who, on which page since when, and when the next view is due. */
  private static final class Visit {
    final Visitor visitor;
    final long sequence;
    Page page;
    long lastViewMillis;
    long dueMillis;

    Visit(Visitor visitor, long sequence) {
      this.visitor = visitor;
      this.sequence = sequence;
    }
  }

  /** A visitor who left, and when they come back. */
  private record Waiting(Visitor visitor, long returnMillis, long sequence) {}

  private final GeneratorConfig config;
  private final ZoneId zone;
  private final SplittableRandom random;
  private final SchemaEventGenerator malformedRecords;
  private final double duplicateBelow;
  private final double malformedBelow;
  private final double lateBelow;
  private final long latenessRangeMillis;
  private final PriorityQueue<Visit> open = new PriorityQueue<>(
      Comparator.comparingLong((Visit v) -> v.dueMillis).thenComparingLong(v -> v.sequence));
  private final PriorityQueue<Waiting> waiting = new PriorityQueue<>(
      Comparator.comparingLong(Waiting::returnMillis).thenComparingLong(Waiting::sequence));
  private long sequence;
  private final GeneratedRecord[] recentRecords = new GeneratedRecord[DUPLICATE_MEMORY];
  private int recentCount;
  private int recentNext;
  private long formats;

  /**
   * @param domain the clickstream domain (its definition makes the malformed records)
   * @param zone the zone the pipeline reads timestamps without an offset in
   */
  public ClickstreamEventGenerator(Domain domain, GeneratorConfig config, ZoneId zone) {
    requireNonNull(domain, "domain is null");
    if (!domain.name().equals(DomainCatalog.CLICKSTREAM)) {
      throw new IllegalArgumentException("the clickstream generator makes events of domain '" + DomainCatalog.CLICKSTREAM
          + "', not '" + domain.name() + "'");
    }
    this.config = requireNonNull(config, "config is null");
    this.zone = requireNonNull(zone, "zone is null");
    this.random = new SplittableRandom(config.seed());
    this.malformedRecords = new SchemaEventGenerator(domain, config.toBuilder().seed(config.seed() + 1).build(), zone);
    this.duplicateBelow = config.duplicateRatio();
    this.malformedBelow = duplicateBelow + config.malformedRatio();
    // The domain has no rules: there is nothing to break, so the rule-violation ratio adds nothing.
    this.lateBelow = malformedBelow + config.lateRatio();
    this.latenessRangeMillis = config.maxLateness().toMillis() - 1000;
  }

  @Override
  public GeneratorConfig config() {
    return config;
  }

  @Override
  public GeneratedRecord next(Instant now) {
    requireNonNull(now, "now is null");
    double kindDraw = random.nextDouble();
    if (kindDraw < duplicateBelow) {
      if (recentCount > 0) {
        GeneratedRecord original = recentRecords[random.nextInt(recentCount)];
        return new GeneratedRecord(original.key(), original.value().clone(), GeneratedRecord.Kind.DUPLICATE);
      }
    } else if (kindDraw < malformedBelow) {
      return malformedRecords.malformed(now);
    } else if (kindDraw < lateBelow) {
      // A visit of one view by a visitor of its own, sent late: it never overlaps another visit of a known visitor.
      long millis = now.toEpochMilli() - 1000 - random.nextLong(latenessRangeMillis + 1);
      return remember(newVisitor(), url(pick(ENTRIES)), millis, GeneratedRecord.Kind.LATE);
    }
    return view(now.toEpochMilli());
  }

  /** The next view of the visit due first, or the first view of a new visit when none is due. */
  private GeneratedRecord view(long now) {
    Visit visit = open.peek();
    if (visit != null && (visit.dueMillis <= now || open.size() >= OPEN_VISITS)) {
      open.poll();
      if (now - visit.lastViewMillis <= SESSION_TIMEOUT.toMillis()) {
        Page next = pick(steps(visit.page));
        if (next != null) return viewAndGoOn(visit, next, Math.max(now, visit.lastViewMillis + 1));
        leave(visit);
      } else {
        // Late past the timeout (a stalled run): that visit is over, and this is the visitor's next one.
        return viewAndGoOn(new Visit(visit.visitor, sequence++), pick(ENTRIES), now);
      }
    }
    Waiting back = waiting.peek();
    Visitor visitor;
    if (back != null && back.returnMillis() <= now) {
      waiting.poll();
      visitor = back.visitor();
    } else {
      visitor = newVisitor();
    }
    return viewAndGoOn(new Visit(visitor, sequence++), pick(ENTRIES), now);
  }

  /**
   * Records the view of {@code page} at {@code millis}; the visitor reads it for a while, then the visit goes on (the
   * step is drawn when the view is due) or the visitor leaves right away (a bounce).
   */
  private GeneratedRecord viewAndGoOn(Visit visit, Page page, long millis) {
    visit.page = page;
    visit.lastViewMillis = millis;
    GeneratedRecord record = remember(visit.visitor, url(page), millis, GeneratedRecord.Kind.VALID);
    visit.dueMillis = millis + dwellMillis(page);
    open.add(visit);
    return record;
  }

  /** The visitor left on their last page: some come back later. */
  private void leave(Visit visit) {
    if (waiting.size() < WAITING_VISITORS && random.nextDouble() < RETURNS) {
      long shortest = SHORTEST_RETURN.toMillis();
      long longest = LONGEST_RETURN.toMillis();
      // Log-uniform: as many come back within the hour as within the next three days.
      long gap = (long) Math.exp(Math.log(shortest) + random.nextDouble() * (Math.log(longest) - Math.log(shortest)));
      waiting.add(new Waiting(visit.visitor, visit.lastViewMillis + gap, sequence++));
    }
  }

  /** Seconds to minutes: log-normal around the page's median, within [2 s, 10 min]. */
  private long dwellMillis(Page page) {
    double gaussian = gaussian();
    long millis = (long) (page.medianDwellSeconds * 1000 * Math.exp(0.8 * gaussian));
    return Math.max(SHORTEST_DWELL_MILLIS, Math.min(LONGEST_DWELL_MILLIS, millis));
  }

  /** A standard normal draw (Box–Muller), from this generator's random only. */
  private double gaussian() {
    double u = 1 - random.nextDouble();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random.nextDouble());
  }

  private Page pick(List<Step> steps) {
    int total = 0;
    for (Step s : steps) total += s.weight();
    int draw = random.nextInt(total);
    for (Step s : steps) {
      draw -= s.weight();
      if (draw < 0) return s.next();
    }
    throw new AssertionError("weights add up");
  }

  /** A URL of this kind of page; popular products, posts and searches come up far more often. */
  private String url(Page page) {
    return SITE + switch (page) {
      case HOME -> "/";
      case CATEGORY -> "/category/" + CATEGORIES.get(popular(CATEGORIES.size()));
      case PRODUCT -> {
        int product = popular(CATEGORIES.size() * PRODUCTS_PER_CATEGORY);
        yield String.format(Locale.ROOT, "/products/%s-%03d", CATEGORIES.get(product % CATEGORIES.size()),
            product / CATEGORIES.size() + 1);
      }
      case SEARCH -> "/search?q=" + SEARCHES.get(popular(SEARCHES.size()));
      case BLOG -> "/blog/" + POSTS.get(popular(POSTS.size()));
      case LANDING -> CAMPAIGNS.get(random.nextInt(CAMPAIGNS.size()));
      case PRICING -> "/pricing";
      case ABOUT -> "/about";
      case CONTACT -> "/contact";
      case HELP -> "/help/" + HELP_TOPICS.get(popular(HELP_TOPICS.size()));
      case CART -> "/cart";
      case CHECKOUT -> "/checkout";
      case PAYMENT -> "/checkout/payment";
      case CONFIRMATION -> "/checkout/confirmation";
      case LOGIN -> "/account/login";
      case ACCOUNT -> "/account";
    };
  }

  /** An index below {@code n}, the first ones the most likely. */
  private int popular(int n) {
    double u = random.nextDouble();
    return (int) (n * u * u);
  }

  /** A new cookie, with where the visitor is (2 % unknown, 1 % without a city) and what they browse with. */
  private Visitor newVisitor() {
    String id = String.format(Locale.ROOT, "%016x", random.nextLong());
    double where = random.nextDouble();
    Country country = null;
    String city = null;
    if (where >= 0.02) {
      country = weighted(COUNTRIES);
      if (where >= 0.03) {
        // Zipf within the country: the first city has the most visitors.
        double[] weights = new double[country.cities().size()];
        double total = 0;
        for (int i = 0; i < weights.length; i++) total += weights[i] = 1.0 / (i + 1);
        double draw = random.nextDouble() * total;
        int c = 0;
        while (c < weights.length - 1 && (draw -= weights[c]) >= 0) c++;
        city = country.cities().get(c);
      }
    }
    return new Visitor(id, country == null ? null : country.name(), city, technology());
  }

  private Country weighted(List<Country> countries) {
    int total = countries.stream().mapToInt(Country::weight).sum();
    int draw = random.nextInt(total);
    for (Country c : countries) {
      draw -= c.weight();
      if (draw < 0) return c;
    }
    throw new AssertionError("weights add up");
  }

  /**
   * Device, then an OS that runs on it, then a browser that runs on that: Safari on Apple systems, Samsung Internet on
   * Android, Edge mostly on Windows. About 1 % are device classes the site's reports do not list yet (a smart TV, a
   * game console, a watch), 1 % send no device at all.
   */
  private Technology technology() {
    double d = random.nextDouble();
    if (d < 0.01) return new Technology(null, null, null);
    if (d < 0.02) {
      return switch (random.nextInt(3)) {
        case 0 -> new Technology("smart-tv", random.nextBoolean() ? "Tizen" : "webOS", "Samsung Internet");
        case 1 -> new Technology("console", "PlayStation", "Other");
        default -> new Technology("wearable", "watchOS", "Safari");
      };
    }
    String device = d < 0.46 ? "desktop" : d < 0.94 ? "mobile" : "tablet";
    double o = random.nextDouble();
    double b = random.nextDouble();
    String os = switch (device) {
      case "desktop" -> o < 0.70 ? "Windows" : o < 0.92 ? "macOS" : o < 0.97 ? "Linux" : "ChromeOS";
      case "mobile" -> o < 0.65 ? "Android" : "iOS";
      default -> o < 0.60 ? "iPadOS" : "Android";
    };
    String browser = switch (os) {
      case "Windows" -> b < 0.70 ? "Chrome" : b < 0.90 ? "Edge" : "Firefox";
      case "macOS" -> b < 0.50 ? "Safari" : b < 0.95 ? "Chrome" : "Firefox";
      case "Linux" -> b < 0.60 ? "Chrome" : "Firefox";
      case "ChromeOS" -> "Chrome";
      case "Android" -> b < 0.80 ? "Chrome" : b < 0.95 ? "Samsung Internet" : "Firefox";
      default -> b < 0.85 ? "Safari" : "Chrome";
    };
    return new Technology(device, os, browser);
  }

  /** The view as a record, remembered for duplicates; its time is sent in the three formats in turn. */
  private GeneratedRecord remember(Visitor visitor, String url, long millis, GeneratedRecord.Kind kind) {
    GeneratedRecord record = new GeneratedRecord(visitor.id(), json(visitor, url, millis), kind);
    recentRecords[recentNext] = record;
    recentNext = (recentNext + 1) % DUPLICATE_MEMORY;
    recentCount = Math.min(recentCount + 1, DUPLICATE_MEMORY);
    return record;
  }

  /** 0: ISO-8601 with Z, 1: epoch millis, 2: local wall clock (whole seconds). */
  private byte[] json(Visitor visitor, String url, long millis) {
    Instant time = Instant.ofEpochMilli(millis);
    String timestamp = switch ((int) (formats++ % 3)) {
      case 0 -> "\"" + time + "\"";
      case 1 -> Long.toString(millis);
      default -> "\"" + LOCAL_TIME.format(LocalDateTime.ofInstant(time, zone)) + "\"";
    };
    StringBuilder json = new StringBuilder(256).append("{\"user_id\":\"").append(visitor.id()).append("\",\"timestamp\":")
        .append(timestamp).append(",\"url\":\"").append(url).append('"');
    text(json, "country", visitor.country());
    text(json, "city", visitor.city());
    Technology t = visitor.technology();
    text(json, "browser", t.browser());
    text(json, "os", t.os());
    text(json, "device", t.device());
    return json.append('}').toString().getBytes(StandardCharsets.UTF_8);
  }

  /** A text field, left out when null; the values here need no escaping. */
  private static void text(StringBuilder json, String name, String value) {
    if (value != null) json.append(",\"").append(name).append("\":\"").append(value).append('"');
  }
}
