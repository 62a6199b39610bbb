package io.trackpipe.serve;

import static org.assertj.core.api.Assertions.assertThat;

import io.trackpipe.serve.auth.AuthMode;
import io.trackpipe.warehouse.Warehouse;
import io.trackpipe.warehouse.status.PipelineStatus;
import io.trackpipe.warehouse.status.PipelineStatusTable;
import java.io.File;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard in headless Chromium (Debian's chromium and chromium-driver; paths by the system properties
 * {@code trackpipe.chromium} and {@code trackpipe.chromedriver}): tiles show the known facts' numbers, the charts hold
 * them, a filter (an id, an enum or a typed text) changes them and the URL, and a screenshot of a busier warehouse goes to docs/images/dashboard.png.
 * Runs with {@code mvn verify -Pbrowser}.
 */
class DashboardBrowserIT {
  private static final Path SCREENSHOT = Path.of("..", "docs", "images", "dashboard.png");
  private static WebDriver browser;
  private static Path profile;

  @BeforeAll
  static void browser() throws Exception {
    String chromium = System.getProperty("trackpipe.chromium", "/usr/bin/chromium");
    String chromedriver = System.getProperty("trackpipe.chromedriver", "/usr/bin/chromedriver");
    profile = Files.createTempDirectory("trackpipe-chromium-");
    ChromeOptions options = new ChromeOptions();
    // The system's browser and driver, given explicitly: nothing is downloaded.
    options.setBinary(chromium);
    options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--user-data-dir=" + profile, "--window-size=1440,1640", "--lang=en-US");
    ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(new File(chromedriver))
        .usingAnyFreePort().build();
    browser = new ChromeDriver(service, options);
  }

  @AfterAll
  static void close() {
    if (browser != null) browser.quit();
  }

  @Test
  void tilesChartsAndFiltersShowTheKnownFacts() throws Exception {
    Warehouse warehouse = TestWarehouse.createDatabase("browser");
    TestWarehouse.insertKnownFacts(warehouse);
    new PipelineStatusTable(warehouse).record(new PipelineStatus("events-stream", TestWarehouse.NOW.minusSeconds(3600),
        TestWarehouse.NOW.minusSeconds(3), 41, 42, 10_000, 9_800, 100, 50, 50, Map.of("malformed_json", 50L), 4_000, 812, 0L,
        1000, 2000, 900L, 2100L));
    try (DashboardServer server = DashboardServer.start(ApiIT.config(AuthMode.NONE, null, null, null), warehouse,
        Clock.fixed(TestWarehouse.NOW, ZoneOffset.UTC))) {
      // Runs before the page's own scripts (and outside its Content-Security-Policy): records what the policy blocks.
      ((ChromeDriver) browser).executeCdpCommand("Page.addScriptToEvaluateOnNewDocument", Map.of("source",
          "window.cspViolations = []; document.addEventListener('securitypolicyviolation',"
              + " e => window.cspViolations.push(e.violatedDirective + ' ' + e.blockedURI));"));
      browser.get(server.url() + "/");
      int loads = awaitLoads(0);
      assertThat(browser.findElement(By.id("error")).isDisplayed()).isFalse();
      assertThat(tile("clicks")).isEqualTo("80");
      assertThat(tile("conversions")).isEqualTo("10");
      assertThat(tile("qualified")).isEqualTo("6");
      assertThat(tile("unqualified")).isEqualTo("4");
      assertThat(tile("qualified_ratio")).isEqualTo("60.0%");
      assertThat(tile("spend")).isEqualTo("$41.50");
      assertThat(tile("impressions")).isEqualTo("3,500");
      assertThat(tile("ctr")).isEqualTo("2.3%");
      assertThat(tile("cpc")).isEqualTo("$0.52");
      assertThat(tile("cpa")).isEqualTo("$4.15");
      assertThat(tile("conversion_rate")).isEqualTo("12.5%");
      // The charts hold the facts (drawn by ECharts on a canvas).
      assertThat(script("return window.trackpipeDashboard.seriesTotal('Clicks')")).isEqualTo(80L);
      assertThat(script("return window.trackpipeDashboard.heatmapCells()")).isEqualTo(4L);
      assertThat(browser.findElements(By.cssSelector("#series canvas, #heatmap canvas"))).hasSizeGreaterThanOrEqualTo(2);
      assertThat(browser.findElement(By.cssSelector("table[data-dimension=job] tbody tr td")).getText())
          .isEqualTo("Data engineer");
      assertThat(browser.findElement(By.cssSelector("[data-pipe=dead_letters]")).getText()).isEqualTo("50");
      assertThat(browser.findElement(By.id("live")).getText()).startsWith("live");
      // A tooltip (ECharts writes it with inline style attributes), then nothing the policy blocked.
      new Actions(browser).moveToElement(browser.findElement(By.id("series"))).perform();
      new WebDriverWait(browser, Duration.ofSeconds(10)).until(d -> !d.findElements(
          By.xpath("//div[@id='series']//div[contains(., 'Clicks')]")).isEmpty());
      assertThat(script("return window.cspViolations")).asList().isEmpty();

      new Select(browser.findElement(By.name("campaign"))).selectByValue("2000");
      awaitLoads(loads);
      assertThat(browser.getCurrentUrl()).contains("campaign=2000");
      assertThat(tile("clicks")).isEqualTo("5");
      assertThat(tile("cpa")).isEqualTo("–");

      // The URL keeps the filters: opening it again shows the same view.
      browser.get(browser.getCurrentUrl());
      awaitLoads(0);
      assertThat(tile("clicks")).isEqualTo("5");
      assertThat(new Select(browser.findElement(By.name("campaign"))).getFirstSelectedOption().getAttribute("value"))
          .isEqualTo("2000");
    }
  }

