package dev.runledger.orchestrator.dispatch;

import static dev.runledger.orchestrator.dispatch.Fixtures.event;
import static org.assertj.core.api.Assertions.assertThat;

import dev.runledger.avro.HostEvent;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
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
        .hasValueSatisfying(
            p -> {
              assertThat(p.code()).isEqualTo(HostEventValidator.EVENT_INVALID);
              assertThat(p.message()).contains("event_type").contains("word.word");
            });
  }

  @Test
  void shouldRejectABlankEventId() {
    assertThat(HostEventValidator.problem(event(" ").build()))
        .hasValueSatisfying(p -> assertThat(p.message()).contains("event_id"));
  }

  @Test
  void shouldRejectABlankWorkspaceId() {
    assertThat(HostEventValidator.problem(event("e1").setWorkspaceId("").build()))
        .hasValueSatisfying(p -> assertThat(p.message()).contains("workspace_id").contains("e1"));
  }

  static Stream<Arguments> idsWithTheSeparator() {
    return Stream.of(
        Arguments.of(
            "workspace_id", (UnaryOperator<HostEvent.Builder>) b -> b.setWorkspaceId("a/b")),
        Arguments.of("bot_id", (UnaryOperator<HostEvent.Builder>) b -> b.setBotId("a/b")),
        Arguments.of(
            "conversation_id", (UnaryOperator<HostEvent.Builder>) b -> b.setConversationId("a/b")),
        Arguments.of("thread_id", (UnaryOperator<HostEvent.Builder>) b -> b.setThreadId("a/b")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("idsWithTheSeparator")
  void shouldRejectAnIdHoldingTheKeySeparator(
      final String field, final UnaryOperator<HostEvent.Builder> change) {
    assertThat(HostEventValidator.problem(change.apply(event("e1")).build()))
        .hasValueSatisfying(
            p -> {
              assertThat(p.code()).isEqualTo(HostEventValidator.EVENT_INVALID_ID);
              assertThat(p.message()).contains(field).contains("a/b").contains("e1");
            });
  }

  @Test
  void shouldAcceptAnEventIdHoldingASlash() {
    assertThat(HostEventValidator.problem(event("e/1").build())).isEmpty();
  }
}
