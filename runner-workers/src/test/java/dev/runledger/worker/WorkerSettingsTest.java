package dev.runledger.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.runledger.schemas.config.ConfigException;
import dev.runledger.schemas.config.LedgerConfig;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WorkerSettingsTest {

  @Test
  void shouldUseTheDefaultsWhenNothingIsSet() {
    // when
    final WorkerSettings settings = WorkerSettings.from(LedgerConfig.of(Map.of()));

    // then
    assertThat(settings.pool()).isEqualTo("default");
    assertThat(settings.slots()).isEqualTo(128);
    assertThat(settings.claimers()).isEqualTo(4);
    assertThat(settings.batchSize()).isEqualTo(32);
    assertThat(settings.claimHandover()).isEqualTo(Duration.ofMillis(500));
    assertThat(settings.heartbeat()).isEqualTo(Duration.ofSeconds(5));
    assertThat(settings.groupId()).isEqualTo("runledger.workers.default");
    assertThat(settings.configureGroup()).isTrue();
    assertThat(settings.shutdownGrace()).isEqualTo(Duration.ofSeconds(10));
    assertThat(settings.workerId()).matches(".+-" + ProcessHandle.current().pid() + "-[0-9a-f]{4}");
  }

  @Test
  void shouldReadEveryKeyWhenSet() {
    // when
    final WorkerSettings settings =
        WorkerSettings.from(
            LedgerConfig.of(
                Map.of(
                    WorkerSettings.POOL, "gpu",
                    WorkerSettings.SLOTS, "2",
                    WorkerSettings.ID, "w-1",
                    WorkerSettings.HEARTBEAT_MS, "250",
                    WorkerSettings.GROUP_ID, "my-group",
                    WorkerSettings.CONFIGURE_GROUP, "false",
                    WorkerSettings.SHUTDOWN_GRACE_MS, "0",
                    WorkerSettings.CLAIM_CONSUMERS, "3",
                    WorkerSettings.CLAIM_BATCH, "7",
                    WorkerSettings.CLAIM_HANDOVER_MS, "200")));

    // then
    assertThat(settings)
        .isEqualTo(
            new WorkerSettings(
                "gpu",
                2,
                "w-1",
                Duration.ofMillis(250),
                "my-group",
                false,
                Duration.ZERO,
                Duration.ofMinutes(2),
                Duration.ofSeconds(10),
                100_000,
                1000,
                10,
                Duration.ofMillis(50),
                3,
                7,
                Duration.ofMillis(200),
                4000));
  }

  @Test
  void shouldNameTheGroupAfterPrefixAndPoolWhenNoGroupIdIsSet() {
    assertThat(
            WorkerSettings.from(
                    LedgerConfig.of(
                        Map.of(LedgerConfig.TOPIC_PREFIX, "t.", WorkerSettings.POOL, "gpu")))
                .groupId())
        .isEqualTo("t.workers.gpu");
  }

  @Test
  void shouldRejectSlotsWhenOutOfRange() {
    assertThatThrownBy(
            () -> WorkerSettings.from(LedgerConfig.of(Map.of(WorkerSettings.SLOTS, "0"))))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(WorkerSettings.SLOTS);
  }

  @Test
  void shouldRejectAHeartbeatWhenTooShort() {
    assertThatThrownBy(
            () -> WorkerSettings.from(LedgerConfig.of(Map.of(WorkerSettings.HEARTBEAT_MS, "5"))))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(WorkerSettings.HEARTBEAT_MS);
  }

  @Test
  void shouldCapTheBatchSoEveryClaimerCanHaveABatchOfThreadsWhenSlotsAreFew() {
    // when
    final WorkerSettings settings =
        WorkerSettings.from(
            LedgerConfig.of(
                Map.of(
                    WorkerSettings.SLOTS, "8",
                    WorkerSettings.CLAIM_CONSUMERS, "4",
                    WorkerSettings.CLAIM_BATCH, "16")));

    // then
    assertThat(settings.claimers()).isEqualTo(4);
    assertThat(settings.batchSize()).isEqualTo(2);
  }

  @Test
  void shouldClaimWithNoMoreConsumersThanSlotsAndOneCommandEachWhenSlotsAreFewerThanConsumers() {
    // when
    final WorkerSettings settings =
        WorkerSettings.from(
            LedgerConfig.of(
                Map.of(WorkerSettings.SLOTS, "3", WorkerSettings.CLAIM_CONSUMERS, "4")));

    // then
    assertThat(settings.claimers()).isEqualTo(3);
    assertThat(settings.batchSize()).isEqualTo(1);
  }

  @Test
  void shouldRejectAHandoverWhenTooShort() {
    assertThatThrownBy(
            () ->
                WorkerSettings.from(LedgerConfig.of(Map.of(WorkerSettings.CLAIM_HANDOVER_MS, "1"))))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(WorkerSettings.CLAIM_HANDOVER_MS);
  }
}
