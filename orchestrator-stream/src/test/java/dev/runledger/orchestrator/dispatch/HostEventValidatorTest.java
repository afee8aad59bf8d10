package dev.runledger.orchestrator.dispatch;

import static dev.runledger.orchestrator.dispatch.Fixtures.event;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HostEventValidatorTest {
  @ParameterizedTest
  @ValueSource(
      strings = {"message.received", "group.member_joined", "a.b.c", "api.invoked", "x1.y2"})
  void shouldAcceptEventTypesOfTwoOrThreeWords(final String type) {
    assertThat(HostEventValidator.problem(event("e1").setEventType(type).build())).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"message", "a.b.c.d", "message.", ".received", "message received", ""})
  void shouldRejectEventTypesOfAnyOtherForm(final String type) {
    assertThat(HostEventValidator.problem(event("e1").setEventType(type).build()))
        .hasValueSatisfying(p -> assertThat(p).contains("event_type").contains("word.word"));
  }

  @Test
  void shouldRejectABlankEventId() {
    assertThat(HostEventValidator.problem(event(" ").build()))
        .hasValueSatisfying(p -> assertThat(p).contains("event_id"));
  }

  @Test
  void shouldRejectABlankWorkspaceId() {
    assertThat(HostEventValidator.problem(event("e1").setWorkspaceId("").build()))
        .hasValueSatisfying(p -> assertThat(p).contains("workspace_id").contains("e1"));
  }
}
