package io.trackpipe.spark.ingest;

import io.trackpipe.kafka.KafkaConfig;
import io.trackpipe.spark.stream.StreamConfig;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/** The events topic as a Spark stream of raw Kafka records. */
public final class KafkaEventSource {
  private KafkaEventSource() {}

  public static Dataset<Row> read(SparkSession spark, KafkaConfig kafka, StreamConfig stream) {
    return spark.readStream()
        .format("kafka")
        .options(options(kafka))
        .option("subscribe", kafka.eventsTopic())
        .option("startingOffsets", stream.startingOffsets())
        .option("maxOffsetsPerTrigger", stream.maxEventsPerBatch())
        // Larger fetches than the consumer's 1 MiB default: a catch-up batch reads tens of MiB per partition.
        .option("kafka.max.partition.fetch.bytes", String.valueOf(8 * 1024 * 1024))
        // Offsets deleted by retention before they were read are lost events: stop loudly rather than skip them.
        .option("failOnDataLoss", "true")
        .load();
  }

  /** The source's consumer configuration: Spark passes options prefixed {@code kafka.} to its Kafka clients. */
  static Map<String, String> options(KafkaConfig kafka) {
    Map<String, String> options = new LinkedHashMap<>();
    kafka.clientProperties().forEach((key, value) -> options.put("kafka." + key, value));
    return options;
  }
}
