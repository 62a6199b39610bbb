package io.trackpipe.kafka;

import static java.util.Objects.requireNonNull;

import io.trackpipe.config.Configuration;
import io.trackpipe.config.Setting;
import io.trackpipe.config.ValueType;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.SslConfigs;

/**
 * How every trackpipe Kafka client authenticates and encrypts: the security protocol, SASL credentials and TLS trust
 * and key stores, turned into client properties by {@link #clientProperties()}. Serializable: the streaming job's
 * executors get it with {@link KafkaConfig}, so store locations must exist on every machine that runs a client.
 *
 * @param protocol PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL
 * @param saslMechanism PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512; used with the SASL protocols only
 * @param username SASL user, null without SASL
 * @param password SASL password, null without SASL
 * @param truststoreLocation null: the JVM's default trust store
 * @param keystoreLocation null: no client certificate
 */
public record KafkaSecurity(
    String protocol,
    String saslMechanism,
    String username,
    String password,
    String truststoreLocation,
    String truststorePassword,
    String keystoreLocation,
    String keystorePassword) implements Serializable {

  private static final long serialVersionUID = 1L;
  private static final List<String> PROTOCOLS = List.of("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL");
  private static final List<String> MECHANISMS = List.of("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512");

  /** No authentication, no encryption: the embedded broker and a broker on a trusted network. */
  public static final KafkaSecurity PLAINTEXT = new KafkaSecurity("PLAINTEXT", "PLAIN", null, null, null, null, null, null);

  public static final Setting<String> PROTOCOL = Setting.of("kafka.security.protocol", ValueType.STRING, "PLAINTEXT",
      "How the Kafka clients talk to the brokers: PLAINTEXT, SSL (TLS), SASL_PLAINTEXT (user and password, no TLS) "
          + "or SASL_SSL (both).")
      .checked(s -> PROTOCOLS.contains(s.toUpperCase(Locale.ROOT)), "one of " + PROTOCOLS);
  public static final Setting<String> SASL_MECHANISM = Setting.of("kafka.sasl.mechanism", ValueType.STRING, "PLAIN",
      "SASL mechanism with the SASL protocols: PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512.")
      .checked(s -> MECHANISMS.contains(s.toUpperCase(Locale.ROOT)), "one of " + MECHANISMS);
  public static final Setting<String> SASL_USERNAME = Setting.of("kafka.sasl.username", ValueType.STRING, null,
      "SASL user of every trackpipe Kafka client (SASL_PLAINTEXT, SASL_SSL).");
  public static final Setting<String> SASL_PASSWORD = Setting.of("kafka.sasl.password", ValueType.STRING, null,
      "SASL password (use TRACKPIPE_KAFKA_SASL_PASSWORD).").asSecret();
  public static final Setting<Path> TRUSTSTORE_LOCATION = Setting.of("kafka.ssl.truststore-location", ValueType.PATH,
      null, "Trust store (PKCS12 or JKS) with the CA of the brokers' certificates (SSL, SASL_SSL); unset: the JVM's.");
  public static final Setting<String> TRUSTSTORE_PASSWORD = Setting.of("kafka.ssl.truststore-password",
      ValueType.STRING, null, "Password of kafka.ssl.truststore-location.").asSecret();
  public static final Setting<Path> KEYSTORE_LOCATION = Setting.of("kafka.ssl.keystore-location", ValueType.PATH, null,
      "Key store with the client's certificate and key, when the brokers authenticate clients by TLS certificate.");
  public static final Setting<String> KEYSTORE_PASSWORD = Setting.of("kafka.ssl.keystore-password", ValueType.STRING,
      null, "Password of kafka.ssl.keystore-location (and of its key).").asSecret();

  public static final List<Setting<?>> SETTINGS = List.of(PROTOCOL, SASL_MECHANISM, SASL_USERNAME, SASL_PASSWORD,
      TRUSTSTORE_LOCATION, TRUSTSTORE_PASSWORD, KEYSTORE_LOCATION, KEYSTORE_PASSWORD);

  public KafkaSecurity {
    requireNonNull(protocol, "protocol is null");
    requireNonNull(saslMechanism, "saslMechanism is null");
    protocol = protocol.toUpperCase(Locale.ROOT);
    saslMechanism = saslMechanism.toUpperCase(Locale.ROOT);
    if (!PROTOCOLS.contains(protocol)) throw new IllegalArgumentException("security protocol " + protocol);
    if (!MECHANISMS.contains(saslMechanism)) throw new IllegalArgumentException("SASL mechanism " + saslMechanism);
  }

  /** Binds the settings and records every inconsistency among them as a problem of {@code config}. */
  public static KafkaSecurity from(Configuration config) {
    String protocol = config.get(PROTOCOL).toUpperCase(Locale.ROOT);
    Path truststore = config.get(TRUSTSTORE_LOCATION);
    Path keystore = config.get(KEYSTORE_LOCATION);
    KafkaSecurity security = new KafkaSecurity(protocol, config.get(SASL_MECHANISM), config.get(SASL_USERNAME),
        config.get(SASL_PASSWORD), truststore == null ? null : truststore.toString(), config.get(TRUSTSTORE_PASSWORD),
        keystore == null ? null : keystore.toString(), config.get(KEYSTORE_PASSWORD));
    if (security.sasl()) {
      config.check(security.username() != null, "kafka.security.protocol is " + protocol
          + " but kafka.sasl.username is not set");
      config.check(security.password() != null, "kafka.security.protocol is " + protocol
          + " but kafka.sasl.password is not set (use TRACKPIPE_KAFKA_SASL_PASSWORD)");
    } else {
      config.check(security.username() == null && security.password() == null, "kafka.sasl.username or "
          + "kafka.sasl.password is set but kafka.security.protocol is " + protocol + ": use SASL_PLAINTEXT or SASL_SSL");
    }
    boolean anyStore = truststore != null || keystore != null || security.truststorePassword() != null
        || security.keystorePassword() != null;
    if (!security.tls()) {
      config.check(!anyStore, "kafka.ssl.* is set but kafka.security.protocol is " + protocol + ": use SSL or SASL_SSL");
    }
    checkStore(config, "kafka.ssl.truststore", truststore, security.truststorePassword());
    checkStore(config, "kafka.ssl.keystore", keystore, security.keystorePassword());
    config.check(keystore == null || security.keystorePassword() != null,
        "kafka.ssl.keystore-location is set but kafka.ssl.keystore-password is not");
    return security;
  }

  private static void checkStore(Configuration config, String prefix, Path location, String password) {
    if (location != null) {
      config.check(Files.isReadable(location), prefix + "-location: " + location + " does not exist or is not readable");
    } else {
      config.check(password == null, prefix + "-password is set but " + prefix + "-location is not");
    }
  }

  public boolean sasl() {
    return protocol.startsWith("SASL_");
  }

  public boolean tls() {
    return protocol.endsWith("SSL");
  }

  /** The security part of a Kafka client's configuration; empty keys are left out so the client's defaults apply. */
  public Map<String, String> clientProperties() {
    Map<String, String> properties = new LinkedHashMap<>();
    properties.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, protocol);
    if (sasl()) {
      properties.put(SaslConfigs.SASL_MECHANISM, saslMechanism);
      properties.put(SaslConfigs.SASL_JAAS_CONFIG, jaasConfig());
    }
    if (tls()) {
      if (truststoreLocation != null) {
        properties.put(SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG, truststoreLocation);
        if (truststorePassword != null) {
          properties.put(SslConfigs.SSL_TRUSTSTORE_PASSWORD_CONFIG, truststorePassword);
        }
      }
      if (keystoreLocation != null) {
        properties.put(SslConfigs.SSL_KEYSTORE_LOCATION_CONFIG, keystoreLocation);
        properties.put(SslConfigs.SSL_KEYSTORE_PASSWORD_CONFIG, keystorePassword);
        properties.put(SslConfigs.SSL_KEY_PASSWORD_CONFIG, keystorePassword);
      }
    }
    return properties;
  }

  private String jaasConfig() {
    String module = saslMechanism.equals("PLAIN")
        ? "org.apache.kafka.common.security.plain.PlainLoginModule"
        : "org.apache.kafka.common.security.scram.ScramLoginModule";
    return module + " required username=\"" + quoted(username) + "\" password=\"" + quoted(password) + "\";";
  }

  /** JAAS values are read by a tokenizer that takes backslash escapes inside double quotes. */
  private static String quoted(String value) {
    return value == null ? "" : value.replace("\\", "\\\\").replace("\"", "\\\"");
  }

  /** Never prints a password. */
  @Override
  public String toString() {
    return "KafkaSecurity[" + protocol + (sasl() ? " " + saslMechanism + " user " + username : "")
        + (truststoreLocation == null ? "" : ", truststore " + truststoreLocation)
        + (keystoreLocation == null ? "" : ", keystore " + keystoreLocation) + "]";
  }
}
