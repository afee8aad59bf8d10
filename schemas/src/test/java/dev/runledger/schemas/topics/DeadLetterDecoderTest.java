package dev.runledger.schemas.topics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.runledger.schemas.serde.DecodeException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.junit.jupiter.api.Test;

class DeadLetterDecoderTest {
  private final List<String> dead = new ArrayList<>();
  private final DeadLetterDecoder.Sink sink = (code, message) -> dead.add(code + ": " + message);

  private static final Deserializer<String> TEXT =
      (topic, bytes) -> {
        if (bytes == null) {
          return null;
        }
        final String text = new String(bytes, StandardCharsets.UTF_8);
        if (text.startsWith("bad")) {
          throw new DecodeException(DecodeException.BAD_HEADER, "no marker", null);
        }
        if (text.startsWith("odd")) {
          throw new SerializationException("odd bytes");
        }
        return text;
      };

  @Test
  void shouldDecodeAValueWithoutADeadLetter() {
    assertThat(DeadLetterDecoder.of("t", TEXT).decode(bytes("ok"), sink)).contains("ok");
    assertThat(dead).isEmpty();
  }

  @Test
  void shouldDeadLetterAMissingValueWithItsMessage() {
    final Optional<String> decoded =
        DeadLetterDecoder.of("t", TEXT).whenEmpty("a command needs a value").decode(null, sink);

    assertThat(decoded).isEmpty();
    assertThat(dead).containsExactly(DeadLetters.EMPTY_VALUE + ": a command needs a value");
  }

  @Test
  void shouldDeadLetterUndecodableBytesWithTheDecodeCode() {
    final DeadLetterDecoder<String> decoder = DeadLetterDecoder.of("t", TEXT);

    assertThat(decoder.decode(bytes("bad"), sink)).isEmpty();
    assertThat(decoder.decode(bytes("odd"), sink)).isEmpty();

    assertThat(dead)
        .containsExactly(
            DecodeException.BAD_HEADER + ": no marker", DecodeException.CORRUPT + ": odd bytes");
  }

  private static byte[] bytes(final String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
