package dev.runledger.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;

import dev.runledger.avro.Decision;
import dev.runledger.avro.DispatchDecision;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageEncoder;
import org.junit.jupiter.api.Test;

/**
 * Version 2 of {@code DispatchDecision} adds {@code workspace_id} (the decision's key is {@code
 * workspace_id/event_id}): it is released, and a decision written with version 1 still reads, with
 * no workspace.
 */
class DispatchDecisionHistoryTest {
  private static final SchemaHistory HISTORY = SchemaHistory.load();

  private static List<Schema> versions() {
    return HISTORY.versionsOf(SchemaHistory.currentSchema(DispatchDecision.class).getFullName());
  }

  @Test
  void shouldHaveReleasedTheCurrentSchemaAsVersionTwo() {
    assertThat(versions()).hasSize(2);
    assertThat(versions().get(1)).isEqualTo(SchemaHistory.currentSchema(DispatchDecision.class));
    assertThat(versions().get(0).getField("workspace_id")).isNull();
  }

  @Test
  void shouldReadAVersionOneDecisionWithoutAWorkspace() throws Exception {
    // given a decision written by an orchestrator of version 1
    final Schema v1 = versions().get(0);
    final GenericRecord old = (GenericRecord) SampleData.sample(v1);
    old.put("event_id", "e1");
    final ByteBuffer written =
        new BinaryMessageEncoder<GenericRecord>(GenericData.get(), v1).encode(old);
    final byte[] bytes = new byte[written.remaining()];
    written.get(bytes);

    // when the current serde reads it
    final DispatchDecision decoded =
        SingleObjectSerdes.create(HISTORY)
            .forType(DispatchDecision.class)
            .deserializer()
            .deserialize("dispatch-decisions", bytes);

    // then it is the same decision, with no workspace
    assertThat(decoded.getEventId()).isEqualTo("e1");
    assertThat(decoded.getWorkspaceId()).isNull();
  }

  @Test
  void shouldKeepTheWorkspaceOfAVersionTwoDecision() {
    final DispatchDecision decision =
        DispatchDecision.newBuilder()
            .setEventId("e1")
            .setWorkspaceId("acme")
            .setDecision(Decision.NO_BINDING)
            .setDecidedAt(Instant.EPOCH)
            .build();
    final var serde = SingleObjectSerdes.create(HISTORY).forType(DispatchDecision.class);

    final DispatchDecision read =
        serde.deserializer().deserialize("t", serde.serializer().serialize("t", decision));

    assertThat(read.getWorkspaceId()).isEqualTo("acme");
  }
}
