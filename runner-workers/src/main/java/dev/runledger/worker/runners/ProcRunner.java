package dev.runledger.worker.runners;

import dev.runledger.avro.AgentRunContext;
import dev.runledger.avro.RunnerManifest;
import dev.runledger.worker.spi.AgentRunner;
import dev.runledger.worker.spi.RunSession;
import java.util.Map;

/**
 * A {@code proc:<name>} runner (ARCHITECTURE.md §7.6): runs a configured command per run, in its
 * own working directory, and speaks the stdio runner protocol with it ({@code
 * docs/runner-protocol.md}). See {@link ProcRunnerSettings} for its configuration and {@link
 * ProcRun} for one execution.
 */
final class ProcRunner implements AgentRunner {
  private final RunnerManifest manifest;
  private final ProcRunnerSettings settings;
  private final Map<String, String> workerEnv;

  public ProcRunner(
      final RunnerManifest manifest,
      final ProcRunnerSettings settings,
      final Map<String, String> workerEnv) {
    this.manifest = manifest;
    this.settings = settings;
    this.workerEnv = Map.copyOf(workerEnv);
  }

  @Override
  public RunnerManifest manifest() {
    return manifest;
  }

  public ProcRunnerSettings settings() {
    return settings;
  }

  @Override
  public void run(final AgentRunContext context, final RunSession session) throws Exception {
    new ProcRun(manifest.getRunnerId(), settings, workerEnv, context, session).execute();
  }
}
