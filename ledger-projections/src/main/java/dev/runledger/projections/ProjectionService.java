package dev.runledger.projections;

import dev.runledger.projections.query.LocalRunQueries;
import dev.runledger.projections.query.RunQueries;
import dev.runledger.projections.query.ViewStores;
import dev.runledger.schemas.config.LedgerConfig;
import dev.runledger.schemas.service.Service;
import dev.runledger.schemas.service.StreamsService;
import dev.runledger.schemas.topics.LedgerTopics;

/**
 * The projections as a {@link Service}: runs {@link ProjectionTopology} and answers queries over
 * its stores through {@link #queries()} and {@link #routes()}. Settings: {@link
 * ProjectionSettings}.
 */
public final class ProjectionService implements Service {
  public static final String NAME = "projections";

  private final StreamsService streams;
  private final RunQueries queries;

  public ProjectionService(final LedgerConfig config, final LedgerTopics topics) {
    this.streams =
        new StreamsService(
            NAME, ProjectionTopology.build(topics), ProjectionTopology.streamsConfig(config));
    this.queries = new LocalRunQueries(ViewStores.of(streams::streams));
  }

  /** Queries over this instance's stores. */
  public RunQueries queries() {
    return queries;
  }

  /** The HTTP routes over {@link #queries()}. */
  public ProjectionRoutes routes() {
    return new ProjectionRoutes(queries);
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
  }
}
