package dev.runledger.orchestrator.dispatch;

import dev.runledger.avro.AgentBinding;
import dev.runledger.avro.AgentRunContext;
import dev.runledger.avro.AuthorizationSnapshot;
import dev.runledger.avro.ContextPointers;
import dev.runledger.avro.ConversationRef;
import dev.runledger.avro.EventView;
import dev.runledger.avro.HostEvent;
import dev.runledger.avro.RunResources;
import dev.runledger.avro.RunRuntime;
import dev.runledger.avro.Trigger;
import java.time.Instant;

/**
 * Builds what a runner sees when its run starts (ARCHITECTURE.md §3 {@code AgentRunContext}). No
 * history is inlined: the context only points at the conversation; the runner pulls what its
 * snapshot's {@code available_apis} allow.
 */
final class RunContexts {
  private RunContexts() {}

  /** The context of a new run; attempt 0 (the worker sets its own), trace id = run id. */
  static AgentRunContext startContext(
      final HostEvent event,
      final AgentBinding binding,
      final AuthorizationSnapshot snapshot,
      final String runId,
      final Instant deadline) {
    return AgentRunContext.newBuilder()
        .setRunId(runId)
        .setTrigger(
            Trigger.newBuilder()
                .setType(event.getEventType())
                .setSource(event.getSource())
                .setTimestamp(event.getEventTime())
                .build())
        .setEvent(eventView(event))
        .setConversation(conversation(event))
        .setActor(event.getActor())
        .setSubject(event.getSubject())
        .setInput(event.getInput())
        .setDelivery(event.getDelivery())
        .setResources(resources(snapshot))
        .setContext(
            ContextPointers.newBuilder()
                .setConversationId(event.getConversationId())
                .setThreadId(event.getThreadId())
                .setAvailableApis(snapshot.getAvailableApis())
                .build())
        .setRuntime(
            RunRuntime.newBuilder().setTraceId(runId).setDeadlineAt(deadline).setAttempt(0).build())
        .setConfigJson(binding.getRunnerConfigJson())
        .setMetadataJson(event.getMetadataJson())
        .build();
  }

  private static EventView eventView(final HostEvent event) {
    return EventView.newBuilder()
        .setEventId(event.getEventId())
        .setEventType(event.getEventType())
        .setEventTime(event.getEventTime())
        .setSourceEventType(event.getSourceEventType())
        .setWorkspaceId(event.getWorkspaceId())
        .setBotId(event.getBotId())
        .setRawRef(event.getRawRef())
        .build();
  }

  static ConversationRef conversation(final HostEvent event) {
    if (event.getConversationId() == null) {
      return null;
    }
    return ConversationRef.newBuilder()
        .setWorkspaceId(event.getWorkspaceId())
        .setBotId(event.getBotId())
        .setConversationId(event.getConversationId())
        .setThreadId(event.getThreadId())
        .build();
  }

  private static RunResources resources(final AuthorizationSnapshot snapshot) {
    return RunResources.newBuilder()
        .setModels(snapshot.getModels())
        .setTools(snapshot.getTools())
        .setKnowledgeBases(snapshot.getKnowledgeBases())
        .setStorageAreas(snapshot.getStorageAreas())
        .setStateScopes(snapshot.getStateScopes())
        .build();
  }
}
