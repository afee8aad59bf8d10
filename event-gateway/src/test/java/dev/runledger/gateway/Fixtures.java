package dev.runledger.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.runledger.schemas.config.LedgerConfig;
import dev.runledger.schemas.http.ApiException;
import dev.runledger.schemas.topics.LedgerTopics;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

/** Shared test data for the gateway's tests. */
final class Fixtures {
  static final Instant NOW = Instant.parse("2025-06-01T12:00:00Z");
  static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

  private Fixtures() {}

  static LedgerTopics topics() {
    return LedgerTopics.create(LedgerConfig.of(Map.of()));
  }

  static byte[] utf8(final String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  /** The ApiException the call throws; fails the test if it throws nothing or something else. */
  static ApiException apiError(final ThrowingCallable call) {
    final Throwable thrown = catchThrowable(call);
    assertThat(thrown).isInstanceOf(ApiException.class);
    return (ApiException) thrown;
  }
}
