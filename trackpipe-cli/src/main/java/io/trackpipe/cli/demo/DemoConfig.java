package io.trackpipe.cli.demo;

import io.trackpipe.config.Configuration;
import io.trackpipe.config.Setting;
import io.trackpipe.config.ValueType;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where the demo keeps its embedded servers' data, which ports they listen on, and the rates of the built-in domains'
 * generators.
 *
 * @param domainRates events per second of each {@link DemoDomain#BUILT_IN} domain's generator next to job ads, by
 *     domain name; 0 runs none
 */
public record DemoConfig(Path dataDir, int kafkaPort, int mariaDbPort, String database, int cassandraPort, int searchPort,
    Map<String, Double> domainRates) {

  public DemoConfig {
    domainRates = Map.copyOf(domainRates);
  }

  public static final Setting<Path> DATA_DIR = Setting.of("demo.data-dir", ValueType.PATH, Path.of("data/demo"),
      "Folder of the demo's Kafka and MariaDB data and the stream checkpoint; kept between runs.");
  public static final Setting<Integer> KAFKA_PORT = Setting.of("demo.kafka-port", ValueType.INT, 19092,
      "Port of the embedded Kafka broker (0 picks a free one).").checked(p -> p >= 0 && p <= 65535, "a port (0–65535)");
  public static final Setting<Integer> MARIADB_PORT = Setting.of("demo.mariadb-port", ValueType.INT, 13306,
      "Port of the embedded MariaDB server (0 picks a free one).").checked(p -> p >= 0 && p <= 65535, "a port (0–65535)");
  public static final Setting<Integer> CASSANDRA_PORT = Setting.of("demo.cassandra-port", ValueType.INT, 19042,
      "CQL port of the embedded Cassandra server (the raw store; 0 picks a free one).")
      .checked(p -> p >= 0 && p <= 65535, "a port (0–65535)");
  public static final Setting<Integer> SEARCH_PORT = Setting.of("demo.search-port", ValueType.INT, 19200,
      "HTTP port of the embedded OpenSearch node of demo --with-search (0 picks a free one).")
      .checked(p -> p >= 0 && p <= 65535, "a port (0–65535)");
  public static final Setting<String> DATABASE = Setting.of("demo.database", ValueType.STRING, "trackpipe",
      "Database the demo creates for the warehouse.").checked(s -> s.matches("[A-Za-z0-9_]+"), "letters, digits and _");

  public static final List<Setting<?>> SETTINGS = List.of(DATA_DIR, KAFKA_PORT, MARIADB_PORT, DATABASE, CASSANDRA_PORT,
      SEARCH_PORT, DemoDomain.ECOMMERCE_RATE, DemoDomain.CLICKSTREAM_RATE);

  public static DemoConfig from(Configuration config) {
    Map<String, Double> rates = new LinkedHashMap<>();
    DemoDomain.BUILT_IN.forEach(d -> rates.put(d.domain(), config.get(d.rate())));
    return new DemoConfig(config.get(DATA_DIR), config.get(KAFKA_PORT), config.get(MARIADB_PORT), config.get(DATABASE),
        config.get(CASSANDRA_PORT), config.get(SEARCH_PORT), rates);
  }

  /** Events per second of the demo's generator of {@code domain}; 0 when it runs none. */
  public double rate(DemoDomain domain) {
    return domainRates.getOrDefault(domain.domain(), 0.0);
  }

  public Path checkpointDir() {
    return dataDir.resolve("checkpoints").resolve("events");
  }
}
