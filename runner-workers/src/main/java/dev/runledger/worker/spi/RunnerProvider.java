package dev.runledger.worker.spi;

import dev.runledger.schemas.config.LedgerConfig;
import java.util.List;

/**
 * A source of runners, discovered by {@link java.util.ServiceLoader}: list the implementing class
 * in {@code META-INF/services/dev.runledger.worker.spi.RunnerProvider} of its jar and put the jar
 * on the worker's classpath. Implementations need a public no-argument constructor.
 *
 * <p>A worker hosts every discovered runner whose manifest names the worker's pool; two runners
 * with the same {@code runner_id} stop the worker from starting.
 */
public interface RunnerProvider {

  /**
   * The runners this provider offers, configured from the worker's configuration (a provider reads
   * its own keys, e.g. {@code runners.proc.*}).
   */
  List<AgentRunner> runners(LedgerConfig config);
}
