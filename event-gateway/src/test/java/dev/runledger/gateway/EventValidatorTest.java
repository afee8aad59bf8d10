package dev.runledger.gateway;

import static dev.runledger.gateway.Fixtures.apiError;
import static dev.runledger.gateway.Fixtures.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.runledger.avro.EventSource;
import dev.runledger.avro.HostEvent;
import dev.runledger.schemas.http.ApiException;
import dev.runledger.schemas.json.AvroJson;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class EventValidatorTest {
  private static final String MINIMAL =
      "{\"event_type\": \"message.received\", \"workspace_id\": \"w1\"}";

  private final EventValidator validator =
      new EventValidator(GatewaySettings.defaults(), Fixtures.CLOCK);

  private HostEvent valid(final String body) {
    return validator.validate(utf8(body));
  }

  private ApiException rejected(final String body) {
    return apiError(() -> validator.validate(utf8(body)));
  }

  private static void assertInvalid(final ApiException error, final String field) {
    assertThat(error.status()).isEqualTo(400);
    assertThat(error.code()).isEqualTo("invalid_argument");
    assertThat(error.field()).isEqualTo(field);
    assertThat(error.getMessage()).isNotBlank();
  }

  private static void assertTooLarge(final ApiException error, final String field) {
    assertThat(error.status()).isEqualTo(413);
    assertThat(error.code()).isEqualTo("payload_too_large");
    assertThat(error.field()).isEqualTo(field);
  }

  @Test
  void shouldFillEventIdTimeAndSourceWhenOmitted() {
    // when
    final HostEvent event = valid(MINIMAL);

    // then
    assertThat(UUID.fromString(event.getEventId()).toString()).isEqualTo(event.getEventId());
    assertThat(event.getEventTime()).isEqualTo(Fixtures.NOW);
    assertThat(event.getSource()).isEqualTo(EventSource.API);
    assertThat(event.getEventType()).isEqualTo("message.received");
    assertThat(event.getWorkspaceId()).isEqualTo("w1");
    assertThat(event.getMetadataJson()).isEqualTo("{}");
  }

  @Test
  void shouldAssignDifferentEventIdsWhenTwoEventsOmitIt() {
    // when
    final String first = valid(MINIMAL).getEventId();
    final String second = valid(MINIMAL).getEventId();

    // then
    assertThat(first).isNotEqualTo(second);
  }

  @Test
  void shouldFillDefaultsWhenFieldsAreNull() {
    // when
    final HostEvent event =
        valid(
            "{\"event_type\": \"a.b\", \"workspace_id\": \"w\", \"event_id\": null,"
                + " \"event_time\": null, \"source\": null}");

    // then
    assertThat(event.getEventId()).isNotBlank();
    assertThat(event.getEventTime()).isEqualTo(Fixtures.NOW);
    assertThat(event.getSource()).isEqualTo(EventSource.API);
  }

  @Test
  void shouldConvertEventTimeToEpochMillisWhenItIsAnIsoInstant() {
    // when
    final HostEvent event =
        valid(
            "{\"event_type\": \"a.b\", \"workspace_id\": \"w\","
                + " \"event_time\": \"2023-11-14T22:13:20.5Z\"}");

    // then
    assertThat(event.getEventTime()).isEqualTo(Instant.ofEpochMilli(1700000000500L));
  }

  @Test
  void shouldNameTheAcceptedFormsWhenEventTimeIsNeither() {
    // when
    final ApiException error = rejected(baseWith("\"event_time\": \"2023-11-14 22:13\""));

    // then
    assertInvalid(error, "event_time");
    assertThat(error.getMessage())
        .contains("epoch milliseconds or an ISO-8601 instant")
        .contains("2023-11-14 22:13");
  }

  @Test
  void shouldKeepEveryGivenFieldWhenEventIsComplete() {
    // given
    final String body =
        """
        {"event_id": "e-1", "event_type": "message.received", "event_time": 1700000000000,
         "source": "platform", "source_event_type": "im.message", "workspace_id": "w1",
         "bot_id": "b1", "conversation_id": "c1", "thread_id": "t1",
         "actor": {"actor_type": "user", "actor_id": "u1", "actor_name": "Ann"},
         "subject": {"subject_type": "member", "data": {"role": "admin"}},
         "input": {"text": "hello", "contents": [{"type": "text", "text": "hello"}],
                   "attachments": [{"artifact_id": "a1", "size_bytes": 12}]},
         "delivery": {"surface": "chat", "reply_target": {"chat": 42}, "supports_streaming": true},
         "raw_ref": "s3://raw/1", "metadata": {"trace": "x"}}
        """;

    // when
    final HostEvent event = valid(body);

    // then
    assertThat(event.getEventId()).isEqualTo("e-1");
    assertThat(event.getEventTime()).isEqualTo(Instant.ofEpochMilli(1700000000000L));
    assertThat(event.getSource()).isEqualTo(EventSource.PLATFORM);
    assertThat(event.getThreadId()).isEqualTo("t1");
    assertThat(event.getActor().getActorName()).isEqualTo("Ann");
    assertThat(event.getSubject().getDataJson()).isEqualTo("{\"role\":\"admin\"}");
    assertThat(event.getInput().getText()).isEqualTo("hello");
    assertThat(event.getInput().getAttachments().get(0).getSizeBytes()).isEqualTo(12L);
    assertThat(event.getDelivery().getReplyTargetJson()).isEqualTo("{\"chat\":42}");
    assertThat(event.getDelivery().getSupportsStreaming()).isTrue();
    assertThat(event.getMetadataJson()).isEqualTo("{\"trace\":\"x\"}");
  }

  @ParameterizedTest
  @ValueSource(strings = {"not json", "{\"event_type\": ", "", "   ", "{} {}", "{\"a\":1}x"})
  void shouldRejectBodyWhenItIsNotJson(final String body) {
    assertInvalid(rejected(body), "body");
  }

  @ParameterizedTest
  @ValueSource(strings = {"[]", "\"message.received\"", "42", "null"})
  void shouldRejectBodyWhenItIsNotAnObject(final String body) {
    assertInvalid(rejected(body), "body");
  }

  @Test
  void shouldRejectBodyWhenAKeyIsDuplicated() {
    assertInvalid(
        rejected("{\"event_type\": \"a.b\", \"event_type\": \"c.d\", \"workspace_id\": \"w\"}"),
        "body");
  }

  @Test
  void shouldRejectBodyWhenItIsNotUtf8() {
    // given
    final byte[] latin1 = {'{', '"', 'a', '"', ':', '"', (byte) 0xE9, '"', '}'};

    // then
    assertInvalid(apiError(() -> validator.validate(latin1)), "body");
  }

  @Test
  void shouldNameEventTypeWhenItIsMissing() {
    // when
    final ApiException error = rejected("{\"workspace_id\": \"w1\"}");

    // then
    assertInvalid(error, "event_type");
    assertThat(error).hasMessage("field 'event_type' is required");
  }

  @Test
  void shouldNameWorkspaceIdWhenItIsMissing() {
    assertInvalid(rejected("{\"event_type\": \"message.received\"}"), "workspace_id");
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "\"event_type\": 5 | event_type",
        "\"event_type\": null | event_type",
        "\"workspace_id\": [\"w\"] | workspace_id",
        "\"event_time\": \"yesterday\" | event_time",
        "\"event_time\": 1.5 | event_time",
        "\"event_id\": 7 | event_id",
        "\"source\": \"mars\" | source",
        "\"source\": \"API\" | source",
        "\"input\": {\"text\": 5} | input.text",
        "\"input\": \"hello\" | input",
        "\"input\": {\"contents\": [{\"text\": \"x\"}]} | input.contents[0].type",
        "\"delivery\": {\"supports_streaming\": \"yes\"} | delivery.supports_streaming",
        "\"delivery\": {\"max_message_size\": 5000000000} | delivery.max_message_size",
        "\"actor\": {\"actor_id\": \"u\"} | actor.actor_type",
        "\"metadata\": [1] | metadata",
        "\"metadata\": \"x\" | metadata"
      })
  void shouldNameFieldWhenItHasTheWrongType(final String member, final String field) {
    assertInvalid(rejected(baseWith(member)), field);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "\"color\": \"red\" | color",
        "\"actor\": {\"actor_type\": \"user\", \"nickname\": \"x\"} | actor.nickname",
        "\"input\": {\"txt\": \"x\"} | input.txt",
        "\"metadata_json\": \"{}\" | metadata_json"
      })
  void shouldNameFieldWhenItIsUnknown(final String member, final String field) {
    // when
    final ApiException error = rejected(baseWith(member));

    // then
    assertInvalid(error, field);
    assertThat(error.getMessage()).startsWith("field '" + field + "' is not a known field of ");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "message",
        "Message.Received",
        "message.",
        ".received",
        "message..received",
        "a.b.c.d",
        "message received",
        "message.*",
        "message-received.x",
        "",
        " message.received"
      })
  void shouldRejectEventTypeWhenItIsNotWordDotWord(final String type) {
    assertInvalid(
        rejected("{\"workspace_id\": \"w\", \"event_type\": \"" + type + "\"}"), "event_type");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "message.received",
        "group.member_joined",
        "a.b.c",
        "v2.x_1",
        "schedule.triggered"
      })
  void shouldAcceptEventTypeWhenItIsWordDotWord(final String type) {
    assertThat(valid("{\"workspace_id\": \"w\", \"event_type\": \"" + type + "\"}").getEventType())
        .isEqualTo(type);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "\"workspace_id\": \"\" | workspace_id",
        "\"workspace_id\": \"  \" | workspace_id",
        "\"event_id\": \"\" | event_id",
        "\"conversation_id\": \"\" | conversation_id",
        "\"bot_id\": \" \" | bot_id",
        "\"thread_id\": \"\" | thread_id"
      })
  void shouldRejectIdWhenItIsEmpty(final String member, final String field) {
    assertInvalid(rejected(baseWith(member)), field);
  }

  @Test
  void shouldRejectEventIdWhenItIsTooLong() {
    // given
    final String id = "e".repeat(EventValidator.MAX_ID_LENGTH + 1);

    // then
    assertInvalid(
        rejected(
            "{\"workspace_id\": \"w\", \"event_type\": \"a.b\", \"event_id\": \"" + id + "\"}"),
        "event_id");
  }

  @Test
  void shouldReturn413WhenBodyIsOverTheDefaultLimit() {
    // given a valid event padded with whitespace to 1 MiB + 1 byte
    final String body = MINIMAL + " ".repeat(1_048_576 + 1 - MINIMAL.length());

    // then
    final ApiException error = rejected(body);
    assertTooLarge(error, "body");
    assertThat(error.getMessage()).contains("1048576").contains(GatewaySettings.MAX_BODY_BYTES);
  }

  @Test
  void shouldAcceptBodyWhenItIsExactlyAtTheLimit() {
    // given
    final String body = MINIMAL + " ".repeat(1_048_576 - MINIMAL.length());

    // then
    assertThat(valid(body).getWorkspaceId()).isEqualTo("w1");
  }

  @Test
  void shouldReturn413WhenTextIsOverTheDefaultLimit() {
    // given
    final String text = "x".repeat(262_144 + 1);

    // then
    assertTooLarge(rejected(withText(text)), "input.text");
  }

  @Test
  void shouldAcceptTextWhenItIsExactlyAtTheLimit() {
    // given
    final String text = "x".repeat(262_144);

    // then
    assertThat(valid(withText(text)).getInput().getText()).hasSize(262_144);
  }

  @Test
  void shouldCountTextInUtf8BytesWhenItHasMultibyteCharacters() {
    // given 87382 euro signs: fewer characters than the limit, 262146 UTF-8 bytes
    final String text = "€".repeat(87_382);

    // then
    assertTooLarge(rejected(withText(text)), "input.text");
  }

  @Test
  void shouldUseConfiguredLimitsWhenTheyAreSmaller() {
    // given
    final EventValidator small =
        new EventValidator(
            new GatewaySettings(100, 10, 1000, 10, Duration.ofSeconds(1), Duration.ofSeconds(1)),
            Fixtures.CLOCK);

    // then
    assertTooLarge(apiError(() -> small.validate(utf8(withText("x".repeat(11))))), "input.text");
    assertTooLarge(apiError(() -> small.validate(utf8(MINIMAL + " ".repeat(100)))), "body");
    assertThat(small.validate(utf8(withText("x".repeat(10)))).getInput().getText()).hasSize(10);
  }

  @Test
  void shouldReturnEventsInOrderWhenBatchIsValid() {
    // given
    final String body =
        "{\"events\": [{\"event_type\": \"a.b\", \"workspace_id\": \"w1\", \"event_id\": \"e1\"},"
            + " {\"event_type\": \"c.d\", \"workspace_id\": \"w2\"}]}";

    // when
    final List<HostEvent> events = validator.validateBatch(utf8(body));

    // then
    assertThat(events).extracting(HostEvent::getEventType).containsExactly("a.b", "c.d");
    assertThat(events.get(0).getEventId()).isEqualTo("e1");
    assertThat(events.get(1).getEventId()).isNotBlank();
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "{\"events\": [{\"event_type\": \"a.b\", \"workspace_id\": \"w\"}, {\"workspace_id\": \"w\"}]}"
            + " | events[1].event_type",
        "{\"events\": [{\"event_type\": \"a\", \"workspace_id\": \"w\"}] } | events[0].event_type",
        "{\"events\": [{\"event_type\": \"a.b\", \"workspace_id\": \"w\", \"x\": 1}]} | events[0].x",
        "{\"events\": [{\"event_type\": \"a.b\", \"workspace_id\": \"w\"}, 7]} | events[1]",
        "{\"events\": [{\"event_type\": \"a.b\", \"workspace_id\": \"w\","
            + " \"input\": {\"contents\": [{}]}}]} | events[0].input.contents[0].type",
        "{\"events\": []} | events",
        "{\"events\": {}} | events",
        "{} | events",
        "{\"events\": [], \"extra\": 1} | extra",
        "[] | body",
        "nope | body"
      })
  void shouldNameFieldWhenBatchIsInvalid(final String body, final String field) {
    assertInvalid(apiError(() -> validator.validateBatch(utf8(body))), field);
  }

  @Test
  void shouldReturn413WhenBatchItemTextIsTooLong() {
    // given
    final String body =
        "{\"events\": [" + MINIMAL + ", " + MINIMAL + ", " + withText("x".repeat(262_145)) + "]}";

    // then
    assertTooLarge(apiError(() -> validator.validateBatch(utf8(body))), "events[2].input.text");
  }

  @Test
  void shouldReturn413WhenBatchHasTooManyEventsOrTooManyBytes() {
    // given
    final EventValidator small =
        new EventValidator(
            new GatewaySettings(200, 100, 400, 2, Duration.ofSeconds(1), Duration.ofSeconds(1)),
            Fixtures.CLOCK);
    final String three = "{\"events\": [" + MINIMAL + "," + MINIMAL + "," + MINIMAL + "]}";
    final String oversizeItem =
        "{\"events\": [{\"event_type\": \"a.b\", \"workspace_id\": \"" + "w".repeat(180) + "\"}]}";
    final String oversizeBody = "{\"events\": [" + MINIMAL + "]}" + " ".repeat(400);

    // then
    assertTooLarge(apiError(() -> small.validateBatch(utf8(three))), "events");
    assertTooLarge(apiError(() -> small.validateBatch(utf8(oversizeItem))), "events[0]");
    assertTooLarge(apiError(() -> small.validateBatch(utf8(oversizeBody))), "body");
  }

  /** A valid event's JSON with {@code member} ("name": value) added or replacing a field. */
  private static String baseWith(final String member) {
    final ObjectNode body = AvroJson.mapper().createObjectNode();
    body.put("workspace_id", "w");
    body.put("event_type", "a.b");
    body.setAll((ObjectNode) AvroJson.parse("{" + member + "}", ""));
    return AvroJson.text(body);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{\"event_type\": \"a.b\", \"workspace_id\": \"w1\"}",
        "{\"event_id\": null, \"event_type\": \"a.b\", \"workspace_id\": \"w1\"}",
        "{\"event_id\": \"k-1\", \"event_type\": \"a.b\", \"workspace_id\": \"w1\"}"
      })
  void shouldTakeTheIdempotencyKeyAsEventId(final String body) {
    assertThat(validator.validate(utf8(body), "k-1").getEventId()).isEqualTo("k-1");
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "{\"event_id\": \"other\", \"event_type\": \"a.b\", \"workspace_id\": \"w1\"} | k-1"
            + " | event_id",
        "{\"event_id\": 7, \"event_type\": \"a.b\", \"workspace_id\": \"w1\"} | 7 | event_id",
        "{\"event_type\": \"a.b\", \"workspace_id\": \"w1\"} | ' ' | Idempotency-Key"
      })
  void shouldRejectAnIdempotencyKeyThatDiffersFromTheEventIdOrIsBlank(
      final String body, final String key, final String field) {
    assertInvalid(apiError(() -> validator.validate(utf8(body), key)), field);
  }

  private static String withText(final String text) {
    return "{\"event_type\": \"message.received\", \"workspace_id\": \"w1\", \"input\": {\"text\": \""
        + text
        + "\"}}";
  }

  @ParameterizedTest
  @ValueSource(strings = {"workspace_id", "bot_id", "conversation_id", "thread_id"})
  void shouldRejectAnIdHoldingTheKeySeparator(final String field) {
    final ObjectNode body = (ObjectNode) AvroJson.parse(MINIMAL, "");
    body.put("conversation_id", "c1").put(field, "a/b");

    final ApiException error = rejected(AvroJson.text(body));

    assertInvalid(error, field);
    assertThat(error.getMessage()).contains("'/'").contains("a/b");
  }

  @Test
  void shouldAcceptAnEventIdHoldingASlash() {
    final ObjectNode body = (ObjectNode) AvroJson.parse(MINIMAL, "");

    assertThat(valid(AvroJson.text(body.put("event_id", "e/1"))).getEventId()).isEqualTo("e/1");
  }
}