  @Test
  void aUserDomainHasAPageOfItsOwnDrawnFromItsDefinition() throws Exception {
    Warehouse warehouse = TestWarehouse.createDatabase("browserdomain");
    TestWarehouse.insertKnownFacts(warehouse);
    TestWarehouse.insertSignups(warehouse);
    try (DashboardServer server = DashboardServer.start(ApiIT.config(AuthMode.NONE, null, null, null),
        OpenApiDocumentTest.withSignups(), warehouse, Clock.fixed(TestWarehouse.NOW, ZoneOffset.UTC))) {
      browser.get(server.url() + "/");
      awaitLoads(0);
      assertThat(tile("clicks")).as("job ads is the default page").isEqualTo("80");
      new Select(browser.findElement(By.id("domain"))).selectByValue("signups");
      new WebDriverWait(browser, Duration.ofSeconds(30)).until(d -> d.getCurrentUrl().contains("domain=signups"));
      awaitLoads(0);
      assertThat(browser.findElement(By.id("error")).isDisplayed()).isFalse();
      assertThat(browser.findElement(By.id("subtitle")).getText()).isEqualTo("signups and revenue");
      assertThat(browser.findElements(By.cssSelector(".tile"))).hasSize(3);
      assertThat(tile("signups")).isEqualTo("50");
      assertThat(tile("revenue")).isEqualTo("$490.00");
      assertThat(tile("revenue_per_signup")).isEqualTo("$9.80");
      assertThat(script("return window.trackpipeDashboard.seriesTotal('Signups')")).isEqualTo(50L);
      assertThat(script("return window.trackpipeDashboard.heatmapCells()")).isEqualTo(3L);
      assertThat(browser.findElement(By.cssSelector("table[data-dimension=plan] tbody tr td")).getText()).isEqualTo("Free");
      assertThat(browser.findElements(By.cssSelector("table[data-dimension=campaign]"))).isEmpty();

      int loads = Integer.parseInt(browser.findElement(By.tagName("body")).getAttribute("data-loads"));
      new Select(browser.findElement(By.name("plan"))).selectByValue("2");
      awaitLoads(loads);
      assertThat(browser.getCurrentUrl()).contains("plan=2").contains("domain=signups");
      assertThat(tile("signups")).isEqualTo("10");
      assertThat(tile("revenue_per_signup")).isEqualTo("$49.00");
    }
  }

