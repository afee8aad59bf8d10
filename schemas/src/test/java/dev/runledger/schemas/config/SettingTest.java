package dev.runledger.schemas.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SettingTest {
  private static final Setting<Integer> SLOTS =
      Setting.intSetting("worker.slots", 8, "runs at once").between(1, 256);
  private static final Setting<Duration> HEARTBEAT =
      Setting.millisSetting("worker.heartbeat.ms", 5000, "heartbeat interval").atLeast(100);
  private static final Setting<String> COMMAND =
      Setting.stringSetting("worker.runners.proc.<name>.command", "", "command line");

  @Test
  void shouldReadTheDefaultWhenNotSetAndTheValueWhenSet() {
    assertThat(LedgerConfig.of(Map.of()).get(SLOTS)).isEqualTo(8);
    assertThat(LedgerConfig.of(Map.of("worker.slots", " 4 ")).get(SLOTS)).isEqualTo(4);
    assertThat(LedgerConfig.of(Map.of("worker.heartbeat.ms", "250")).get(HEARTBEAT))
        .isEqualTo(Duration.ofMillis(250));
  }

  @Test
  void shouldNameTheKeyWhenAValueIsOutOfRangeOrMalformed() {
    assertThatThrownBy(() -> LedgerConfig.of(Map.of("worker.slots", "0")).get(SLOTS))
        .isInstanceOfSatisfying(
            ConfigException.class, e -> assertThat(e.key()).isEqualTo("worker.slots"))
        .hasMessageContaining("between 1 and 256");
    assertThatThrownBy(() -> LedgerConfig.of(Map.of("worker.heartbeat.ms", "x")).get(HEARTBEAT))
        .isInstanceOfSatisfying(
            ConfigException.class, e -> assertThat(e.key()).isEqualTo("worker.heartbeat.ms"));
  }

  @Test
  void shouldComputeADefaultFromOtherSettingsAndShowItAsDocumented() {
    final Setting<String> group =
        Setting.stringSetting("worker.group.id", null, "share group")
            .defaultFrom(
                "<topic.prefix>workers", c -> c.get(CoreSettings.TOPIC_PREFIX) + "workers");

    assertThat(LedgerConfig.of(Map.of("topic.prefix", "t.")).get(group)).isEqualTo("t.workers");
    assertThat(group.shownDefault()).isEqualTo("<topic.prefix>workers");
  }

  @Test
  void shouldReadADeprecatedAliasWhenTheKeyIsNotSet() {
    assertThat(
            LedgerConfig.of(Map.of(LedgerConfig.DEPRECATED_GATEWAY_VIEWS_URL, "http://v:1"))
                .get(CoreSettings.VIEWS_URL))
        .isEqualTo("http://v:1");
    assertThat(
            LedgerConfig.of(
                    Map.of(
                        LedgerConfig.DEPRECATED_GATEWAY_VIEWS_URL,
                        "http://old:1",
                        LedgerConfig.VIEWS_URL,
                        "http://new:1"))
                .get(CoreSettings.VIEWS_URL))
        .isEqualTo("http://new:1");
    assertThat(LedgerConfig.of(Map.of("http.port", "9000")).get(CoreSettings.VIEWS_URL))
        .isEqualTo("http://localhost:9000");
  }

  @Test
  void shouldWarnAboutAnUnknownKeyUnderAKnownPrefixNamingTheNearestKey() {
    final LedgerConfig config =
        LedgerConfig.of(
            Map.of(
                "worker.slot",
                "4",
                "worker.runners.proc.py.comand",
                "python3 r.py",
                "worker.runners.proc.py.command",
                "python3 r.py",
                "kafka.security.protocol",
                "SSL",
                "somebody.else",
                "x",
                LedgerConfig.DEPRECATED_GATEWAY_VIEWS_URL,
                "http://v:1"));

    final List<String> warnings =
        config.unknownKeyWarnings(List.of(SLOTS, HEARTBEAT, COMMAND, CoreSettings.VIEWS_URL));

    assertThat(warnings)
        .containsExactly(
            "setting 'gateway.views.url' is deprecated; use 'worker.views.url' instead",
            "unknown setting 'worker.runners.proc.py.comand' is ignored;"
                + " did you mean 'worker.runners.proc.py.command'?",
            "unknown setting 'worker.slot' is ignored; did you mean 'worker.slots'?");
  }

  @Test
  void shouldNotWarnWhenEveryKeyIsKnown() {
    assertThat(
            LedgerConfig.of(Map.of("topic.partitions", "2", "worker.slots", "2"))
                .unknownKeyWarnings(List.of(SLOTS, CoreSettings.TOPIC_PARTITIONS)))
        .isEmpty();
  }

  @Test
  void shouldMeasureEditDistance() {
    assertThat(KnownKeys.distance("worker.slot", "worker.slots")).isEqualTo(1);
    assertThat(KnownKeys.distance("kitten", "sitting")).isEqualTo(3);
    assertThat(KnownKeys.distance("", "abc")).isEqualTo(3);
  }
}
