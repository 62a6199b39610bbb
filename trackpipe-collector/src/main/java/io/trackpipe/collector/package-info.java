/**
 * The HTTP collector: the tracking endpoint a load balancer puts in front of Kafka.
 *
 * <ul>
 *   <li>{@link io.trackpipe.collector.Collector} assembles and runs it; {@link io.trackpipe.collector.CollectorConfig}
 *       holds its {@code collector.*} settings.
 *   <li>{@code http}: the routes ({@code POST /v1/events}, {@code GET /v1/pixel.gif}, {@code /health}, {@code /metrics}),
 *       write keys, request bodies and answers.
 *   <li>{@code ingest}: splitting a body into events, judging each one with the streaming job's decoder, completing
 *       the id and time a client may leave out, and staging events and dead letters for Kafka
 *       ({@code DomainIngestion}, shared with {@code trackpipe import}).
 *   <li>{@code fileimport}: {@code trackpipe import}'s reading of CSV and JSON-lines files into the same intake.
 *   <li>{@code kafka}: the producer that acknowledges only what Kafka acknowledged, the in-flight budget, and the probe
 *       that tells when Kafka is up.
 *   <li>{@code metrics}: Prometheus counters and the latency histogram.
 * </ul>
 */
package io.trackpipe.collector;
