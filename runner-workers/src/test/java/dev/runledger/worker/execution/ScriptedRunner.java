package dev.runledger.worker.execution;

import dev.runledger.avro.AgentRunContext;
import dev.runledger.avro.RunnerManifest;
import dev.runledger.worker.spi.AgentRunner;
import dev.runledger.worker.spi.RunSession;

/** A runner whose {@code run} is a lambda. */
final class ScriptedRunner implements AgentRunner {
  static final String RUNNER_ID = "test:scripted/default";

  /** The body of {@link AgentRunner#run}. */
  @FunctionalInterface
  interface Script {
    void run(AgentRunContext context, RunSession session) throws Exception;
  }

  private final Script script;

  ScriptedRunner(final Script script) {
    this.script = script;
  }

  @Override
  public RunnerManifest manifest() {
    return RunnerManifest.newBuilder()
        .setRunnerId(RUNNER_ID)
        .setName("scripted")
        .setLabel("Scripted")
        .setVersion("test")
        .build();
  }

  @Override
  public void run(final AgentRunContext context, final RunSession session) throws Exception {
    script.run(context, session);
  }
}
