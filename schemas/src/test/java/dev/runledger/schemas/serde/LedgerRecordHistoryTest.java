package dev.runledger.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;

import dev.runledger.avro.LedgerRecord;
import dev.runledger.avro.LivenessPhase;
import dev.runledger.avro.RunClaimed;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageEncoder;
import org.junit.jupiter.api.Test;

/**
 * Version 2 of {@code LedgerRecord} adds {@code RunClaimed.phase}, the attempt's first liveness
 * phase (one record fewer per run): it is released, and a claim written with version 1 still reads,
 * with no phase.
 */
class LedgerRecordHistoryTest {
  private static final SchemaHistory HISTORY = SchemaHistory.load();

  private static List<Schema> versions() {
    return HISTORY.versionsOf(SchemaHistory.currentSchema(LedgerRecord.class).getFullName());
  }

  private static final LedgerSerdes SERDES = SingleObjectSerdes.create(HISTORY);

  @Test
  void shouldHaveReleasedTheCurrentSchemaAsVersionTwo() {
    assertThat(versions()).hasSize(2);
    assertThat(versions().get(1)).isEqualTo(SchemaHistory.currentSchema(LedgerRecord.class));
    assertThat(claimedSchema(versions().get(0)).getField("phase")).isNull();
  }

  @Test
  void shouldReadAVersionOneClaimWithoutAPhase() throws Exception {
    // given a RunClaimed written by a worker of version 1
    final Schema v1 = versions().get(0);
    final GenericRecord old = (GenericRecord) SampleData.sample(v1);
    final GenericRecord claimed = new GenericData.Record(claimedSchema(v1));
    claimed.put("worker_id", "w-1");
    claimed.put("attempt", 2);
    old.put("run_id", "r1");
    old.put("body", claimed);
    final ByteBuffer written =
        new BinaryMessageEncoder<GenericRecord>(GenericData.get(), v1).encode(old);
    final byte[] bytes = new byte[written.remaining()];
    written.get(bytes);

    // when the current serde reads it
    final LedgerRecord decoded =
        SERDES.forType(LedgerRecord.class).deserializer().deserialize("run-ledger", bytes);

    // then it is the same claim, with no phase
    assertThat(decoded.getRunId()).isEqualTo("r1");
    assertThat(decoded.getBody()).isEqualTo(new RunClaimed("w-1", 2, null));
  }

  @Test
  void shouldKeepThePhaseOfAVersionTwoClaim() {
    final LedgerRecord record =
        LedgerRecord.newBuilder()
            .setRunId("r1")
            .setAttempt(1)
            .setSequence(1)
            .setTimestamp(Instant.EPOCH)
            .setProducer("w-1")
            .setBody(new RunClaimed("w-1", 1, LivenessPhase.WAITING_RUNNER))
            .build();
    final var serde = SERDES.forType(LedgerRecord.class);

    final LedgerRecord read =
        serde.deserializer().deserialize("t", serde.serializer().serialize("t", record));

    assertThat(((RunClaimed) read.getBody()).getPhase()).isEqualTo(LivenessPhase.WAITING_RUNNER);
  }

  private static Schema claimedSchema(final Schema ledgerRecord) {
    return ledgerRecord.getField("body").schema().getTypes().stream()
        .filter(s -> s.getName().equals("RunClaimed"))
        .findFirst()
        .orElseThrow();
  }
}
