package dev.runledger.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.runledger.schemas.config.LedgerConfig;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GatewayServiceTest {

  @Test
  void shouldFailToStartAndStayUnhealthyWhenKafkaIsUnreachable() {
    // given nothing listens on the bootstrap address
    final LedgerConfig config =
        LedgerConfig.of(
            Map.of(
                LedgerConfig.BOOTSTRAP_SERVERS, "127.0.0.1:1",
                GatewaySettings.BINDINGS_START_TIMEOUT_MS, "300"));

    try (GatewayService gateway = new GatewayService(config, Fixtures.topics())) {
      // then
      assertThat(gateway.name()).isEqualTo("gateway");
      assertThatThrownBy(gateway::start)
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining(GatewaySettings.BINDINGS_START_TIMEOUT_MS);
      assertThat(gateway.healthy()).isFalse();
      assertThat(gateway.routes()).isNotNull();
    }
  }

  @Test
  void shouldReadDefaultsAndOverridesWhenSettingsComeFromConfig() {
    // when
    final GatewaySettings defaults = GatewaySettings.from(LedgerConfig.of(Map.of()));
    final GatewaySettings custom =
        GatewaySettings.from(
            LedgerConfig.of(
                Map.of(GatewaySettings.MAX_BODY_BYTES, "10", GatewaySettings.MAX_TEXT_BYTES, "5")));

    // then
    assertThat(defaults).isEqualTo(GatewaySettings.defaults());
    assertThat(defaults.maxBodyBytes()).isEqualTo(1_048_576);
    assertThat(defaults.maxTextBytes()).isEqualTo(262_144);
    assertThat(custom.maxBodyBytes()).isEqualTo(10);
    assertThat(custom.maxTextBytes()).isEqualTo(5);
  }

  @Test
  void shouldRejectSettingWhenItIsNotPositive() {
    assertThatThrownBy(
            () ->
                GatewaySettings.from(
                    LedgerConfig.of(Map.of(GatewaySettings.MAX_BATCH_EVENTS, "0"))))
        .hasMessageContaining(GatewaySettings.MAX_BATCH_EVENTS);
  }
}