  @Test
  void anEnumIsChosenFromItsValuesAndATextIsTypedWithSuggestions() throws Exception {
    Warehouse warehouse = TestWarehouse.createDatabase("browsertext");
    TestWarehouse.insertKnownFacts(warehouse);
    TestWarehouse.insertSubscriptions(warehouse);
    try (DashboardServer server = DashboardServer.start(ApiIT.config(AuthMode.NONE, null, null, null),
        SubscriptionsApiIT.catalogue(), warehouse, Clock.fixed(TestWarehouse.NOW, ZoneOffset.UTC))) {
      browser.get(server.url() + "/?domain=subscriptions");
      int loads = awaitLoads(0);
      assertThat(browser.findElement(By.id("error")).isDisplayed()).isFalse();
      assertThat(tile("subscriptions")).isEqualTo("24");
      Select event = new Select(browser.findElement(By.name("event")));
      assertThat(event.getOptions()).extracting(WebElement::getText).containsExactly("All", "subscribe", "renew", "cancel");
      assertThat(browser.findElement(By.cssSelector("table[data-dimension=country] tbody tr td")).getText()).isEqualTo("VN");

      event.selectByValue("subscribe");
      loads = awaitLoads(loads);
      assertThat(browser.getCurrentUrl()).contains("event=subscribe");
      assertThat(tile("subscriptions")).isEqualTo("17");
      // The country box suggests the top countries under the other filters.
      new WebDriverWait(browser, Duration.ofSeconds(10)).until(d -> d.findElements(By.cssSelector("#suggest-country option")).size() == 3);
      assertThat(browser.findElements(By.cssSelector("#suggest-country option")))
          .extracting(o -> o.getAttribute("value")).containsExactly("VN", "DE", "vn");

      WebElement country = browser.findElement(By.name("country"));
      country.sendKeys("VN", Keys.ENTER);
      loads = awaitLoads(loads);
      assertThat(browser.getCurrentUrl()).contains("country=VN").contains("event=subscribe");
      assertThat(tile("subscriptions")).isEqualTo("10");
      assertThat(tile("revenue")).isEqualTo("$100.00");
      assertThat(browser.findElements(By.cssSelector("table[data-dimension=event] tbody tr"))).hasSize(1);

      // A value that matches nothing is an empty answer, not an error.
      country.clear();
      country.sendKeys("' OR 1=1 --", Keys.TAB);
      awaitLoads(loads);
      assertThat(browser.findElement(By.id("error")).isDisplayed()).isFalse();
      assertThat(tile("subscriptions")).isEqualTo("0");

      browser.get(server.url() + "/?domain=subscriptions&event=renew&country=VN");
      awaitLoads(0);
      assertThat(browser.findElement(By.name("country")).getAttribute("value")).isEqualTo("VN");
      assertThat(new Select(browser.findElement(By.name("event"))).getFirstSelectedOption().getText()).isEqualTo("renew");
      assertThat(tile("subscriptions")).isEqualTo("4");
    }
  }

