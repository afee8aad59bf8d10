package dev.runledger.orchestrator.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RunIdsTest {
  @Test
  void shouldDeriveTheSameRunIdWhenTheSameTupleIsSeenAgain() {
    assertThat(RunIds.runId("w1", "e1", "b1")).isEqualTo(RunIds.runId("w1", "e1", "b1"));
  }

  @Test
  void shouldDeriveDifferentRunIdsWhenAnyIdDiffers() {
    assertThat(RunIds.runId("w1", "e1", "b1"))
        .isNotEqualTo(RunIds.runId("w1", "e2", "b1"))
        .isNotEqualTo(RunIds.runId("w1", "e1", "b2"));
  }

  @Test
  void shouldDeriveDifferentRunIdsForTheSameEventAndBindingInTwoWorkspaces() {
    assertThat(RunIds.runId("acme", "e1", "b1")).isNotEqualTo(RunIds.runId("evil", "e1", "b1"));
  }

  @Test
  void shouldNotConfuseTheBoundariesBetweenTheIds() {
    assertThat(RunIds.runId("w", "a|b", "c")).isNotEqualTo(RunIds.runId("w", "a", "b|c"));
    assertThat(RunIds.runId("w", "a:b", "c")).isNotEqualTo(RunIds.runId("w", "a", "b:c"));
    assertThat(RunIds.runId("w/a", "b", "c")).isNotEqualTo(RunIds.runId("w", "a/b", "c"));
    assertThat(RunIds.runId("w|1:a", "b", "c")).isNotEqualTo(RunIds.runId("w", "1:a|b", "c"));
  }

  @Test
  void shouldLookLikeRunUnderscoreUuid() {
    assertThat(RunIds.runId("w1", "e1", "b1"))
        .matches("run_[0-9a-f]{8}-[0-9a-f]{4}-3[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
  }
}
