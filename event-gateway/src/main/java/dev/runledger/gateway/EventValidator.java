package dev.runledger.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.runledger.avro.HostEvent;
import dev.runledger.schemas.events.EventTypes;
import dev.runledger.schemas.http.ApiException;
import dev.runledger.schemas.json.AvroJson;
import dev.runledger.schemas.json.JsonFieldException;
import dev.runledger.schemas.topics.WorkspaceKeys;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.UUID;

/**
 * Turns a request body into a valid {@link HostEvent} or an {@link ApiException} naming what is
 * wrong (ARCHITECTURE.md §10): 413 {@code payload_too_large} for an oversize body or {@code
 * input.text}, 400 {@code invalid_argument} with the field for everything else (among them a
 * workspace, bot, conversation or thread id holding '/'). Fills what a caller may omit: {@code
 * event_id} (the {@value #IDEMPOTENCY_KEY} header, else a random UUID), {@code event_time} (now;
 * given, it is epoch milliseconds or an ISO-8601 instant such as {@code 2026-01-31T12:00:00Z},
 * converted to epoch milliseconds) and {@code source} ({@code api}). Pure.
 */
public final class EventValidator {
  /** Event types are two or three dot-separated words of lowercase letters, digits and '_'. */

  /** Longest identifier (event, workspace, bot, conversation, thread), in characters. */
  public static final int MAX_ID_LENGTH = 256;

  /** Header of {@code POST /v1/events} that is the event id when the body gives none. */
  public static final String IDEMPOTENCY_KEY = "Idempotency-Key";

  static final String EVENTS = "events";
  static final String EVENT_ID = "event_id";
  static final String EVENT_TIME = "event_time";
  private static final String DEFAULT_SOURCE = "api";

  private final GatewaySettings settings;
  private final Clock clock;

  public EventValidator(final GatewaySettings settings, final Clock clock) {
    this.settings = settings;
    this.clock = clock;
  }

  /** The event in the body of {@code POST /v1/events}. */
  public HostEvent validate(final byte[] body) {
    return validate(body, null);
  }

  /**
   * The event in the body of {@code POST /v1/events} sent with the {@value #IDEMPOTENCY_KEY} header
   * {@code idempotencyKey} (null without one): it is the event id when the body gives none, and a
   * body {@code event_id} that differs from it is a 400.
   */
  public HostEvent validate(final byte[] body, final String idempotencyKey) {
    checkSize(
        JsonBodies.BODY, body.length, settings.maxBodyBytes(), GatewaySettings.MAX_BODY_BYTES);
    final ObjectNode json = JsonBodies.parseObject(body);
    if (idempotencyKey == null) {
      return validate(json, "");
    }
    checkId("", IDEMPOTENCY_KEY, idempotencyKey);
    final JsonNode given = json.get(EVENT_ID);
    if (given == null || given.isNull()) {
      return validate(json.deepCopy().put(EVENT_ID, idempotencyKey), "");
    }
    if (!given.isTextual() || !given.asText().equals(idempotencyKey)) {
      throw JsonBodies.invalid(
          "",
          EVENT_ID,
          "differs from the "
              + IDEMPOTENCY_KEY
              + " header '"
              + idempotencyKey
              + "'; give one event id, or the same in both");
    }
    return validate(json, "");
  }

  /** The events in the body of {@code POST /v1/events:batch}, {@code {"events": [...]}}. */
  public List<HostEvent> validateBatch(final byte[] body) {
    checkSize(
        JsonBodies.BODY, body.length, settings.maxBatchBytes(), GatewaySettings.MAX_BATCH_BYTES);
    final ObjectNode root = JsonBodies.parseObject(body);
    final Iterator<String> names = root.fieldNames();
    while (names.hasNext()) {
      final String name = names.next();
      if (!EVENTS.equals(name)) {
        throw JsonBodies.invalid("", name, "is not a known field of a batch (only 'events')");
      }
    }
    final JsonNode events = root.get(EVENTS);
    if (events == null || !events.isArray()) {
      throw JsonBodies.invalid("", EVENTS, "is required and must be an array of events");
    }
    if (events.isEmpty()) {
      throw JsonBodies.invalid("", EVENTS, "must hold at least one event");
    }
    if (events.size() > settings.maxBatchEvents()) {
      throw JsonBodies.tooLarge(
          EVENTS,
          "a batch holds at most "
              + settings.maxBatchEvents()
              + " events ("
              + GatewaySettings.MAX_BATCH_EVENTS
              + "), got "
              + events.size());
    }
    final List<HostEvent> valid = new ArrayList<>(events.size());
    for (int i = 0; i < events.size(); i++) {
      valid.add(validateItem(events.get(i), EVENTS + "[" + i + "]"));
    }
    return List.copyOf(valid);
  }

  private HostEvent validateItem(final JsonNode item, final String field) {
    if (!item.isObject()) {
      throw JsonBodies.invalid(field, "", "must be a JSON object");
    }
    final int size = AvroJson.text(item).getBytes(StandardCharsets.UTF_8).length;
    checkSize(field, size, settings.maxBodyBytes(), GatewaySettings.MAX_BODY_BYTES);
    return validate((ObjectNode) item, field);
  }

