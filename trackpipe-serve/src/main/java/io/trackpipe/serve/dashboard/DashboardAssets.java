package io.trackpipe.serve.dashboard;

import io.trackpipe.domain.DashboardDefinition;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Properties;

/**
 * The dashboard's static files, read once from the classpath: the page, its script and style (resources next to this
 * class) and Apache ECharts from its WebJar. Nothing is fetched from the internet, at build or at run time.
 */
public final class DashboardAssets {
  /** A file to serve. */
  public record Asset(String contentType, byte[] body) {}

  private static final String ECHARTS_POM = "/META-INF/maven/org.webjars.npm/echarts/pom.properties";
  private final Map<String, Asset> byPath;

  private DashboardAssets(Map<String, Asset> byPath) {
    this.byPath = byPath;
  }

  /**
   * @param dashboard the default domain's dashboard: its tiles are written into the page (the script draws every
   *     domain's page, this one included, from {@code api/v1/domains})
   */
  public static DashboardAssets load(DashboardDefinition dashboard) {
    String echarts = "/META-INF/resources/webjars/echarts/" + webjarVersion() + "/dist/echarts.min.js";
    String page = new String(read(DashboardAssets.class, "index.html"), StandardCharsets.UTF_8)
        .replace("{{tiles}}", tiles(dashboard));
    return new DashboardAssets(Map.of(
        "/", new Asset("text/html; charset=utf-8", page.getBytes(StandardCharsets.UTF_8)),
        "/assets/dashboard.js", new Asset("text/javascript; charset=utf-8", read(DashboardAssets.class, "dashboard.js")),
        "/assets/dashboard.css", new Asset("text/css; charset=utf-8", read(DashboardAssets.class, "dashboard.css")),
        "/assets/echarts.min.js", new Asset("text/javascript; charset=utf-8", read(DashboardAssets.class, echarts))));
  }

  private static String tiles(DashboardDefinition dashboard) {
    StringBuilder html = new StringBuilder();
    for (String name : dashboard.tiles()) {
      String label = dashboard.measure(name).map(DashboardDefinition.Measure::label).orElse(name);
      html.append("\n    <div class=\"tile\" data-kpi=\"").append(escape(name)).append("\"><span class=\"label\">")
          .append(escape(label)).append("</span><span class=\"value\">–</span></div>");
    }
    return html.append("\n  ").toString();
  }

  private static String escape(String text) {
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;")
        .replace("'", "&#39;");
  }

  /** @return the file at {@code path}, or null */
  public Asset get(String path) {
    return byPath.get(path.equals("/index.html") ? "/" : path);
  }

  private static String webjarVersion() {
    try (InputStream in = DashboardAssets.class.getResourceAsStream(ECHARTS_POM)) {
      if (in == null) throw new IllegalStateException("the ECharts WebJar is not on the classpath (" + ECHARTS_POM + ")");
      Properties props = new Properties();
      props.load(in);
      return props.getProperty("version");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static byte[] read(Class<?> anchor, String name) {
    try (InputStream in = anchor.getResourceAsStream(name)) {
      if (in == null) throw new IllegalStateException("missing dashboard resource " + name);
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
