package dev.runledger.orchestrator.dispatch;

import dev.runledger.avro.AgentBinding;
import dev.runledger.avro.DispatchMode;
import dev.runledger.avro.RunnerManifest;

/** The dispatch mode a binding runs with (ARCHITECTURE.md §6.4). */
final class DispatchModes {
  private DispatchModes() {}

  /**
   * The binding's mode; when absent, {@code steer} for runners with the steering capability and
   * {@code enqueue} for the others.
   */
  static DispatchMode effective(final AgentBinding binding, final RunnerManifest manifest) {
    final DispatchMode mode = binding.getDispatchPolicy().getMode();
    if (mode != null) {
      return mode;
    }
    return manifest.getCapabilities().getSteering() ? DispatchMode.STEER : DispatchMode.ENQUEUE;
  }
}
