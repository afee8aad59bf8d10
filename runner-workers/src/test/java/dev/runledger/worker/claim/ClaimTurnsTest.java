package dev.runledger.worker.claim;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ClaimTurnsTest {
  private final AtomicInteger opened = new AtomicInteger();
  private final StopSignal stop = new StopSignal();
  private final ClaimTurns turns = new ClaimTurns(2, 3, opened::incrementAndGet, stop);

  @Test
  void shouldOpenTheClaimersAndGiveEachOfThemATurnWhenStarted() throws InterruptedException {
    // when
    turns.openClaimers();

    // then
    assertThat(opened).hasValue(2);
    assertThat(turns.take(Duration.ZERO)).isTrue();
    assertThat(turns.take(Duration.ZERO)).isTrue();
    assertThat(turns.take(Duration.ZERO)).isFalse();
  }

  @Test
  void shouldOpenAnotherConsumerToTakeTheTurnWhenABatchIsHandedOverAndNoneIsIdle()
      throws InterruptedException {
    // given
    turns.openClaimers();
    assertThat(turns.take(Duration.ZERO)).isTrue();

    // when
    turns.handOver();

    // then
    assertThat(opened).hasValue(3);
    assertThat(turns.open()).isEqualTo(3);
    assertThat(turns.take(Duration.ZERO)).isTrue();
  }

  @Test
  void shouldOpenNoMoreThanTheMaximumWhenBatchesKeepBeingHandedOver() throws InterruptedException {
    // given
    turns.openClaimers();

    // when
    for (int i = 0; i < 5; i++) {
      assertThat(turns.take(Duration.ZERO)).isTrue();
      turns.handOver();
    }

    // then
    assertThat(opened).hasValue(3);
    assertThat(turns.open()).isEqualTo(3);
  }

  @Test
  void shouldOpenNothingWhenHandingOverWhileStopping() throws InterruptedException {
    // given
    turns.openClaimers();
    assertThat(turns.take(Duration.ZERO)).isTrue();
    stop.stop(Duration.ZERO);

    // when
    turns.handOver();

    // then
    assertThat(opened).hasValue(2);
  }

  @Test
  void shouldRetireOnlyConsumersBeyondTheClaimersWhenIdle() throws InterruptedException {
    // given three open consumers, one more than claim at once
    turns.openClaimers();
    assertThat(turns.take(Duration.ZERO)).isTrue();
    turns.handOver();

    // when / then
    assertThat(turns.retire()).isTrue();
    assertThat(turns.retire()).isFalse();
    assertThat(turns.open()).isEqualTo(2);
  }
}
