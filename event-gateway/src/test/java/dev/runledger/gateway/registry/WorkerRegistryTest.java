package dev.runledger.gateway.registry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.runledger.avro.RunnerManifest;
import dev.runledger.avro.WorkerHeartbeat;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class WorkerRegistryTest {
  static final Instant T0 = Instant.parse("2026-12-02T10:00:00Z");
  private static final Duration HEARTBEAT = Duration.ofSeconds(5);
  private static final Duration RETENTION = Duration.ofMinutes(10);

  private final WorkerRegistry registry =
      new WorkerRegistry(new RegistrySettings(HEARTBEAT, RETENTION, 3, 2));

  static WorkerHeartbeat heartbeat(
      final String workerId, final Instant seen, final int active, final String... runners) {
    return WorkerHeartbeat.newBuilder()
        .setWorkerId(workerId)
        .setPool("default")
        .setRunnerIds(List.of(runners))
        .setSlots(4)
        .setActiveRuns(active)
        .setStartedAt(T0.minusSeconds(60))
        .setLastSeenAt(seen)
        .setVersion("1.2.3")
        .build();
  }

  static RunnerManifest manifest(final String runnerId) {
    return RunnerManifest.newBuilder()
        .setRunnerId(runnerId)
        .setName(runnerId)
        .setLabel("Runner " + runnerId)
        .setVersion("0.1")
        .build();
  }

  @Test
  void shouldBeLiveWhenTheLastHeartbeatIsWithinThreeIntervals() {
    // given
    registry.heartbeat("w1", heartbeat("w1", T0, 1, "r1"), T0);

    // then
    assertThat(registry.workers(T0.plus(HEARTBEAT.multipliedBy(3))))
        .singleElement()
        .satisfies(w -> assertThat(w.live()).isTrue())
        .satisfies(w -> assertThat(w.freeSlots()).isEqualTo(3));
    assertThat(registry.workers(T0.plus(HEARTBEAT.multipliedBy(3)).plusMillis(1)))
        .singleElement()
        .satisfies(w -> assertThat(w.live()).isFalse());
  }

  @Test
  void shouldKeepAGoneWorkerNotLiveUntilTheRetentionThenDropIt() {
    // given
    registry.heartbeat("w1", heartbeat("w1", T0, 0, "r1"), T0);

    // when: the worker closes (a tombstone)
    registry.heartbeat("w1", null, T0.plusSeconds(1));

    // then
    assertThat(registry.workers(T0.plusSeconds(1)))
        .singleElement()
        .satisfies(w -> assertThat(w.live()).isFalse());
    assertThat(registry.workers(T0.plus(RETENTION))).hasSize(1);
    assertThat(registry.workers(T0.plus(RETENTION).plusMillis(1))).isEmpty();
  }

  @Test
  void shouldBeLiveAgainWhenAGoneWorkerHeartbeatsAgain() {
    // given
    registry.heartbeat("w1", heartbeat("w1", T0, 0), T0);
    registry.heartbeat("w1", null, T0);

    // when
    registry.heartbeat("w1", heartbeat("w1", T0.plusSeconds(2), 0), T0.plusSeconds(2));

    // then
    assertThat(registry.workers(T0.plusSeconds(2)))
        .singleElement()
        .satisfies(w -> assertThat(w.live()).isTrue());
  }

  @Test
  void shouldIgnoreAnOlderHeartbeatAnExpiredOneAndATombstoneOfAnUnknownWorker() {
    // given
    registry.heartbeat("w1", heartbeat("w1", T0, 2), T0);

    // when
    registry.heartbeat("w1", heartbeat("w1", T0.minusSeconds(5), 0), T0);
    registry.heartbeat("old", heartbeat("old", T0.minus(RETENTION).minusSeconds(1), 0), T0);
    registry.heartbeat("never", null, T0);

    // then
    assertThat(registry.workers(T0))
        .singleElement()
        .satisfies(w -> assertThat(w.heartbeat().getActiveRuns()).isEqualTo(2));
  }

  @Test
  void shouldDropTheWorkerSeenLongestAgoWhenFull() {
    // given: room for three
    for (int i = 0; i < 3; i++) {
      registry.heartbeat("w" + i, heartbeat("w" + i, T0.plusSeconds(i), 0), T0);
    }

    // when
    registry.heartbeat("w3", heartbeat("w3", T0.plusSeconds(3), 0), T0);

    // then
    assertThat(registry.workers(T0.plusSeconds(3)))
        .extracting(w -> w.heartbeat().getWorkerId())
        .containsExactly("w1", "w2", "w3");
    assertThat(registry.evicted()).isEqualTo(1);
  }

  @Test
  void shouldListEachRunnerWithTheWorkersThatHostItWhenRead() {
    // given
    registry.manifest("r2", manifest("r2"));
    registry.manifest("r1", manifest("r1"));
    registry.heartbeat("w1", heartbeat("w1", T0, 0, "r1", "r2"), T0);
    registry.heartbeat("w2", heartbeat("w2", T0, 0, "r2"), T0);
    registry.heartbeat("w2", null, T0);

    // when
    final List<WorkerRegistry.RunnerState> runners = registry.runners(T0);

    // then
    assertThat(runners).extracting(r -> r.manifest().getRunnerId()).containsExactly("r1", "r2");
    assertThat(runners.get(0).workers())
        .extracting(w -> w.heartbeat().getWorkerId())
        .containsExactly("w1");
    assertThat(runners.get(1).workers())
        .extracting(w -> w.heartbeat().getWorkerId() + "=" + w.live())
        .containsExactly("w1=true", "w2=false");
  }

  @Test
  void shouldRemoveARunnerOnATombstoneAndKeepAtMostTheBound() {
    // given: room for two
    registry.manifest("r1", manifest("r1"));
    registry.manifest("r2", manifest("r2"));

    // when
    registry.manifest("r3", manifest("r3"));
    registry.manifest("r2", null);

    // then
    assertThat(registry.runners(T0))
        .extracting(r -> r.manifest().getRunnerId())
        .containsExactly("r3");
  }
}
