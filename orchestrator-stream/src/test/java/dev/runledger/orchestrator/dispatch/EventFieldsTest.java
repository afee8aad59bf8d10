package dev.runledger.orchestrator.dispatch;

import static dev.runledger.orchestrator.dispatch.Fixtures.event;
import static org.assertj.core.api.Assertions.assertThat;

import dev.runledger.avro.HostEvent;
import org.junit.jupiter.api.Test;

class EventFieldsTest {
  private final HostEvent event = event("e1").build();

  @Test
  void shouldReadTopLevelAndNestedStrings() {
    assertThat(EventFields.text(event, "workspace_id")).hasValue("ws1");
    assertThat(EventFields.text(event, "actor.actor_id")).hasValue("u1");
    assertThat(EventFields.text(event, "input.text")).hasValue("hello");
  }

  @Test
  void shouldReadEnumsAsLowercaseSymbolsAndTimesAsEpochMillis() {
    assertThat(EventFields.text(event, "source")).hasValue("platform");
    assertThat(EventFields.text(event, "event_time"))
        .hasValue(Long.toString(Fixtures.EVENT_TIME.toEpochMilli()));
    assertThat(EventFields.text(event, "delivery.supports_streaming")).hasValue("false");
  }

  @Test
  void shouldReadNothingWhenTheFieldIsNullMissingOrNotAScalar() {
    assertThat(EventFields.text(event, "thread_id")).isEmpty();
    assertThat(EventFields.text(event, "subject.subject_id")).isEmpty();
    assertThat(EventFields.text(event, "nope")).isEmpty();
    assertThat(EventFields.text(event, "actor")).isEmpty();
    assertThat(EventFields.text(event, "input.contents")).isEmpty();
    assertThat(EventFields.text(event, "input.text.length")).isEmpty();
    assertThat(EventFields.text(event, "")).isEmpty();
  }
}
