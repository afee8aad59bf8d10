package dev.runledger.projections;

import dev.runledger.avro.AgentRun;
import dev.runledger.projections.http.InstanceRouter;
import dev.runledger.projections.http.RunSignals;
import dev.runledger.projections.query.LocalRunQueries;
import dev.runledger.projections.query.RunQueries;
import dev.runledger.projections.query.ViewStores;
import dev.runledger.schemas.config.CoreSettings;
import dev.runledger.schemas.config.LedgerConfig;
import dev.runledger.schemas.service.StreamsService;
import dev.runledger.schemas.topics.LedgerTopics;
import java.util.function.Consumer;
import org.apache.kafka.streams.state.HostInfo;

/**
 * The projections as a {@link StreamsService}: runs {@link ProjectionTopology} and answers queries
 * over its stores through {@link #queries()} and {@link #routes()} (which forward to the instance
 * that owns a key when several run). Settings: {@link ProjectionSettings}.
 */
public final class ProjectionService extends StreamsService {
  public static final String NAME = "projections";

  private final RunQueries queries;
  private final InstanceRouter router;
  private final RunViewListeners written;
  private final RunSignals signals = new RunSignals();
  private final RestoreProgress restores;

  public ProjectionService(final LedgerConfig config, final LedgerTopics topics) {
    this(config, topics, new RunViewListeners(), new RestoreProgress());
  }

  private ProjectionService(
      final LedgerConfig config,
      final LedgerTopics topics,
      final RunViewListeners written,
      final RestoreProgress restores) {
    super(
        NAME,
        ProjectionTopology.build(
            topics, topics.serdes(), config.get(ProjectionSettings.DELIVERIES_COALESCE), written),
        ProjectionTopology.streamsConfig(config),
        ProjectionSettings.MEMORY.budget(config),
        START_TIMEOUT,
        streams -> streams.setGlobalStateRestoreListener(restores));
    this.restores = restores;
    this.written = written;
    written.add(run -> signals.written(run.getRunId()));
    this.queries = new LocalRunQueries(ViewStores.of(this::streams));
    this.router =
        new InstanceRouter(
            this::streams,
            ProjectionSettings.applicationServer(config).map(HostInfo::buildFromEndpoint),
            config.get(ProjectionSettings.FORWARD_TIMEOUT),
            config.find(CoreSettings.AUTH_INTERNAL_TOKEN).filter(token -> !token.isBlank()));
  }

  /** What this instance restored from its changelogs since it started. */
  public RestoreProgress restores() {
    return restores;
  }

  /** Queries over this instance's stores. */
  public RunQueries queries() {
    return queries;
  }

  /**
   * Tells {@code listener} of each run as this instance's fold writes it to the {@code runs} view,
   * from now on, with the run as written (readable through {@link #queries()} from that moment). It
   * runs on a stream thread inside the fold, so it must return at once (one that throws is
   * dropped).
   */
  public void addRunListener(final Consumer<AgentRun> listener) {
    written.add(listener);
  }

  /** Stops telling {@code listener} (see {@link #addRunListener}). */
  public void removeRunListener(final Consumer<AgentRun> listener) {
    written.remove(listener);
  }

  /** The HTTP routes over {@link #queries()}, forwarding to the owner of a key. */
  public ProjectionRoutes routes() {
    return new ProjectionRoutes(queries, router, signals);
  }
}