  /** One event's JSON object, fields named under {@code prefix}; {@code json} is not changed. */
  HostEvent validate(final ObjectNode json, final String prefix) {
    final ObjectNode filled = withDefaults(json, prefix);
    final JsonNode metadata = filled.get("metadata");
    if (metadata != null && !metadata.isObject()) {
      throw JsonBodies.invalid(prefix, "metadata", "must be a JSON object");
    }
    final HostEvent event;
    try {
      event = AvroJson.fromJson(filled, HostEvent.class);
    } catch (final JsonFieldException e) {
      throw JsonBodies.invalid(e, prefix);
    }
    checkIds(event, prefix);
    if (!EventTypes.isValid(event.getEventType())) {
      throw JsonBodies.invalid(
          prefix,
          "event_type",
          "must have the form word.word[.word] (lowercase letters, digits, '_'), e.g."
              + " message.received; got '"
              + event.getEventType()
              + "'");
    }
    checkText(event, prefix);
    return event;
  }

  private ObjectNode withDefaults(final ObjectNode json, final String prefix) {
    final ObjectNode filled = json.deepCopy();
    if (absent(filled, EVENT_ID)) {
      filled.put(EVENT_ID, UUID.randomUUID().toString());
    }
    if (absent(filled, EVENT_TIME)) {
      filled.put(EVENT_TIME, clock.millis());
    } else {
      filled.put(EVENT_TIME, epochMillis(filled.get(EVENT_TIME), prefix));
    }
    if (absent(filled, "source")) {
      filled.put("source", DEFAULT_SOURCE);
    }
    return filled;
  }

  /** {@code event_time} as epoch milliseconds: given so, or as an ISO-8601 instant. */
  private static long epochMillis(final JsonNode time, final String prefix) {
    if (time.isIntegralNumber() && time.canConvertToLong()) {
      return time.longValue();
    }
    if (time.isTextual()) {
      try {
        return Instant.parse(time.textValue()).toEpochMilli();
      } catch (final DateTimeException e) {
        // reported below
      }
    }
    throw JsonBodies.invalid(
        prefix,
        EVENT_TIME,
        "must be epoch milliseconds or an ISO-8601 instant (e.g. 2026-01-31T12:00:00Z), got "
            + time);
  }

  private static boolean absent(final ObjectNode json, final String field) {
    final JsonNode value = json.get(field);
    return value == null || value.isNull();
  }

  private static void checkIds(final HostEvent event, final String prefix) {
    checkId(prefix, EVENT_ID, event.getEventId());
    checkId(prefix, "workspace_id", event.getWorkspaceId());
    checkSegment(prefix, "workspace_id", event.getWorkspaceId());
    checkOptionalId(prefix, "bot_id", event.getBotId());
    checkOptionalId(prefix, "conversation_id", event.getConversationId());
    checkOptionalId(prefix, "thread_id", event.getThreadId());
  }

  private static void checkOptionalId(final String prefix, final String field, final String value) {
    if (value != null) {
      checkId(prefix, field, value);
      checkSegment(prefix, field, value);
    }
  }

  /**
   * A workspace, bot, conversation or thread id is a part of workspace-scoped keys ({@link
   * WorkspaceKeys}), so it may not hold their separator: 400 naming the field.
   */
  static void checkSegment(final String prefix, final String field, final String value) {
    if (value != null && !WorkspaceKeys.isValidSegment(value)) {
      throw JsonBodies.invalid(
          prefix,
          field,
          "must not hold '"
              + WorkspaceKeys.SEPARATOR
              + "' (it separates the parts of workspace-scoped keys); got '"
              + value
              + "'");
    }
  }

  private static void checkId(final String prefix, final String field, final String value) {
    if (value.isBlank()) {
      throw JsonBodies.invalid(prefix, field, "must not be empty");
    }
    if (value.length() > MAX_ID_LENGTH) {
      throw JsonBodies.invalid(
          prefix, field, "must be at most " + MAX_ID_LENGTH + " characters long");
    }
  }

  private void checkText(final HostEvent event, final String prefix) {
    final String text = event.getInput().getText();
    if (text != null) {
      final int bytes = text.getBytes(StandardCharsets.UTF_8).length;
      checkSize(
          JsonBodies.path(prefix, "input.text"),
          bytes,
          settings.maxTextBytes(),
          GatewaySettings.MAX_TEXT_BYTES);
    }
  }

  private static void checkSize(
      final String field, final long size, final long limit, final String setting) {
    if (size > limit) {
      throw JsonBodies.tooLarge(
          field,
          (JsonBodies.BODY.equals(field) ? "request body" : "'" + field + "'")
              + " is "
              + size
              + " bytes, more than the limit of "
              + limit
              + " bytes ("
              + setting
              + ")");
    }
  }
}
