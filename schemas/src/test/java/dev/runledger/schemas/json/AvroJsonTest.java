package dev.runledger.schemas.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.runledger.avro.AgentBinding;
import dev.runledger.avro.AgentRun;
import dev.runledger.avro.AgentRunResult;
import dev.runledger.avro.ChatMessage;
import dev.runledger.avro.EventSource;
import dev.runledger.avro.FilterOp;
import dev.runledger.avro.HostEvent;
import dev.runledger.avro.LedgerRecord;
import dev.runledger.avro.LivenessPhase;
import dev.runledger.avro.LivenessView;
import dev.runledger.avro.MessageCompleted;
import dev.runledger.avro.RunStatus;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class AvroJsonTest {

  private static final String EVENT =
      "{\"event_id\":\"e1\",\"event_type\":\"message.received\",\"event_time\":1700000000000,"
          + "\"source\":\"platform\",\"workspace_id\":\"w1\",\"conversation_id\":\"c1\","
          + "\"input\":{\"text\":\"hi\"},\"metadata\":{\"a\":[1,2]}}";

  @Test
  void shouldParseAHostEventFillingDefaults() {
    final HostEvent event = AvroJson.fromJson(EVENT, HostEvent.class);

    assertThat(event.getEventTime()).isEqualTo(Instant.ofEpochMilli(1_700_000_000_000L));
    assertThat(event.getSource()).isEqualTo(EventSource.PLATFORM);
    assertThat(event.getInput().getText()).isEqualTo("hi");
    assertThat(event.getInput().getContents()).isEmpty();
    assertThat(event.getDelivery().getSurface()).isEqualTo("none");
    assertThat(event.getMetadataJson()).isEqualTo("{\"a\":[1,2]}");
  }

  @Test
  void shouldWriteJsonFieldsAsPlainJsonAndEnumsLowercase() {
    final ObjectNode json = AvroJson.toJson(AvroJson.fromJson(EVENT, HostEvent.class));

    assertThat(json.get("metadata").get("a").get(1).asInt()).isEqualTo(2);
    assertThat(json.has("metadata_json")).isFalse();
    assertThat(json.get("source").asText()).isEqualTo("platform");
    assertThat(json.get("event_time").asLong()).isEqualTo(1_700_000_000_000L);
    assertThat(AvroJson.fromJson(json, HostEvent.class))
        .isEqualTo(AvroJson.fromJson(EVENT, HostEvent.class));
  }

  @Test
  void shouldNameAMissingRequiredField() {
    assertThatThrownBy(
            () ->
                AvroJson.fromJson(
                    "{\"event_id\":\"e\",\"event_time\":1,\"workspace_id\":\"w\"}",
                    HostEvent.class))
        .isInstanceOfSatisfying(
            JsonFieldException.class, e -> assertThat(e.field()).isEqualTo("event_type"));
  }

  @Test
  void shouldNameAFieldOfTheWrongType() {
    final String body = EVENT.replace("{\"text\":\"hi\"}", "{\"text\":5}");

    assertThatThrownBy(() -> AvroJson.fromJson(body, HostEvent.class))
        .isInstanceOfSatisfying(
            JsonFieldException.class, e -> assertThat(e.field()).isEqualTo("input.text"));
  }

  @Test
  void shouldRejectAnUnknownNestedField() {
    final String binding =
        "{\"binding_id\":\"b\",\"scope\":{\"workspace_id\":\"w\",\"team\":\"x\"},"
            + "\"event_types\":[\"message.*\"],\"runner_id\":\"builtin:echo/default\"}";

    assertThatThrownBy(() -> AvroJson.fromJson(binding, AgentBinding.class))
        .isInstanceOfSatisfying(
            JsonFieldException.class, e -> assertThat(e.field()).isEqualTo("scope.team"));
  }

  @Test
  void shouldRejectAnUnknownEnumSymbolIncludingTheUnknownDefault() {
    final String binding =
        "{\"binding_id\":\"b\",\"scope\":{\"workspace_id\":\"w\"},\"event_types\":[\"message.*\"],"
            + "\"filters\":[{\"field\":\"input.text\",\"op\":\"%s\",\"value\":\"x\"}],\"runner_id\":\"r\"}";

    assertThat(
            AvroJson.fromJson(binding.formatted("regex"), AgentBinding.class)
                .getFilters()
                .get(0)
                .getOp())
        .isEqualTo(FilterOp.REGEX);
    assertThatThrownBy(() -> AvroJson.fromJson(binding.formatted("glob"), AgentBinding.class))
        .isInstanceOfSatisfying(
            JsonFieldException.class, e -> assertThat(e.field()).isEqualTo("filters[0].op"));
  }

  @Test
  void shouldReportMalformedJsonAgainstTheRoot() {
    assertThatThrownBy(() -> AvroJson.fromJson("{not json", HostEvent.class))
        .isInstanceOfSatisfying(JsonFieldException.class, e -> assertThat(e.field()).isEmpty());
  }

  @Test
  void shouldWrapABranchOfARecordUnionInItsName() {
    final LedgerRecord record =
        LedgerRecord.newBuilder()
            .setRunId("r")
            .setAttempt(1)
            .setSequence(2)
            .setTimestamp(Instant.ofEpochMilli(5))
            .setProducer("w")
            .setBody(
                AgentRunResult.newBuilder()
                    .setType("message.completed")
                    .setPayload(new MessageCompleted(new ChatMessage("assistant", "hello")))
                    .build())
            .build();

    final ObjectNode json = AvroJson.toJson(record);

    assertThat(json.at("/body/AgentRunResult/payload/MessageCompleted/message/content").asText())
        .isEqualTo("hello");
    assertThat(AvroJson.fromJson(json, LedgerRecord.class)).isEqualTo(record);
  }

  @Test
  void shouldWriteNullableTimestampsAsEpochMillis() {
    final AgentRun run =
        AgentRun.newBuilder()
            .setRunId("r")
            .setStatus(RunStatus.RUNNING)
            .setCreatedAt(Instant.ofEpochMilli(42))
            .setLiveness(new LivenessView(LivenessPhase.WAITING_MODEL, Instant.ofEpochMilli(43)))
            .build();

    final ObjectNode json = AvroJson.toJson(run);

    assertThat(json.get("created_at").asLong()).isEqualTo(42);
    assertThat(json.get("finished_at").isNull()).isTrue();
    assertThat(json.at("/liveness/since").asLong()).isEqualTo(43);
    assertThat(json.get("status").asText()).isEqualTo("running");
  }
}
