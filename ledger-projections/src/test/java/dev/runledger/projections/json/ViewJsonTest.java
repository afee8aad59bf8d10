package dev.runledger.projections.json;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.runledger.avro.AgentRun;
import dev.runledger.avro.AgentRunEvent;
import dev.runledger.avro.RunStatus;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ViewJsonTest {
  @Test
  void shouldWriteNullableTimestampsAsEpochMillisWhenSet() {
    // given
    final AgentRun run =
        AgentRun.newBuilder()
            .setRunId("run-1")
            .setStatus(RunStatus.RUNNING)
            .setCreatedAt(Instant.ofEpochMilli(1_700_000_000_123L))
            .build();

    // when
    final ObjectNode json = ViewJson.toJson(run);

    // then
    assertThat(json.get("created_at").asLong()).isEqualTo(1_700_000_000_123L);
    assertThat(json.get("finished_at").isNull()).isTrue();
    assertThat(json.get("status").asText()).isEqualTo("running");
    assertThat(json.at("/steering/queued").asInt()).isZero();
  }

  @Test
  void shouldEmbedDataJsonAsPlainJsonUnderDataWhenWritingAnEvent() {
    // given
    final AgentRunEvent event =
        AgentRunEvent.newBuilder()
            .setRunId("run-1")
            .setSeq(1)
            .setType("message.delta")
            .setAttempt(1)
            .setSequence(2)
            .setTimestamp(Instant.ofEpochMilli(5))
            .setProducer("worker-1")
            .setDataJson("{\"chunk\":{\"role\":\"assistant\",\"content\":\"hi\"}}")
            .build();

    // when
    final ObjectNode json = ViewJson.toJson(event);

    // then
    assertThat(json.at("/data/chunk/content").asText()).isEqualTo("hi");
    assertThat(json.has("data_json")).isFalse();
    assertThat(json.get("timestamp").asLong()).isEqualTo(5);
  }
}
