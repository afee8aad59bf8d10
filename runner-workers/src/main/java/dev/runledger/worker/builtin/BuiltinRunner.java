package dev.runledger.worker.builtin;

import dev.runledger.avro.Capabilities;
import dev.runledger.avro.RunnerManifest;
import dev.runledger.worker.spi.AgentRunner;

/**
 * A runner that ships with the worker: in pool {@code default}, streaming, interruptible and
 * steerable unless its manifest says more.
 */
abstract class BuiltinRunner implements AgentRunner {
  private final RunnerManifest manifest;

  BuiltinRunner(final RunnerManifest.Builder manifest) {
    this.manifest = manifest.build();
  }

  /** A builtin runner's manifest so far: id, names, version, pool and {@link #capabilities()}. */
  static RunnerManifest.Builder manifest(
      final String runnerId, final String name, final String label, final String version) {
    return RunnerManifest.newBuilder()
        .setRunnerId(runnerId)
        .setName(name)
        .setLabel(label)
        .setPool("default")
        .setCapabilities(capabilities().build())
        .setVersion(version);
  }

  /** What every builtin runner can do: stream, be interrupted and be steered. */
  static Capabilities.Builder capabilities() {
    return Capabilities.newBuilder().setStreaming(true).setInterrupt(true).setSteering(true);
  }

  @Override
  public final RunnerManifest manifest() {
    return manifest;
  }
}
