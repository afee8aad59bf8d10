package dev.runledger.orchestrator.dispatch;

import dev.runledger.avro.Actor;
import dev.runledger.avro.AgentBinding;
import dev.runledger.avro.BindingFilter;
import dev.runledger.avro.BindingScope;
import dev.runledger.avro.EventInput;
import dev.runledger.avro.EventSource;
import dev.runledger.avro.FilterOp;
import dev.runledger.avro.HostEvent;
import dev.runledger.avro.RunnerManifest;
import java.time.Instant;
import java.util.List;

/** Test data: a message in workspace ws1 / bot bot1 / conversation c1, bindings and manifests. */
public final class Fixtures {
  public static final String WORKSPACE = "ws1";
  public static final String BOT = "bot1";
  public static final String CONVERSATION = "c1";
  public static final String ECHO = "builtin:echo/default";
  public static final Instant EVENT_TIME = Instant.parse("2026-01-01T00:00:00Z");

  private Fixtures() {}

  /** A text message event in ws1/bot1/c1 from user u1. */
  public static HostEvent.Builder event(final String eventId) {
    return HostEvent.newBuilder()
        .setEventId(eventId)
        .setEventType("message.received")
        .setEventTime(EVENT_TIME)
        .setSource(EventSource.PLATFORM)
        .setWorkspaceId(WORKSPACE)
        .setBotId(BOT)
        .setConversationId(CONVERSATION)
        .setActor(Actor.newBuilder().setActorType("user").setActorId("u1").build())
        .setInput(EventInput.newBuilder().setText("hello").build());
  }

  /** An enabled workspace-wide binding of {@code message.*} to {@code runnerId}. */
  public static AgentBinding.Builder binding(final String bindingId, final String runnerId) {
    return AgentBinding.newBuilder()
        .setBindingId(bindingId)
        .setScope(scope(null, null, null))
        .setEventTypes(List.of("message.*"))
        .setRunnerId(runnerId);
  }

  public static BindingScope scope(
      final String bot, final String conversation, final String thread) {
    return BindingScope.newBuilder()
        .setWorkspaceId(WORKSPACE)
        .setBotId(bot)
        .setConversationId(conversation)
        .setThreadId(thread)
        .build();
  }

  public static BindingFilter filter(final String field, final FilterOp op, final String value) {
    return BindingFilter.newBuilder().setField(field).setOp(op).setValue(value).build();
  }

  /** A manifest of {@code runnerId} in {@code pool}, without permissions. */
  public static RunnerManifest.Builder manifest(final String runnerId, final String pool) {
    return RunnerManifest.newBuilder()
        .setRunnerId(runnerId)
        .setName("echo")
        .setLabel("Echo")
        .setPool(pool)
        .setVersion("1.0.0");
  }
}
