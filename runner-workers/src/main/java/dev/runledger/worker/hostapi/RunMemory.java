package dev.runledger.worker.hostapi;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the host API remembers about one attempt between calls: its own state writes (so a read
 * after a write sees the write before the state view has folded it) and the steering items it
 * pulled (so {@code event_get} can return them).
 */
final class RunMemory {
  private final Map<String, Optional<JsonNode>> writes = new ConcurrentHashMap<>();
  private final Map<String, JsonNode> pulled = new ConcurrentHashMap<>();
  private final java.util.concurrent.atomic.AtomicLong calls =
      new java.util.concurrent.atomic.AtomicLong();

  /** Counts one more call; the count so far. */
  long countCall() {
    return calls.incrementAndGet();
  }

  void write(final String scope, final String scopeId, final String key, final JsonNode value) {
    writes.put(id(scope, scopeId, key), Optional.ofNullable(value));
  }

  /** Empty when this attempt never wrote the key; an empty inner value when it deleted it. */
  Optional<Optional<JsonNode>> written(final String scope, final String scopeId, final String key) {
    return Optional.ofNullable(writes.get(id(scope, scopeId, key)));
  }

  /** This attempt's writes in a scope, by key (empty value = deleted). */
  Map<String, Optional<JsonNode>> writes(final String scope, final String scopeId) {
    final String prefix = id(scope, scopeId, "");
    final Map<String, Optional<JsonNode>> found = new java.util.TreeMap<>();
    writes.forEach(
        (id, value) -> {
          if (id.startsWith(prefix)) {
            found.put(id.substring(prefix.length()), value);
          }
        });
    return found;
  }

  void pulled(final String eventId, final JsonNode item) {
    pulled.put(eventId, item);
  }

  Optional<JsonNode> pulledItem(final String eventId) {
    return Optional.ofNullable(pulled.get(eventId));
  }

  /** True when a pulled steering item's input refers to the artifact. */
  boolean referencesArtifact(final String artifactId) {
    return pulled.values().stream()
        .anyMatch(
            item -> {
              final JsonNode input = item.path("input");
              for (final JsonNode ref : input.path("attachments")) {
                if (artifactId.equals(ref.path("artifact_id").asText(null))) {
                  return true;
                }
              }
              for (final JsonNode part : input.path("contents")) {
                if (artifactId.equals(part.path("artifact_id").asText(null))) {
                  return true;
                }
              }
              return false;
            });
  }

  private static String id(final String scope, final String scopeId, final String key) {
    return scope + '\u0000' + scopeId + '\u0000' + key;
  }
}
