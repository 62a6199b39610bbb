package io.trackpipe.cli.settings;

import io.trackpipe.config.Setting;
import io.trackpipe.embedded.EmbeddedCassandra;
import io.trackpipe.embedded.EmbeddedStack;
import io.trackpipe.kafka.KafkaConfig;
import io.trackpipe.kafka.KafkaSecurity;
import io.trackpipe.rawstore.RawStoreConfig;
import io.trackpipe.rawstore.RawStoreTls;
import io.trackpipe.serve.ServeConfig;
import io.trackpipe.spark.stream.StreamConfig;
import io.trackpipe.warehouse.WarehouseConfig;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** The settings that point every component at trackpipe's own embedded servers (demo and bench). */
public final class EmbeddedSettings {
  private static final List<Setting<?>> SECURITY = Stream.<List<Setting<?>>>of(
      KafkaSecurity.SETTINGS,
      List.of(WarehouseConfig.TLS_MODE, WarehouseConfig.TLS_CA_CERT),
      List.of(RawStoreConfig.USER, RawStoreConfig.PASSWORD, RawStoreTls.ENABLED, RawStoreTls.TRUST_STORE,
          RawStoreTls.TRUST_STORE_PASSWORD, RawStoreTls.HOSTNAME_VALIDATION))
      .<Setting<?>>flatMap(List::stream).toList();

  private EmbeddedSettings() {}

  /**
   * @return {@code base} plus the Kafka, warehouse and checkpoint settings of {@code stack}, and its raw store if any;
   *     the clients' security settings map to null: reset to their defaults
   */
  public static Map<String, String> pointingAt(EmbeddedStack stack, String database, Path checkpointDir,
      Map<String, String> base) {
    Map<String, String> settings = new LinkedHashMap<>(base);
    settings.put(KafkaConfig.BOOTSTRAP_SERVERS.key(), stack.kafka().bootstrapServers());
    settings.put(WarehouseConfig.JDBC_URL.key(), stack.mariaDb().jdbcUrl(database));
    settings.put(WarehouseConfig.USER.key(), stack.mariaDb().user());
    settings.put(WarehouseConfig.PASSWORD.key(), stack.mariaDb().password());
    // The dashboard reads through the read-only account, as in production.
    settings.put(ServeConfig.WAREHOUSE_USER.key(), stack.mariaDb().readerUser());
    settings.put(ServeConfig.WAREHOUSE_PASSWORD.key(), stack.mariaDb().readerPassword());
    settings.put(StreamConfig.CHECKPOINT_DIR.key(), checkpointDir.toString());
    // The embedded servers are plaintext on loopback: a production file's or environment's TLS and SASL settings
    // (reset to their defaults here, unless given with --set) would only stop the clients from reaching them.
    for (Setting<?> security : SECURITY) settings.put(security.key(), null);
    stack.cassandra().ifPresent(cassandra -> {
      settings.put(RawStoreConfig.ENABLED.key(), "true");
      settings.put(RawStoreConfig.CONTACT_POINTS.key(), cassandra.contactPoint());
      settings.put(RawStoreConfig.LOCAL_DATACENTER.key(), EmbeddedCassandra.DATACENTER);
    });
    return settings;
  }
}
