package dev.runledger.worker.spi;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class FailureCodesTest {

  @Test
  void shouldKeepTheSpecsCodesWhenListed() {
    assertThat(FailureCodes.ALL)
        .contains(
            "runner.error",
            "runner-stalled",
            "deadline_exceeded",
            "cancelled",
            "poison",
            "no_output",
            "runner.exit_nonzero")
        .doesNotHaveDuplicates();
  }

  @Test
  void shouldAcceptPrefixedCodesWhenTheyNameAProviderOrHostApiFailure() {
    assertThat(FailureCodes.isStable(FailureCodes.provider("timeout"))).isTrue();
    assertThat(FailureCodes.isStable(FailureCodes.hostApi(AgentApiException.UNAUTHORIZED)))
        .isTrue();
    assertThat(FailureCodes.hostApi("unauthorized")).isEqualTo("host_api.unauthorized");
    assertThat(FailureCodes.isStable("made.up")).isFalse();
  }
}
