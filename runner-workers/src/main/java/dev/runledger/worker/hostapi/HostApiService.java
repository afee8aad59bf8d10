package dev.runledger.worker.hostapi;

import dev.runledger.schemas.config.LedgerConfig;
import dev.runledger.schemas.topics.LedgerTopics;
import dev.runledger.worker.spi.HostApi;
import dev.runledger.worker.spi.HostApiFactory;
import dev.runledger.worker.spi.RunAccess;
import java.time.Clock;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The worker's host API (ARCHITECTURE.md §7.5): a {@link HostApiFactory} whose {@link HostApi}s
 * check every call against the run's frozen authorization snapshot and active attempt, audit it as
 * a {@code HostApiCall}, and serve it from the projections' views over HTTP ({@link
 * HttpViewReader}, setting {@value HostApiSettings#VIEWS_URL}), the {@code artifacts} topic ({@link
 * ArtifactCache}) and the {@link Providers} found by {@link java.util.ServiceLoader}.
 *
 * <p>Found by {@code ServiceLoader} as the default factory (then {@link #configure} gives it the
 * worker's configuration), or built directly with {@link #HostApiService(LedgerConfig,
 * LedgerTopics)}. Close it with the worker: it stops the artifact cache's consumer.
 */
public final class HostApiService implements HostApiFactory, AutoCloseable {
  private static final int REMEMBERED_ATTEMPTS = 4096;

  private final HostApiSettings settings;
  private final ViewReader views;
  private final ArtifactStore artifacts;
  private final Providers providers;
  private final Clock clock;
  private final Map<String, RunMemory> memories =
      Collections.synchronizedMap(
          new LinkedHashMap<>(16, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(final Map.Entry<String, RunMemory> eldest) {
              return size() > REMEMBERED_ATTEMPTS;
            }
          });

  /** For {@link java.util.ServiceLoader}: defaults until {@link #configure} is called. */
  public HostApiService() {
    this(
        HostApiSettings.defaults(),
        new HttpViewReader(
            HostApiSettings.defaults().viewsUrl(),
            HostApiSettings.defaults().viewsTimeout(),
            Optional.empty()),
        id -> Optional.empty(),
        Providers.discover(),
        Clock.systemUTC());
  }

  /** The host API of a worker with this configuration. */
  public HostApiService(final LedgerConfig config, final LedgerTopics topics) {
    this(HostApiSettings.from(config), config, topics);
  }

  private HostApiService(
      final HostApiSettings settings, final LedgerConfig config, final LedgerTopics topics) {
    this(
        settings,
        new HttpViewReader(settings.viewsUrl(), settings.viewsTimeout(), settings.internalToken()),
        new ArtifactCache(
            config.kafkaProperties(), topics.artifacts(), settings.artifactCacheBytes()),
        Providers.discover(),
        Clock.systemUTC());
  }

  /** A host API over these ports (tests). */
  HostApiService(
      final HostApiSettings settings,
      final ViewReader views,
      final ArtifactStore artifacts,
      final Providers providers,
      final Clock clock) {
    this.settings = settings;
    this.views = views;
    this.artifacts = artifacts;
    this.providers = providers;
    this.clock = clock;
  }

  @Override
  public HostApiFactory configure(final LedgerConfig config, final LedgerTopics topics) {
    return new HostApiService(config, topics);
  }

  @Override
  public HostApi forRun(final RunAccess run) {
    final String attempt = run.snapshot().getRunId() + "#" + run.attempt();
    final RunMemory memory = memories.computeIfAbsent(attempt, id -> new RunMemory());
    return new RunHostApi(run, views, artifacts, providers, settings, clock, memory);
  }

  public HostApiSettings settings() {
    return settings;
  }

  @Override
  public void close() {
    if (artifacts instanceof AutoCloseable closeable) {
      try {
        closeable.close();
      } catch (final Exception e) {
        throw new IllegalStateException("could not close the artifact cache", e);
      }
    }
  }
}
