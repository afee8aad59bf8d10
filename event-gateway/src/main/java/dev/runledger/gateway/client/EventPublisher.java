package dev.runledger.gateway.client;

import dev.runledger.avro.AgentBinding;
import dev.runledger.avro.HostEvent;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * The gateway's producing port: host events onto the ingest topic, bindings and binding tombstones
 * onto the bindings topic. Each future completes when Kafka has acknowledged the record, or fails
 * with the producer's error.
 */
public interface EventPublisher {

  /** Produces a host event, keyed by its conversation key (or event id). */
  CompletableFuture<RecordMetadata> send(HostEvent event);

  /** Produces a binding, keyed {@code workspace_id/binding_id} (its scope's workspace). */
  CompletableFuture<RecordMetadata> putBinding(AgentBinding binding);

  /** Produces a tombstone that deletes the binding {@code bindingId} of {@code workspaceId}. */
  CompletableFuture<RecordMetadata> deleteBinding(String workspaceId, String bindingId);
}
