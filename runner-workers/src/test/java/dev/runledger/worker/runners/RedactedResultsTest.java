package dev.runledger.worker.runners;

import static org.assertj.core.api.Assertions.assertThat;

import dev.runledger.avro.AgentRunResult;
import dev.runledger.avro.MessageDelta;
import dev.runledger.schemas.json.AvroJson;
import java.util.List;
import org.junit.jupiter.api.Test;

class RedactedResultsTest {
  private static final String SECRET = "s3cr3t-value";
  private final ProcSession session = new ProcSession();
  private final RedactedResults results =
      new RedactedResults(new Redactor(List.of(SECRET)), session);

  @Test
  void shouldMaskASecretSplitAcrossThreeDeltas() {
    // when
    delta("assistant", "the key is s3");
    delta("assistant", "cr3t-va");
    delta("assistant", "lue, done");
    results.flush();

    // then nothing of the secret was emitted, and the text is whole
    assertThat(contents()).noneSatisfy(c -> assertThat(c).contains("cr3t"));
    assertThat(String.join("", contents())).isEqualTo("the key is " + Redactor.MASK + ", done");
  }

  @Test
  void shouldEmitADeltaAtOnceWhenItsEndCannotStartASecret() {
    delta("assistant", "hello ");

    assertThat(contents()).containsExactly("hello ");
  }

  @Test
  void shouldEmitWhatIsHeldBeforeAnyOtherResultAndBeforeADeltaOfAnotherRole() {
    // when
    delta("assistant", "ends in s3c");
    delta("user", "r3t-value");
    delta("user", " and s3");
    results.emit(
        "message.completed",
        AvroJson.mapper()
            .createObjectNode()
            .set(
                "message",
                AvroJson.mapper()
                    .createObjectNode()
                    .put("role", "assistant")
                    .put("content", "done")));

    // then the roles did not join, and the held "s3" came before the completed message
    assertThat(session.results)
        .extracting(AgentRunResult::getType)
        .containsExactly(
            "message.delta",
            "message.delta",
            "message.delta",
            "message.delta",
            "message.delta",
            "message.completed");
    assertThat(contents()).containsExactly("ends in ", "s3c", "r3t-value", " and ", "s3");
  }

  private void delta(final String role, final String content) {
    results.emit(
        "message.delta",
        AvroJson.mapper()
            .createObjectNode()
            .set(
                "chunk",
                AvroJson.mapper().createObjectNode().put("role", role).put("content", content)));
  }

  private List<String> contents() {
    return session.results.stream()
        .filter(r -> r.getPayload() instanceof MessageDelta)
        .map(r -> ((MessageDelta) r.getPayload()).getChunk().getContent().toString())
        .toList();
  }
}
