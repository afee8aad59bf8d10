package dev.runledger.worker;

import dev.runledger.avro.AgentRunContext;
import dev.runledger.avro.AuthorizationSnapshot;
import dev.runledger.avro.AvailableApis;
import dev.runledger.avro.ContextPointers;
import dev.runledger.avro.ConversationRef;
import dev.runledger.avro.Delivery;
import dev.runledger.avro.EventInput;
import dev.runledger.avro.EventView;
import dev.runledger.avro.Permissions;
import dev.runledger.avro.RunCommand;
import dev.runledger.avro.RunResources;
import dev.runledger.avro.RunRuntime;
import dev.runledger.avro.StartRun;
import dev.runledger.avro.Trigger;
import java.time.Instant;

/** Commands and contexts for tests. */
public final class Fixtures {
  public static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

  private Fixtures() {}

  /** A StartRun for {@code runId} with input {@code text}, runner config and deadline. */
  public static StartRun startRun(
      final String runId,
      final String runnerId,
      final String text,
      final String configJson,
      final Instant deadline) {
    return StartRun.newBuilder()
        .setContext(context(runId, text, configJson, deadline))
        .setSnapshot(snapshot(runId, runnerId))
        .setDeadlineAt(deadline)
        .build();
  }

  public static RunCommand command(final StartRun start) {
    return RunCommand.newBuilder().setRunId(start.getContext().getRunId()).setKind(start).build();
  }

  public static AgentRunContext context(
      final String runId, final String text, final String configJson, final Instant deadline) {
    return AgentRunContext.newBuilder()
        .setRunId(runId)
        .setTrigger(Trigger.newBuilder().setType("message.received").setTimestamp(NOW).build())
        .setEvent(
            EventView.newBuilder()
                .setEventId("ev-" + runId)
                .setEventType("message.received")
                .setEventTime(NOW)
                .setWorkspaceId("ws")
                .setBotId("bot")
                .build())
        .setConversation(
            ConversationRef.newBuilder()
                .setWorkspaceId("ws")
                .setBotId("bot")
                .setConversationId("c1")
                .build())
        .setInput(EventInput.newBuilder().setText(text).build())
        .setDelivery(Delivery.newBuilder().build())
        .setResources(RunResources.newBuilder().build())
        .setContext(
            ContextPointers.newBuilder()
                .setConversationId("c1")
                .setAvailableApis(AvailableApis.newBuilder().build())
                .build())
        .setRuntime(RunRuntime.newBuilder().setTraceId(runId).setDeadlineAt(deadline).build())
        .setConfigJson(configJson)
        .build();
  }

  public static AuthorizationSnapshot snapshot(final String runId, final String runnerId) {
    return AuthorizationSnapshot.newBuilder()
        .setRunId(runId)
        .setRunnerId(runnerId)
        .setBindingId("b1")
        .setWorkspaceId("ws")
        .setConversationId("c1")
        .setPermissions(Permissions.newBuilder().build())
        .setAvailableApis(AvailableApis.newBuilder().build())
        .setCreatedAt(NOW)
        .build();
  }
}
