package dev.runledger.worker.runners;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runledger.schemas.json.AvroJson;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RedactorTest {
  private static final String SECRET = "s3cr3t/value-42";
  private final Redactor redactor = new Redactor(List.of(SECRET));

  @Test
  void shouldMaskASecretWrittenWithJsonUnicodeEscapesAndEscapedSlashes() throws Exception {
    // given a line whose secret is spelled with escapes, in a value and in a field name
    final String escaped = "\\u0073\\u0033cr3t\\/value-42";
    final String line =
        "{\"type\":\"message.completed\",\"data\":{\"message\":{\"role\":\"assistant\","
            + "\"content\":\"key="
            + escaped
            + "\"},\"extra\":{\""
            + escaped
            + "\":[\""
            + escaped
            + "\"]}}}";

    // when
    final JsonNode redacted = redactor.redact(AvroJson.mapper().readTree(line));

    // then
    final String text = AvroJson.text(redacted);
    assertThat(text).doesNotContain("s3cr3t").doesNotContain("value-42");
    assertThat(redacted.at("/data/message/content").asText()).isEqualTo("key=" + Redactor.MASK);
    assertThat(redacted.at("/data/extra").has(Redactor.MASK)).isTrue();
    assertThat(redacted.at("/data/extra/" + Redactor.MASK + "/0").asText())
        .isEqualTo(Redactor.MASK);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "a", "ab"})
  void shouldMaskTheBase64OfASecretInsideTextAtEveryByteOffset(final String before) {
    // given the base64 of some bytes that contain the secret, in both alphabets
    final byte[] bytes = (before + SECRET + " and more").getBytes(StandardCharsets.UTF_8);
    final String standard = Base64.getEncoder().encodeToString(bytes);
    final String urlSafe = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);

    // when
    final String masked = redactor.redact("std " + standard + " url " + urlSafe + " end");

    // then neither encoding survives, nor does any secret byte decode back out of what is left
    assertThat(masked).contains(Redactor.MASK).startsWith("std ").endsWith(" end");
    assertThat(masked.split(" "))
        .allSatisfy(word -> assertThat(decodes(word)).doesNotContain("cr3t/value"));
  }

  @Test
  void shouldMaskASecretInsideAWholeBase64ValueAndKeepItValidBase64() {
    // given an inline artifact whose content holds the secret
    final String content =
        Base64.getEncoder()
            .encodeToString(("file with " + SECRET + " inside").getBytes(StandardCharsets.UTF_8));

    // when
    final String masked = redactor.redact(content);

    // then
    assertThat(new String(Base64.getDecoder().decode(masked), StandardCharsets.UTF_8))
        .isEqualTo("file with " + Redactor.MASK + " inside");
  }

  @Test
  void shouldLeaveBase64WithoutASecretAndShortSecretsAlone() {
    final String content =
        Base64.getEncoder().encodeToString("nothing here".getBytes(StandardCharsets.UTF_8));
    final Redactor short3 = new Redactor(List.of("abc"));

    assertThat(redactor.redact(content)).isEqualTo(content);
    assertThat(short3.redact("abc def")).isEqualTo("abc def");
  }

  @Test
  void shouldMaskASecretAddedWithWith() {
    final Redactor perRun = redactor.with("run-token-XYZ_123");

    assertThat(perRun.redact("t=run-token-XYZ_123 s=" + SECRET))
        .isEqualTo("t=" + Redactor.MASK + " s=" + Redactor.MASK);
    assertThat(redactor.redact("t=run-token-XYZ_123")).isEqualTo("t=run-token-XYZ_123");
  }

  @Test
  void shouldHoldOnlyAnEndThatCouldStartASecret() {
    assertThat(redactor.heldTail("the key is s3cr")).isEqualTo(4);
    assertThat(redactor.heldTail("the key is s")).isEqualTo(1);
    assertThat(redactor.heldTail("nothing to hold")).isZero();
    assertThat(redactor.heldTail("whole " + Redactor.MASK)).isZero();
    assertThat(new Redactor(List.of()).heldTail("anything")).isZero();
  }

  private static String decodes(final String word) {
    for (final Base64.Decoder decoder : List.of(Base64.getDecoder(), Base64.getUrlDecoder())) {
      try {
        return new String(decoder.decode(word), StandardCharsets.ISO_8859_1);
      } catch (final IllegalArgumentException e) {
        // not this alphabet
      }
    }
    return word;
  }
}
