package dev.runledger.worker;

import dev.runledger.schemas.config.LedgerConfig;
import dev.runledger.worker.spi.AgentRunner;
import dev.runledger.worker.spi.RunnerProvider;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The runners one worker hosts: every runner of every {@link RunnerProvider} found by {@link
 * ServiceLoader} whose manifest names the worker's pool, by {@code runner_id}. Immutable.
 */
public final class RunnerCatalog {
  private static final Logger LOG = LoggerFactory.getLogger(RunnerCatalog.class);

  private final Map<String, AgentRunner> runners;

  private RunnerCatalog(final Map<String, AgentRunner> runners) {
    this.runners = Collections.unmodifiableMap(new LinkedHashMap<>(runners));
  }

  /** The runners of the providers on the classpath of this class's loader, for {@code pool}. */
  public static RunnerCatalog discover(final LedgerConfig config, final String pool) {
    final List<RunnerProvider> providers =
        ServiceLoader.load(RunnerProvider.class, RunnerCatalog.class.getClassLoader()).stream()
            .map(ServiceLoader.Provider::get)
            .toList();
    return of(providers, config, pool);
  }

  /**
   * The runners of these providers for {@code pool}.
   *
   * @throws IllegalStateException when two runners share a {@code runner_id}
   */
  public static RunnerCatalog of(
      final List<RunnerProvider> providers, final LedgerConfig config, final String pool) {
    final Map<String, AgentRunner> runners = new LinkedHashMap<>();
    for (final RunnerProvider provider : providers) {
      for (final AgentRunner runner : provider.runners(config)) {
        final String id = runner.manifest().getRunnerId();
        if (!pool.equals(runner.manifest().getPool())) {
          LOG.info(
              "runner {} belongs to pool {}, not {}; not hosted",
              id,
              runner.manifest().getPool(),
              pool);
          continue;
        }
        final AgentRunner previous = runners.putIfAbsent(id, runner);
        if (previous != null) {
          throw new IllegalStateException(
              "two runners declare runner_id '"
                  + id
                  + "' ("
                  + previous.getClass().getName()
                  + " and "
                  + runner.getClass().getName()
                  + "); remove one of their jars from the worker's classpath");
        }
      }
    }
    return new RunnerCatalog(runners);
  }

  public Optional<AgentRunner> find(final String runnerId) {
    return Optional.ofNullable(runners.get(runnerId));
  }

  public Collection<AgentRunner> all() {
    return runners.values();
  }

  public List<String> ids() {
    return List.copyOf(runners.keySet());
  }
}