  @Test
  void screenshotOfABusierWarehouseForTheDocs() throws Exception {
    Warehouse warehouse = TestWarehouse.createDatabase("screenshot");
    TestWarehouse.insertKnownFacts(warehouse);
    insertTwoWeeksOfFacts(warehouse, LocalDate.parse("2026-02-19"), LocalDate.parse("2026-03-04"));
    TestWarehouse.fillDashboardTables(warehouse);
    new PipelineStatusTable(warehouse).record(new PipelineStatus("events-stream", TestWarehouse.NOW.minusSeconds(7200),
        TestWarehouse.NOW.minusSeconds(2), 1203, 1204, 7_412_300, 7_301_877, 74_120, 3_512, 14_823,
        Map.of("malformed_json", 9_000L, "missing_field", 5_823L), 2_010_442, 640, 118L, 1012.4, 9870.2, 1840L, 3120L));
    try (DashboardServer server = DashboardServer.start(ApiIT.config(AuthMode.NONE, null, null, null), warehouse,
        Clock.fixed(TestWarehouse.NOW, ZoneOffset.UTC))) {
      browser.get(server.url() + "/?from=2026-02-19&to=2026-03-04");
      awaitLoads(0);
      assertThat(Long.parseLong(tile("clicks").replace(",", ""))).isGreaterThan(1000);
      File shot = ((org.openqa.selenium.TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
      Files.createDirectories(SCREENSHOT.getParent());
      Files.copy(shot.toPath(), SCREENSHOT, StandardCopyOption.REPLACE_EXISTING);
      assertThat(Files.size(SCREENSHOT)).isGreaterThan(20_000);
    }
  }

  /** Six more jobs' hourly facts over the days given, with a daily rhythm; deterministic. */
  private static void insertTwoWeeksOfFacts(Warehouse warehouse, LocalDate from, LocalDate to) throws Exception {
    try (Connection c = warehouse.connect()) {
      try (var s = c.createStatement()) {
        s.execute("INSERT INTO job (id, company_id, group_id, campaign_id, title, industry) VALUES"
            + " (11, 10, 100, 1000, 'Data analyst', 'IT'), (12, 10, 101, 1001, 'QA engineer', 'IT'),"
            + " (13, 20, 200, 2000, 'Pharmacist', 'Health'), (14, 20, 201, 2001, 'Lab technician', 'Health'),"
            + " (15, 10, 101, 1001, 'Product manager', 'IT'), (16, 20, 201, 2001, 'Midwife', 'Health')");
      }
      try (PreparedStatement st = c.prepareStatement("INSERT INTO events (job_id, dates, hours, publisher_id,"
          + " campaign_id, group_id, impressions, clicks, conversion, qualified_application, disqualified_application,"
          + " spend_hour, company_id, sources, latest_update_time) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'test',"
          + " '2026-03-04 10:00:00')")) {
        long seed = 42;
        for (LocalDate d = from; !d.isAfter(to); d = d.plusDays(1)) {
          int lastHour = d.equals(to) ? 10 : 23;
          for (int h = 0; h <= lastHour; h++) {
            for (int job = 11; job <= 16; job++) {
              for (int publisher = 1; publisher <= 2; publisher++) {
                seed = seed * 6364136223846793005L + 1442695040888963407L;
                double rhythm = 0.2 + Math.max(0, Math.sin(Math.PI * (h - 6) / 16.0));
                double weekend = d.getDayOfWeek().getValue() >= 6 ? 0.5 : 1.0;
                long clicks = Math.round(((seed >>> 33) % 12) * rhythm * weekend * (publisher == 1 ? 1.5 : 1) * (job % 3 + 1));
                int campaign = job == 11 ? 1000 : job == 13 ? 2000 : (job % 2 == 0 ? 1001 : 2001);
                st.setLong(1, job);
                st.setObject(2, d);
                st.setInt(3, h);
                st.setLong(4, publisher);
                st.setLong(5, campaign);
                st.setLong(6, campaign / 10);
                st.setLong(7, clicks * 25 + (seed >>> 40) % 30);
                st.setLong(8, clicks);
                st.setLong(9, clicks / 6);
                st.setLong(10, (seed >>> 20) % 3);
                st.setLong(11, (seed >>> 24) % 2);
                st.setBigDecimal(12, BigDecimal.valueOf(clicks * (35 + (seed >>> 50) % 40), 2));
                st.setLong(13, job == 11 || job == 12 || job == 15 ? 10 : 20);
                st.addBatch();
              }
            }
          }
          st.executeBatch();
        }
      }
    }
  }

  private static int awaitLoads(int after) {
    new WebDriverWait(browser, Duration.ofSeconds(30)).until(d -> {
      String loads = d.findElement(By.tagName("body")).getAttribute("data-loads");
      return loads != null && Integer.parseInt(loads) > after;
    });
    return Integer.parseInt(browser.findElement(By.tagName("body")).getAttribute("data-loads"));
  }

  private static String tile(String kpi) {
    return browser.findElement(By.cssSelector("[data-kpi=" + kpi + "] .value")).getText();
  }

  private static Object script(String js) {
    return ((JavascriptExecutor) browser).executeScript(js);
  }
}
