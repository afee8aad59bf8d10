package dev.runledger.worker.execution;

import dev.runledger.avro.AgentRunResult;
import dev.runledger.avro.RunCompleted;
import dev.runledger.avro.RunFailed;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The source event ids of the steering items an attempt pulled, in pull order, and the terminal
 * that lists them in its {@code pulled_steering} after the runner's own ids. Not thread-safe.
 */
final class PulledSteering {
  private final Set<String> pulled = new LinkedHashSet<>();

  /** Remembers one more pulled item. */
  void add(final String sourceEventId) {
    pulled.add(sourceEventId);
  }

  /** {@code terminal} with the pulled ids added to its {@code pulled_steering}. */
  AgentRunResult listedIn(final AgentRunResult terminal) {
    if (pulled.isEmpty()) {
      return terminal;
    }
    if (terminal.getPayload() instanceof RunCompleted completed) {
      return new AgentRunResult(
          terminal.getType(),
          RunCompleted.newBuilder(completed)
              .setPulledSteering(withPulled(completed.getPulledSteering()))
              .build());
    }
    if (terminal.getPayload() instanceof RunFailed failed) {
      return new AgentRunResult(
          terminal.getType(),
          RunFailed.newBuilder(failed)
              .setPulledSteering(withPulled(failed.getPulledSteering()))
              .build());
    }
    return terminal;
  }

  private List<String> withPulled(final List<String> own) {
    final Set<String> ids = new LinkedHashSet<>(own);
    ids.addAll(pulled);
    return List.copyOf(ids);
  }
}
