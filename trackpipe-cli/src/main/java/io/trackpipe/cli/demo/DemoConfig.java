package io.trackpipe.cli.demo;

import io.trackpipe.config.Configuration;
import io.trackpipe.config.Setting;
import io.trackpipe.config.ValueType;
import java.nio.file.Path;
import java.util.List;

/**
 * Where the demo keeps its embedded servers' data and which ports they listen on.
 *
 * @param ecommerceRate events per second of the shop generator next to job ads; 0 runs none
 */
public record DemoConfig(Path dataDir, int kafkaPort, int mariaDbPort, String database, int cassandraPort, int searchPort,
    double ecommerceRate) {

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

  public static final Setting<Double> ECOMMERCE_RATE = Setting.of("demo.ecommerce-rate", ValueType.NUMBER, 100.0,
      "Events per second of the shop (built-in ecommerce domain) generator the demo runs next to job ads; 0: none.")
      .checked(r -> r >= 0 && r <= 1_000_000, "0 to 1000000");

  public static final List<Setting<?>> SETTINGS = List.of(DATA_DIR, KAFKA_PORT, MARIADB_PORT, DATABASE, CASSANDRA_PORT,
      SEARCH_PORT, ECOMMERCE_RATE);

  public static DemoConfig from(Configuration config) {
    return new DemoConfig(config.get(DATA_DIR), config.get(KAFKA_PORT), config.get(MARIADB_PORT), config.get(DATABASE),
        config.get(CASSANDRA_PORT), config.get(SEARCH_PORT), config.get(ECOMMERCE_RATE));
  }

  public Path checkpointDir() {
    return dataDir.resolve("checkpoints").resolve("events");
  }
}
