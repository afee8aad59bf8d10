package dev.runledger.worker.builtin;

import dev.runledger.schemas.config.LedgerConfig;
import dev.runledger.worker.WorkerVersion;
import dev.runledger.worker.spi.AgentRunner;
import dev.runledger.worker.spi.RunnerProvider;
import java.util.List;

/**
 * The runners that ship with the worker: {@code builtin:echo/default} and {@code
 * builtin:scenario/default}.
 */
public final class BuiltinRunnerProvider implements RunnerProvider {

  @Override
  public List<AgentRunner> runners(final LedgerConfig config) {
    return List.of(new EchoRunner(WorkerVersion.get()), new ScenarioRunner(WorkerVersion.get()));
  }
}
