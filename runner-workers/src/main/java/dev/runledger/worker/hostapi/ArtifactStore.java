package dev.runledger.worker.hostapi;

import dev.runledger.avro.Artifact;
import java.util.Optional;

/** Where the host API finds artifacts by id (the {@code artifacts} topic). */
@FunctionalInterface
interface ArtifactStore {

  /** The artifact, with its content when it is inline. */
  Optional<Artifact> find(String artifactId);
}
