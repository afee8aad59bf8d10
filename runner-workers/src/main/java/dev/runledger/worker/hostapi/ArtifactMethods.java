package dev.runledger.worker.hostapi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.runledger.avro.AgentRunContext;
import dev.runledger.avro.Artifact;
import dev.runledger.avro.ArtifactRef;
import dev.runledger.avro.ContentPart;
import dev.runledger.schemas.json.AvroJson;
import dev.runledger.worker.spi.AgentApiException;
import dev.runledger.worker.spi.RunAccess;
import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.Optional;

/**
 * {@code artifact_metadata} and {@code artifact_read_range}. A run may see the artifacts it created
 * and those of its own workspace its input (or a steering item it pulled) refers to — a reference
 * to another workspace's artifact id grants nothing; reads are at most 1 MiB.
 */
final class ArtifactMethods {
  private static final long DEFAULT_LENGTH = 65_536;

  private final RunAccess run;
  private final ArtifactStore store;
  private final HostApiSettings settings;
  private final RunMemory memory;

  ArtifactMethods(
      final RunAccess run,
      final ArtifactStore store,
      final HostApiSettings settings,
      final RunMemory memory) {
    this.run = run;
    this.store = store;
    this.settings = settings;
    this.memory = memory;
  }

  JsonNode metadata(final Params p, final Target target) {
    RunHostApi.requireApi(
        run.snapshot().getAvailableApis().getArtifactMetadata(), "artifact_metadata");
    final Artifact artifact = visible(p, target);
    final ObjectNode answer = AvroJson.toJson(artifact);
    answer.remove("content");
    return answer;
  }

  JsonNode readRange(final Params p, final Target target) {
    RunHostApi.requireApi(run.snapshot().getAvailableApis().getArtifactRead(), "artifact_read");
    final long offset = p.integer("offset", 0, 0, Long.MAX_VALUE);
    final long length = p.integer("length", DEFAULT_LENGTH, 1, Long.MAX_VALUE);
    if (length > settings.maxReadBytes()) {
      throw new AgentApiException(
          AgentApiException.PAYLOAD_TOO_LARGE,
          "length " + length + " is over the read limit of " + settings.maxReadBytes() + " bytes");
    }
    final Artifact artifact = visible(p, target);
    if (artifact.getContent() == null) {
      throw RunHostApi.notFound(
          "artifact " + artifact.getArtifactId() + " has no content stored inline");
    }
    final ByteBuffer content = artifact.getContent().duplicate();
    final int size = content.remaining();
    final int from = (int) Math.min(offset, size);
    final int count = (int) Math.min(length, size - from);
    final byte[] bytes = new byte[count];
    content.position(content.position() + from);
    content.get(bytes);
    final ObjectNode answer = AvroJson.mapper().createObjectNode();
    answer.put("artifact_id", artifact.getArtifactId());
    answer.put("offset", from);
    answer.put("length", count);
    answer.put("size_bytes", size);
    answer.put("eof", from + count >= size);
    answer.put("content_base64", Base64.getEncoder().encodeToString(bytes));
    return answer;
  }

  private Artifact visible(final Params p, final Target target) {
    final String id = p.text("artifact_id");
    target.resource(id).scope(run.snapshot().getRunId());
    final boolean referenced = referencedByInput(id) || referencedBySteering(id);
    final Optional<Artifact> artifact = store.find(id);
    final boolean own =
        artifact.map(a -> run.snapshot().getRunId().equals(a.getRunId())).orElse(false);
    final boolean ofWorkspace =
        artifact.map(a -> run.snapshot().getWorkspaceId().equals(a.getWorkspaceId())).orElse(false);
    if (own || (referenced && ofWorkspace)) {
      return artifact.orElseThrow();
    }
    if (referenced) {
      // an artifact of another workspace reads as one that is not stored, so a run cannot learn
      // which ids other workspaces hold (audited as a denial all the same)
      target.denied();
      throw RunHostApi.notFound("artifact " + id + " is not stored in the run's workspace");
    }
    throw RunHostApi.unauthorized(
        "artifact " + id + " is neither the run's own nor referenced by its input");
  }

  private boolean referencedByInput(final String id) {
    final AgentRunContext context = run.context();
    for (final ArtifactRef ref : context.getInput().getAttachments()) {
      if (id.equals(ref.getArtifactId())) {
        return true;
      }
    }
    for (final ContentPart part : context.getInput().getContents()) {
      if (id.equals(part.getArtifactId())) {
        return true;
      }
    }
    return false;
  }

  private boolean referencedBySteering(final String id) {
    return memory.referencesArtifact(id);
  }
}
