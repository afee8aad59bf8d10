package dev.runledger.schemas.events;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EventTypesTest {

  @ParameterizedTest
  @ValueSource(strings = {"message.received", "group.member_joined", "api.invoked.v2", "a1.b2"})
  void shouldAcceptTwoOrThreeLowercaseWords(final String type) {
    assertThat(EventTypes.isValid(type)).isTrue();
    assertThat(EventTypes.isValidPattern(type)).isTrue();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "message",
        "Message.Received",
        "a.b.c.d",
        "a..b",
        ".a.b",
        "a.b.",
        "a-b.c",
        "message.*",
        ""
      })
  void shouldRejectEverythingElseAsAnEventType(final String type) {
    assertThat(EventTypes.isValid(type)).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {"message.*", "group.member.*"})
  void shouldAcceptPrefixPatternsForBindings(final String pattern) {
    assertThat(EventTypes.isValidPattern(pattern)).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"*", "*.received", "a.b.c.*", "message.*.x"})
  void shouldRejectOtherPatterns(final String pattern) {
    assertThat(EventTypes.isValidPattern(pattern)).isFalse();
  }
}
