package dev.runledger.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.runledger.avro.Decision;
import dev.runledger.avro.DispatchDecision;
import java.time.Instant;
import java.util.Arrays;
import org.apache.kafka.common.serialization.Serde;
import org.junit.jupiter.api.Test;

class SingleObjectSerdesTest {
  private final Serde<DispatchDecision> serde =
      LedgerSerdes.singleObject().forType(DispatchDecision.class);

  private static DispatchDecision decision() {
    return DispatchDecision.newBuilder()
        .setEventId("e-1")
        .setDecision(Decision.RUN_CREATED)
        .setRunId("run-1")
        .setBindingId("b-1")
        .setDecidedAt(Instant.ofEpochMilli(1_700_000_000_123L))
        .build();
  }

  @Test
  void shouldRoundTripARecordWithTheSingleObjectMarker() {
    final byte[] bytes = serde.serializer().serialize("t", decision());

    assertThat(bytes[0]).isEqualTo((byte) 0xC3);
    assertThat(bytes[1]).isEqualTo((byte) 0x01);
    assertThat(serde.deserializer().deserialize("t", bytes)).isEqualTo(decision());
  }

  @Test
  void shouldPassTombstonesThroughAsNull() {
    assertThat(serde.serializer().serialize("t", null)).isNull();
    assertThat(serde.deserializer().deserialize("t", null)).isNull();
  }

  @Test
  void shouldRejectBytesWithoutTheMarkerAsBadHeader() {
    assertThatThrownBy(() -> serde.deserializer().deserialize("t", "{\"json\":true}".getBytes()))
        .isInstanceOfSatisfying(
            DecodeException.class, e -> assertThat(e.code()).isEqualTo(DecodeException.BAD_HEADER));
  }

  @Test
  void shouldRejectAnUnknownFingerprintAsUnknownSchema() {
    final byte[] bytes = serde.serializer().serialize("t", decision());
    bytes[2] ^= 0x5A;

    assertThatThrownBy(() -> serde.deserializer().deserialize("t", bytes))
        .isInstanceOfSatisfying(
            DecodeException.class,
            e -> assertThat(e.code()).isEqualTo(DecodeException.UNKNOWN_SCHEMA));
  }

  @Test
  void shouldRejectATruncatedBodyAsCorrupt() {
    final byte[] bytes = serde.serializer().serialize("t", decision());
    final byte[] truncated = Arrays.copyOf(bytes, 14);

    assertThatThrownBy(() -> serde.deserializer().deserialize("t", truncated))
        .isInstanceOfSatisfying(
            DecodeException.class, e -> assertThat(e.code()).isEqualTo(DecodeException.CORRUPT));
  }
}
