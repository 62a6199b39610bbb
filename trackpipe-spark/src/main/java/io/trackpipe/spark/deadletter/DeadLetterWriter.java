package io.trackpipe.spark.deadletter;

import static io.trackpipe.spark.ingest.DecodedEvents.RAW_KEY;
import static io.trackpipe.spark.ingest.DecodedEvents.RAW_VALUE;
import static io.trackpipe.spark.ingest.DecodedEvents.RECEIVED_AT;
import static io.trackpipe.spark.ingest.DecodedEvents.REJECT_MESSAGE;
import static io.trackpipe.spark.ingest.DecodedEvents.REJECT_REASON;
import static io.trackpipe.spark.ingest.DecodedEvents.SOURCE_OFFSET;
import static io.trackpipe.spark.ingest.DecodedEvents.SOURCE_PARTITION;
import static io.trackpipe.spark.ingest.DecodedEvents.SOURCE_TOPIC;
import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat_ws;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.struct;

import io.trackpipe.kafka.KafkaConfig;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;

/**
 * Keeps rejected records in the dead-letter topic: the original key and value byte for byte, and why they were
 * rejected and where they came from in headers ({@link #REASON_HEADER}, {@link #ERROR_HEADER}, {@link #SOURCE_HEADER}).
 */
public final class DeadLetterWriter {
  public static final String REASON_HEADER = "trackpipe.reason";
  public static final String ERROR_HEADER = "trackpipe.error";
  /** {@code topic/partition/offset} of the original record: the key to de-duplicate dead letters by. */
  public static final String SOURCE_HEADER = "trackpipe.source";
  public static final String RECEIVED_AT_HEADER = "trackpipe.received-at";

  private final KafkaConfig kafka;

  public DeadLetterWriter(KafkaConfig kafka) {
    this.kafka = kafka;
  }

  /** @param rejected decoded rows with a reject reason */
  public void write(Dataset<Row> rejected) {
    rejected
        .select(
            col(RAW_KEY).as("key"),
            col(RAW_VALUE).as("value"),
            array(
                header(REASON_HEADER, col(REJECT_REASON)),
                header(ERROR_HEADER, col(REJECT_MESSAGE)),
                header(SOURCE_HEADER, concat_ws("/", col(SOURCE_TOPIC), col(SOURCE_PARTITION), col(SOURCE_OFFSET))),
                header(RECEIVED_AT_HEADER, col(RECEIVED_AT).cast(DataTypes.StringType)))
                .as("headers"))
        .write()
        .format("kafka")
        .option("kafka.bootstrap.servers", kafka.bootstrapServers())
        .option("kafka.acks", "all")
        .option("kafka.enable.idempotence", "true")
        .option("topic", kafka.deadLetterTopic())
        .save();
  }

  private static Column header(String name, Column value) {
    return struct(lit(name).as("key"), value.cast(DataTypes.BinaryType).as("value"));
  }
}
