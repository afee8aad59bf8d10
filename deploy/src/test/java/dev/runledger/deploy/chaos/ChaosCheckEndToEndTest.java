package dev.runledger.deploy.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import dev.runledger.deploy.DevStack;
import dev.runledger.deploy.harness.Binding;
import dev.runledger.deploy.harness.StackBuilder;
import dev.runledger.deploy.harness.TestApi;
import dev.runledger.deploy.harness.TestStack;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The chaos checker over a real stack: a clean history (duplicates included) has no anomaly. */
class ChaosCheckEndToEndTest {
  @RegisterExtension
  static final TestStack STACK =
      StackBuilder.named("chaos-check").awaitRunner(DevStack.ECHO_RUNNER).build();

  private final TestApi api = STACK.api();

  @Test
  void shouldFindNoAnomalyWhenEventsInSeveralConversationsAndDuplicatesAllComplete() {
    // given
    final String workspace = "w-chaos";
    api.bind("chaos-echo", Binding.of(workspace, DevStack.ECHO_RUNNER).priority(0));
    api.awaitBinding(workspace, "warm-up");

    // when: 24 events in 4 conversations, every third one sent twice
    for (int i = 0; i < 24; i++) {
      final String eventId = "chaos-" + i + "-" + UUID.randomUUID();
      api.post(TestApi.message(eventId, workspace, "c-" + (i % 4), "message " + i));
      if (i % 3 == 0) {
        api.post(TestApi.message(eventId, workspace, "c-" + (i % 4), "message " + i));
      }
    }
    final ChaosChecker.Result result =
        new ChaosCheck(STACK.config(), api.client()).check(Duration.ofSeconds(120), s -> {});

    // then: the 24 and the binding probes (the last one matched) each decided once, every run ended
    assertThat(result.anomalies().values()).as(result.examples().toString()).containsOnly(0);
    assertThat(result.events()).isGreaterThanOrEqualTo(25);
    assertThat(result.runs()).isEqualTo(25);
  }
}
