package io.trackpipe.generator;

import static java.util.Objects.requireNonNull;

import io.trackpipe.domain.Domain;
import io.trackpipe.domain.DomainCatalog;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Realistic events of the built-in e-commerce domain ({@code domains/ecommerce.yaml}): a catalogue of
 * {@link #PRODUCTS} products in categories with their own price ranges, and shopping sessions in which a shopper views
 * products (popular ones far more often), puts some of them in the cart, buys some of those, and now and then returns
 * an earlier purchase (at minus its price). Views and carts have price 0, purchases the product's price.
 *
 * <p>Duplicates, late and malformed records come at the config's ratios as from the other generators (malformed
 * records are made by a {@link SchemaEventGenerator} of the domain: broken JSON, wrong types, values out of range,
 * missing and unknown fields, broken rules); {@link GeneratorConfig#ruleViolationRatio()} adds events that break one
 * of the four price rules, in turn: a purchase at 0, a return at a positive price, a view or a cart with a price.
 *
 * <p>The id of a shop event is a hash of its five fields, so two events with equal fields are one event: an event
 * that would repeat a recent one's fields is moved a millisecond earlier (and sent in epoch millis) until it does not.
 * Deterministic: equal configs given the same {@code now} values give byte-identical records. Not thread-safe.
 */
public final class EcommerceEventGenerator implements RecordGenerator {
  /** Products in the catalogue. */
  public static final int PRODUCTS = 500;
  /** Shoppers the sessions draw from. */
  static final int SHOPPERS = 20_000;
  private static final long FIRST_PRODUCT_ID = 1001;
  private static final long FIRST_USER_ID = 1;
  private static final int OPEN_SESSIONS = 64;
  private static final int DUPLICATE_MEMORY = 4096;
  private static final int RECENT_PURCHASES = 2048;
  private static final int RECENT_EVENTS = 1 << 16;
  /** Per step of a session with a cart: chance that a product of the cart is bought. */
  private static final double BUY_FROM_CART = 0.12;
  /** Per step after a view: chance that the viewed product goes into the cart. */
  private static final double CART_AFTER_VIEW = 0.15;
  /** Per step of a session: chance that it ends, whatever is left in the cart (abandoned carts). */
  private static final double SESSION_ENDS = 0.08;
  /** Per record: chance that a shopper returns an earlier purchase (about 9 % of purchases come back). */
  private static final double RETURN_CHANCE = 0.005;
  private static final DateTimeFormatter LOCAL_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

  /** A category of the catalogue with the range its prices fall in. */
  private record Category(String name, double lowestPrice, double highestPrice) {}

  private static final List<Category> CATEGORIES = List.of(
      new Category("grocery", 0.99, 29), new Category("books", 4.99, 59), new Category("beauty", 3.49, 89),
      new Category("clothing", 9.99, 199), new Category("toys", 7.99, 149), new Category("home", 12.99, 499),
      new Category("sports", 14.99, 899), new Category("electronics", 19.99, 2499));

  /** A product: its id, and its price in cents. */
  private record Product(long id, long priceCents) {}

  private record Purchase(long user, Product product) {}

  private static final class Session {
    final long user;
    Product lastViewed;
    final List<Product> cart = new ArrayList<>();

    Session(long user) {
      this.user = user;
    }
  }

  /** One event's fields, as the decoder reads them back (the time in epoch millis, the price in cents). */
  private record Fields(long user, String type, long millis, long product, long priceCents) {}

  private final GeneratorConfig config;
  private final ZoneId zone;
  private final SplittableRandom random;
  private final Product[] catalogue;
  private final Session[] sessions = new Session[OPEN_SESSIONS];
  private final List<Purchase> purchases = new ArrayList<>();
  private int purchaseNext;
  private final SchemaEventGenerator malformedRecords;
  private final double duplicateBelow;
  private final double malformedBelow;
  private final double ruleViolationBelow;
  private final double lateBelow;
  private final long latenessRangeMillis;
  private final GeneratedRecord[] recentRecords = new GeneratedRecord[DUPLICATE_MEMORY];
  private int recentCount;
  private int recentNext;
  private final Set<Fields> recentFields = Collections.newSetFromMap(new LinkedHashMap<>() {
    @Override
    protected boolean removeEldestEntry(Map.Entry<Fields, Boolean> eldest) {
      return size() > RECENT_EVENTS;
    }
  });
  private long ruleViolations;
  private long formats;

  /**
   * @param domain the e-commerce domain (its definition makes the malformed records)
   * @param zone the zone the pipeline reads timestamps without an offset in
   */
  public EcommerceEventGenerator(Domain domain, GeneratorConfig config, ZoneId zone) {
    requireNonNull(domain, "domain is null");
    if (!domain.name().equals(DomainCatalog.ECOMMERCE)) {
      throw new IllegalArgumentException("the e-commerce generator makes events of domain '" + DomainCatalog.ECOMMERCE
          + "', not '" + domain.name() + "'");
    }
    this.config = requireNonNull(config, "config is null");
    this.zone = requireNonNull(zone, "zone is null");
    SplittableRandom root = new SplittableRandom(config.seed());
    this.catalogue = catalogue(root.split());
    this.random = root.split();
    this.malformedRecords = new SchemaEventGenerator(domain, config.toBuilder().seed(config.seed() + 1).build(), zone);
    this.duplicateBelow = config.duplicateRatio();
    this.malformedBelow = duplicateBelow + config.malformedRatio();
    this.ruleViolationBelow = malformedBelow + config.ruleViolationRatio();
    this.lateBelow = ruleViolationBelow + config.lateRatio();
    this.latenessRangeMillis = config.maxLateness().toMillis() - 1000;
  }

  /** 500 products, each in a category, priced log-uniformly within the category's range and ending in .99 or .49. */
  private static Product[] catalogue(SplittableRandom setup) {
    Product[] products = new Product[PRODUCTS];
    for (int i = 0; i < PRODUCTS; i++) {
      Category category = CATEGORIES.get(setup.nextInt(CATEGORIES.size()));
      double price = Math.exp(Math.log(category.lowestPrice())
          + setup.nextDouble() * (Math.log(category.highestPrice()) - Math.log(category.lowestPrice())));
      long cents = Math.max(99, (long) Math.floor(price) * 100 + (setup.nextInt(4) == 0 ? 49 : 99));
      products[i] = new Product(FIRST_PRODUCT_ID + i, cents);
    }
    return products;
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
    } else if (kindDraw < ruleViolationBelow) {
      return ruleViolation(now);
    } else if (kindDraw < lateBelow) {
      return remember(shopping(now.minusMillis(1000 + random.nextLong(latenessRangeMillis + 1))), GeneratedRecord.Kind.LATE);
    }
    return remember(shopping(now), GeneratedRecord.Kind.VALID);
  }

  /** The next step of a random open session, or a return of an earlier purchase. */
  private Fields shopping(Instant time) {
    long millis = time.toEpochMilli();
    if (!purchases.isEmpty() && random.nextDouble() < RETURN_CHANCE) {
      Purchase returned = purchases.get(random.nextInt(purchases.size()));
      return new Fields(returned.user(), "return", millis, returned.product().id(), -returned.product().priceCents());
    }
    int s = random.nextInt(OPEN_SESSIONS);
    if (sessions[s] == null) sessions[s] = new Session(shopper());
    Session session = sessions[s];
    Fields event;
    double step = random.nextDouble();
    if (!session.cart.isEmpty() && step < BUY_FROM_CART) {
      Product bought = session.cart.remove(random.nextInt(session.cart.size()));
      if (purchases.size() < RECENT_PURCHASES) purchases.add(new Purchase(session.user, bought));
      else purchases.set(purchaseNext++ % RECENT_PURCHASES, new Purchase(session.user, bought));
      event = new Fields(session.user, "purchase", millis, bought.id(), bought.priceCents());
    } else if (session.lastViewed != null && random.nextDouble() < CART_AFTER_VIEW) {
      session.cart.add(session.lastViewed);
      event = new Fields(session.user, "cart", millis, session.lastViewed.id(), 0);
      session.lastViewed = null;
    } else {
      session.lastViewed = popularProduct();
      event = new Fields(session.user, "view", millis, session.lastViewed.id(), 0);
    }
    if (random.nextDouble() < SESSION_ENDS) sessions[s] = null;
    return event;
  }

  /** Some products are far more popular than others: the first of the catalogue most. */
  private Product popularProduct() {
    double u = random.nextDouble();
    return catalogue[(int) (PRODUCTS * u * u * u)];
  }

  private long shopper() {
    double u = random.nextDouble();
    return FIRST_USER_ID + (long) (SHOPPERS * u * u);
  }

  /** An otherwise valid event that breaks the price rules in turn. */
  private GeneratedRecord ruleViolation(Instant now) {
    Product product = popularProduct();
    long user = shopper();
    long millis = now.toEpochMilli();
    Fields event = switch ((int) (ruleViolations++ % 4)) {
      case 0 -> new Fields(user, "purchase", millis, product.id(), random.nextBoolean() ? 0 : -product.priceCents());
      case 1 -> new Fields(user, "return", millis, product.id(), random.nextBoolean() ? 0 : product.priceCents());
      case 2 -> new Fields(user, "view", millis, product.id(), product.priceCents());
      default -> new Fields(user, "cart", millis, product.id(), product.priceCents());
    };
    return new GeneratedRecord(Long.toString(user), json(event, timestampFormat()), GeneratedRecord.Kind.MALFORMED);
  }

  /**
   * The event as a record, remembered for duplicates. Its time is sent in the three formats in turn; an event whose
   * fields (the time as the decoder reads it back) equal a recent one's is moved a millisecond earlier, in epoch millis.
   */
  private GeneratedRecord remember(Fields event, GeneratedRecord.Kind kind) {
    int format = timestampFormat();
    Fields sent = format == 0 ? withMillis(event, Math.floorDiv(event.millis(), 1000) * 1000) : event;
    while (!recentFields.add(sent)) {
      format = 2;
      event = withMillis(event, event.millis() - 1);
      sent = event;
    }
    GeneratedRecord record = new GeneratedRecord(Long.toString(event.user()), json(event, format), kind);
    recentRecords[recentNext] = record;
    recentNext = (recentNext + 1) % DUPLICATE_MEMORY;
    recentCount = Math.min(recentCount + 1, DUPLICATE_MEMORY);
    return record;
  }

  private static Fields withMillis(Fields event, long millis) {
    return new Fields(event.user(), event.type(), millis, event.product(), event.priceCents());
  }

  /** 0: local wall clock (whole seconds), 1: ISO-8601 with Z, 2: epoch millis. */
  private int timestampFormat() {
    return (int) (formats++ % 3);
  }

  private byte[] json(Fields event, int format) {
    Instant time = Instant.ofEpochMilli(event.millis());
    String timestamp = switch (format) {
      case 0 -> "\"" + LOCAL_TIME.format(LocalDateTime.ofInstant(time, zone)) + "\"";
      case 1 -> "\"" + time + "\"";
      default -> Long.toString(event.millis());
    };
    return ("{\"user_id\":" + event.user() + ",\"type_of_event\":\"" + event.type() + "\",\"timestamp\":" + timestamp
        + ",\"product_id\":" + event.product() + ",\"price\":" + BigDecimal.valueOf(event.priceCents(), 2).toPlainString()
        + "}").getBytes(StandardCharsets.UTF_8);
  }
}
