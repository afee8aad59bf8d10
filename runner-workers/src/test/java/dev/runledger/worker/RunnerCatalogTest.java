package dev.runledger.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.runledger.schemas.config.LedgerConfig;
import dev.runledger.worker.builtin.EchoRunner;
import dev.runledger.worker.spi.RunnerProvider;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RunnerCatalogTest {
  private static final LedgerConfig CONFIG = LedgerConfig.of(Map.of());

  @Test
  void shouldDiscoverTheEchoRunnerWhenLoadingProvidersWithServiceLoader() {
    // when
    final RunnerCatalog catalog = RunnerCatalog.discover(CONFIG, "default");

    // then
    assertThat(catalog.ids()).contains(EchoRunner.RUNNER_ID);
    assertThat(catalog.find(EchoRunner.RUNNER_ID)).get().isInstanceOf(EchoRunner.class);
  }

  @Test
  void shouldHostNoRunnerOfAnotherPoolWhenThePoolDiffers() {
    // when
    final RunnerCatalog catalog = RunnerCatalog.discover(CONFIG, "gpu");

    // then
    assertThat(catalog.ids()).doesNotContain(EchoRunner.RUNNER_ID);
  }

  @Test
  void shouldRefuseToStartWhenTwoRunnersShareAnId() {
    // given
    final RunnerProvider echo = config -> List.of(new EchoRunner("1"));

    // then
    assertThatThrownBy(() -> RunnerCatalog.of(List.of(echo, echo), CONFIG, "default"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("builtin:echo/default");
  }
}
