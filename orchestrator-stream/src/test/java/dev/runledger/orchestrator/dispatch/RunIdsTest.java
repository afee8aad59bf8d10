package dev.runledger.orchestrator.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RunIdsTest {
  @Test
  void shouldDeriveTheSameRunIdWhenTheSamePairIsSeenAgain() {
    assertThat(RunIds.runId("e1", "b1")).isEqualTo(RunIds.runId("e1", "b1"));
  }

  @Test
  void shouldDeriveDifferentRunIdsWhenEitherIdDiffers() {
    assertThat(RunIds.runId("e1", "b1"))
        .isNotEqualTo(RunIds.runId("e2", "b1"))
        .isNotEqualTo(RunIds.runId("e1", "b2"));
  }

  @Test
  void shouldNotConfuseTheBoundaryBetweenTheTwoIds() {
    assertThat(RunIds.runId("a|b", "c")).isNotEqualTo(RunIds.runId("a", "b|c"));
    assertThat(RunIds.runId("a:b", "c")).isNotEqualTo(RunIds.runId("a", "b:c"));
  }

  @Test
  void shouldLookLikeRunUnderscoreUuid() {
    assertThat(RunIds.runId("e1", "b1"))
        .matches("run_[0-9a-f]{8}-[0-9a-f]{4}-3[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
  }
}
