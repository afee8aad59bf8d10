package dev.runledger.orchestrator.dispatch;

import dev.runledger.avro.AgentBinding;
import dev.runledger.avro.RunnerManifest;

/**
 * What binding resolution decided for one event.
 *
 * @param outcome matched, no binding, or rejected
 * @param binding the winning binding when one won (also set for {@code runner.unknown}), else null
 * @param manifest the winner's runner manifest when matched, else null
 * @param reason stable reason code of a rejection, else null
 */
public record Resolution(
    Outcome outcome, AgentBinding binding, RunnerManifest manifest, String reason) {
  /** Two or more bindings tie on scope and priority; the event is not fanned out. */
  public static final String BINDING_AMBIGUOUS = "binding.ambiguous";

  /** The winning binding's runner has no manifest in the runners table. */
  public static final String RUNNER_UNKNOWN = "runner.unknown";

  /** Kinds of resolution. */
  public enum Outcome {
    MATCHED,
    NO_BINDING,
    REJECTED
  }

  static Resolution matched(final AgentBinding binding, final RunnerManifest manifest) {
    return new Resolution(Outcome.MATCHED, binding, manifest, null);
  }

  static Resolution noBinding() {
    return new Resolution(Outcome.NO_BINDING, null, null, null);
  }

  static Resolution rejected(final AgentBinding binding, final String reason) {
    return new Resolution(Outcome.REJECTED, binding, null, reason);
  }
}
