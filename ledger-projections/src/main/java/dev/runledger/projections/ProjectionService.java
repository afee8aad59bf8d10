package dev.runledger.projections;

import dev.runledger.projections.http.InstanceRouter;
import dev.runledger.projections.query.LocalRunQueries;
import dev.runledger.projections.query.RunQueries;
import dev.runledger.projections.query.ViewStores;
import dev.runledger.schemas.config.LedgerConfig;
import dev.runledger.schemas.service.Service;
import dev.runledger.schemas.service.StreamsService;
import dev.runledger.schemas.topics.LedgerTopics;
import java.time.Duration;
import java.util.Properties;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.state.HostInfo;

/**
 * The projections as a {@link Service}: runs {@link ProjectionTopology} and answers queries over
 * its stores through {@link #queries()} and {@link #routes()} (which forward to the instance that
 * owns a key when several run). Settings: {@link ProjectionSettings}.
 */
public final class ProjectionService implements Service {
  public static final String NAME = "projections";

  private final StreamsService streams;
  private final RunQueries queries;
  private final InstanceRouter router;
  private final BoundedRocksDb.Shared memory;

  public ProjectionService(final LedgerConfig config, final LedgerTopics topics) {
    this.memory =
        new BoundedRocksDb.Shared(
            config.getLong(
                ProjectionSettings.ROCKSDB_CACHE_BYTES,
                ProjectionSettings.DEFAULT_ROCKSDB_CACHE_BYTES),
            config.getLong(
                ProjectionSettings.ROCKSDB_WRITE_BUFFER_BYTES,
                ProjectionSettings.DEFAULT_ROCKSDB_WRITE_BUFFER_BYTES));
    final Properties props = ProjectionTopology.streamsConfig(config);
    props.put(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, BoundedRocksDb.class);
    props.put(BoundedRocksDb.SHARED_CONFIG, memory);
    this.streams =
        new StreamsService(
            NAME,
            ProjectionTopology.build(
                topics,
                topics.serdes(),
                Duration.ofMillis(
                    config.getLong(
                        ProjectionSettings.DELIVERIES_COALESCE_MS,
                        ProjectionSettings.DEFAULT_DELIVERIES_COALESCE_MS))),
            props);
    this.queries = new LocalRunQueries(ViewStores.of(streams::streams));
    this.router =
        new InstanceRouter(
            streams::streams,
            ProjectionSettings.applicationServer(config).map(HostInfo::buildFromEndpoint),
            Duration.ofMillis(
                config.getLong(
                    ProjectionSettings.FORWARD_TIMEOUT_MS,
                    ProjectionSettings.DEFAULT_FORWARD_TIMEOUT_MS)));
  }

  /** Queries over this instance's stores. */
  public RunQueries queries() {
    return queries;
  }

  /** The HTTP routes over {@link #queries()}, forwarding to the owner of a key. */
  public ProjectionRoutes routes() {
    return new ProjectionRoutes(queries, router);
  }

  /** The running Kafka Streams, or null before {@link #start()}. */
  public KafkaStreams streams() {
    return streams.streams();
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public void start() {
    streams.start();
  }

  @Override
  public boolean healthy() {
    return streams.healthy();
  }

  @Override
  public void close() {
    streams.close();
    memory.close();
  }
}
