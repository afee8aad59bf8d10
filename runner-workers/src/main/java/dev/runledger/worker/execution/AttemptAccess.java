package dev.runledger.worker.execution;

import dev.runledger.avro.AgentRunContext;
import dev.runledger.avro.AgentRunResult;
import dev.runledger.avro.AuthorizationSnapshot;
import dev.runledger.avro.HostApiCall;
import dev.runledger.avro.LivenessPhase;
import dev.runledger.avro.SteeringItem;
import dev.runledger.worker.spi.RunAccess;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The {@link RunAccess} an attempt lends its host API (contract C4, ARCHITECTURE.md §12). */
final class AttemptAccess implements RunAccess {
  private static final Logger LOG = LoggerFactory.getLogger(AttemptAccess.class);

  private final RunExecution execution;

  AttemptAccess(final RunExecution execution) {
    this.execution = execution;
  }

  @Override
  public AgentRunContext context() {
    return execution.claim().context();
  }

  @Override
  public AuthorizationSnapshot snapshot() {
    return execution.claim().start().getSnapshot();
  }

  @Override
  public int attempt() {
    return execution.attempt();
  }

  @Override
  public boolean active() {
    return execution.active();
  }

  @Override
  public void audit(final HostApiCall call) {
    if (!execution.active()) {
      LOG.info(
          "run {} attempt {}: host-API call {} ({}) after the attempt ended; audited after it",
          execution.runId(),
          execution.attempt(),
          call.getAction(),
          call.getOutcome());
    }
    execution.audit(call);
  }

  @Override
  public void emit(final AgentRunResult result) {
    execution.emit(result);
  }

  @Override
  public List<SteeringItem> pullSteering(final boolean oneOnly) {
    return execution.pullSteering(oneOnly);
  }

  @Override
  public void liveness(final LivenessPhase phase) {
    execution.liveness(phase);
  }
}
