package io.trackpipe.rawstore;

import io.trackpipe.config.Configuration;
import io.trackpipe.config.Setting;
import io.trackpipe.config.ValueType;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * TLS between the raw store's Cassandra driver and the cluster: the driver's {@code DefaultSslEngineFactory} with a
 * trust store. Serializable with {@link RawStoreConfig}: the trust store must exist at the same place on every machine
 * that writes (the Spark executors too).
 *
 * @param trustStore JKS or PKCS12 trust store with the CA of the nodes' certificates; null: the JVM's default
 * @param hostnameValidation check that a node's certificate names the address it was reached at
 */
public record RawStoreTls(boolean enabled, String trustStore, String trustStorePassword, boolean hostnameValidation)
    implements Serializable {

  private static final long serialVersionUID = 1L;

  public static final RawStoreTls DISABLED = new RawStoreTls(false, null, null, true);

  public static final Setting<Boolean> ENABLED = Setting.of("rawstore.tls.enabled", ValueType.BOOLEAN, false,
      "Encrypt the connections to Cassandra with TLS (the nodes' client_encryption_options must be enabled).");
  public static final Setting<Path> TRUST_STORE = Setting.of("rawstore.tls.trust-store", ValueType.PATH, null,
      "Trust store (JKS or PKCS12) with the CA of the Cassandra nodes' certificates; unset: the JVM's default.");
  public static final Setting<String> TRUST_STORE_PASSWORD = Setting.of("rawstore.tls.trust-store-password",
      ValueType.STRING, null, "Password of rawstore.tls.trust-store.").asSecret();
  public static final Setting<Boolean> HOSTNAME_VALIDATION = Setting.of("rawstore.tls.hostname-validation",
      ValueType.BOOLEAN, true, "Check that each node's certificate names the host it was reached at.");

  /** Binds the settings and records every inconsistency among them as a problem of {@code config}. */
  static RawStoreTls from(Configuration config) {
    boolean enabled = config.get(ENABLED);
    Path trustStore = config.get(TRUST_STORE);
    String password = config.get(TRUST_STORE_PASSWORD);
    if (trustStore != null) {
      config.check(enabled, "rawstore.tls.trust-store is set but rawstore.tls.enabled is false");
      config.check(Files.isReadable(trustStore), "rawstore.tls.trust-store: " + trustStore
          + " does not exist or is not readable");
    }
    config.check(password == null || trustStore != null,
        "rawstore.tls.trust-store-password is set but rawstore.tls.trust-store is not");
    return new RawStoreTls(enabled, trustStore == null ? null : trustStore.toString(), password,
        config.get(HOSTNAME_VALIDATION));
  }

  /** Never prints the password. */
  @Override
  public String toString() {
    if (!enabled) return "no TLS";
    return "TLS" + (trustStore == null ? "" : " trusting " + trustStore) + (hostnameValidation ? "" : ", no host name check");
  }
}
