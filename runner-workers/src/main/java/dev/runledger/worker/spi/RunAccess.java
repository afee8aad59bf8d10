package dev.runledger.worker.spi;

import dev.runledger.avro.AgentRunContext;
import dev.runledger.avro.AgentRunResult;
import dev.runledger.avro.AuthorizationSnapshot;
import dev.runledger.avro.HostApiCall;
import dev.runledger.avro.LivenessPhase;
import dev.runledger.avro.SteeringItem;
import java.util.List;

/**
 * What the worker lends a {@link HostApi} for one attempt of one run: the frozen facts it checks
 * calls against, and the attempt's own ledger writer, so audit records and {@code state.updated}
 * results take the attempt's next sequence numbers.
 */
public interface RunAccess {

  /** The run's context as the runner sees it. */
  AgentRunContext context();

  /** What the run may touch; frozen at creation, never widened. */
  AuthorizationSnapshot snapshot();

  /** This attempt's number. */
  int attempt();

  /** True while this attempt is the run's active one and has not ended. */
  boolean active();

  /**
   * Appends a {@code HostApiCall} audit record to the ledger as the attempt's next record; also
   * once the attempt ended (then after its terminal), so a late call is audited too.
   */
  void audit(HostApiCall call);

  /** Appends a result (e.g. {@code state.updated}) to the ledger as the attempt's next record. */
  void emit(AgentRunResult result);

  /**
   * Takes queued steering items ({@code all}, or only the oldest when {@code oneOnly}), appends
   * {@code SteeringInjected} for each, and remembers them for the terminal record.
   */
  List<SteeringItem> pullSteering(boolean oneOnly);

  /**
   * Reports what the run waits on, e.g. {@code WAITING_MODEL} around {@code invoke_model} and
   * {@code WAITING_TOOL} around {@code call_tool}, then {@code IDLE_AFTER_TOOL}; written as {@code
   * RunLiveness} when the phase changes.
   */
  default void liveness(final LivenessPhase phase) {}
}
