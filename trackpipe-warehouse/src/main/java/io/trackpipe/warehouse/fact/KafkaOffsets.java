package io.trackpipe.warehouse.fact;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Collections;
import java.util.Iterator;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Kafka positions per topic and partition, as Spark's Kafka source records them in a checkpoint
 * ({@code {"topic":{"0":12,"1":40}}}). Kept sorted, so two equal positions have one text form.
 */
public record KafkaOffsets(SortedMap<String, SortedMap<Integer, Long>> byTopic) {
  private static final ObjectMapper JSON = new ObjectMapper();

  public KafkaOffsets {
    requireNonNull(byTopic, "byTopic is null");
    SortedMap<String, SortedMap<Integer, Long>> copy = new TreeMap<>();
    byTopic.forEach((topic, partitions) -> copy.put(topic, Collections.unmodifiableSortedMap(new TreeMap<>(partitions))));
    byTopic = Collections.unmodifiableSortedMap(copy);
  }

  /** @throws IllegalArgumentException when {@code json} is not Spark's Kafka offset JSON */
  public static KafkaOffsets parse(String json) {
    try {
      JsonNode root = JSON.readTree(json);
      if (root == null || !root.isObject()) throw new IllegalArgumentException("not Kafka offsets: " + json);
      SortedMap<String, SortedMap<Integer, Long>> byTopic = new TreeMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> topics = root.fields(); topics.hasNext(); ) {
        Map.Entry<String, JsonNode> topic = topics.next();
        SortedMap<Integer, Long> partitions = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> ps = topic.getValue().fields(); ps.hasNext(); ) {
          Map.Entry<String, JsonNode> p = ps.next();
          if (!p.getValue().canConvertToLong()) throw new IllegalArgumentException("not Kafka offsets: " + json);
          partitions.put(Integer.parseInt(p.getKey()), p.getValue().asLong());
        }
        byTopic.put(topic.getKey(), partitions);
      }
      return new KafkaOffsets(byTopic);
    } catch (JsonProcessingException | NumberFormatException e) {
      throw new IllegalArgumentException("not Kafka offsets: " + json, e);
    }
  }

  /** Every {@code topic/partition} with its offset. */
  public SortedMap<String, Long> byPartition() {
    SortedMap<String, Long> flat = new TreeMap<>();
    byTopic.forEach((topic, partitions) -> partitions.forEach((p, offset) -> flat.put(topic + "/" + p, offset)));
    return flat;
  }

  /** The canonical JSON text (topics and partitions sorted). */
  public String json() {
    try {
      return JSON.writeValueAsString(byTopic);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public String toString() {
    return json();
  }
}
