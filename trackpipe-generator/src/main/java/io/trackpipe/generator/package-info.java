/**
 * Synthetic tracking traffic of any domain for demos, benchmarks and end-to-end tests.
 *
 * <ul>
 *   <li>{@link io.trackpipe.generator.SampleDimensions} makes the companies, jobs and publishers that events refer to.
 *   <li>{@link io.trackpipe.generator.EventGenerator} turns a {@link io.trackpipe.generator.GeneratorConfig} into a
 *       reproducible stream of raw Kafka records: valid events, late events, byte-identical duplicates and malformed
 *       input at configured ratios. It is the realistic generator of the job-ads domain.
 *   <li>{@link io.trackpipe.generator.SchemaEventGenerator} does the same for any other domain, from its definition
 *       alone; {@link io.trackpipe.generator.RecordGenerator#forDomain} picks one of the two.
 *   <li>{@link io.trackpipe.generator.GeneratorRun} paces the generator into an {@link io.trackpipe.generator.EventSink}
 *       ({@link io.trackpipe.generator.KafkaEventSink}, {@link io.trackpipe.generator.JsonLinesSink}) and reports progress.
 * </ul>
 */
package io.trackpipe.generator;
