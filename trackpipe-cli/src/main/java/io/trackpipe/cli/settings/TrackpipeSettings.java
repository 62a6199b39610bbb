package io.trackpipe.cli.settings;

import io.trackpipe.cli.demo.DemoConfig;
import io.trackpipe.collector.CollectorConfig;
import io.trackpipe.config.Setting;
import io.trackpipe.generator.GeneratorConfig;
import io.trackpipe.kafka.KafkaConfig;
import io.trackpipe.serve.ServeConfig;
import io.trackpipe.spark.batch.BatchConfig;
import io.trackpipe.spark.hive.HiveConfig;
import io.trackpipe.spark.metrics.MetricsEndpointConfig;
import io.trackpipe.rawstore.RawStoreConfig;
import io.trackpipe.search.SearchConfig;
import io.trackpipe.spark.stream.StreamConfig;
import io.trackpipe.warehouse.WarehouseConfig;
import java.util.ArrayList;
import java.util.List;

/** Every setting any command understands: unknown keys anywhere are errors, not silently ignored. */
public final class TrackpipeSettings {
  public static final List<Setting<?>> ALL;

  static {
    List<Setting<?>> all = new ArrayList<>();
    all.addAll(KafkaConfig.SETTINGS);
    all.addAll(WarehouseConfig.SETTINGS);
    all.addAll(StreamConfig.SETTINGS); // with domain.* and rollup.*
    all.addAll(MetricsEndpointConfig.STREAM_SETTINGS);
    all.addAll(RawStoreConfig.SETTINGS);
    all.addAll(BatchConfig.SETTINGS);
    all.addAll(HiveConfig.SETTINGS);
    all.addAll(GeneratorConfig.SETTINGS);
    all.addAll(CollectorConfig.SETTINGS);
    all.addAll(ServeConfig.SETTINGS);
    all.addAll(SearchConfig.SETTINGS);
    all.addAll(DemoConfig.SETTINGS);
    ALL = List.copyOf(all);
  }

  private TrackpipeSettings() {}
}
