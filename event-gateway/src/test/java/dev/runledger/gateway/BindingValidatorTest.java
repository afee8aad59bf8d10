package dev.runledger.gateway;

import static dev.runledger.gateway.Fixtures.apiError;
import static dev.runledger.gateway.Fixtures.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.runledger.avro.AgentBinding;
import dev.runledger.avro.DispatchMode;
import dev.runledger.avro.FilterOp;
import dev.runledger.avro.OnUnpulled;
import dev.runledger.schemas.events.RegexFilter;
import dev.runledger.schemas.http.ApiException;
import dev.runledger.schemas.json.AvroJson;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class BindingValidatorTest {
  private static final String MINIMAL =
      "{\"scope\": {\"workspace_id\": \"w1\"}, \"event_types\": [\"message.*\"],"
          + " \"runner_id\": \"builtin:echo/default\"}";

  private final BindingValidator validator =
      new BindingValidator(GatewaySettings.defaults(), Fixtures.CLOCK);

  private AgentBinding valid(final String id, final String body) {
    return validator.validate("w1", id, utf8(body));
  }

  private ApiException rejected(final String body) {
    return apiError(() -> validator.validate("w1", "b1", utf8(body)));
  }

  private static void assertInvalid(final ApiException error, final String field) {
    assertThat(error.status()).isEqualTo(400);
    assertThat(error.code()).isEqualTo("invalid_argument");
    assertThat(error.field()).isEqualTo(field);
    assertThat(error.getMessage()).isNotBlank();
  }

  /** The minimal binding's JSON with {@code members} ("name": value, ...) added or replaced. */
  private static String minimalWith(final String members) {
    final ObjectNode body = (ObjectNode) AvroJson.parse(MINIMAL, "");
    body.setAll((ObjectNode) AvroJson.parse("{" + members + "}", ""));
    return AvroJson.text(body);
  }

  @Test
  void shouldFillIdFromPathAndDefaultsWhenBodyIsMinimal() {
    // when
    final AgentBinding binding = valid("echo-1", MINIMAL);

    // then
    assertThat(binding.getBindingId()).isEqualTo("echo-1");
    assertThat(binding.getEnabled()).isTrue();
    assertThat(binding.getScope().getWorkspaceId()).isEqualTo("w1");
    assertThat(binding.getEventTypes()).containsExactly("message.*");
    assertThat(binding.getRunnerConfigJson()).isEqualTo("{}");
    assertThat(binding.getTimeoutMs()).isEqualTo(600_000L);
    assertThat(binding.getMaxSteeringQueue()).isEqualTo(16);
    assertThat(binding.getDispatchPolicy().getMode()).isNull();
    assertThat(binding.getDispatchPolicy().getOnUnpulled()).isEqualTo(OnUnpulled.FOLLOWUP);
    assertThat(binding.getDispatchPolicy().getMaxQueue()).isEqualTo(100);
    assertThat(binding.getUpdatedAt()).isEqualTo(Fixtures.NOW);
  }

  @Test
  void shouldKeepEveryGivenFieldWhenBindingIsComplete() {
    // given
    final String body =
        """
        {"binding_id": "b1", "enabled": false,
         "scope": {"workspace_id": "w1", "bot_id": "bot", "conversation_id": "c1", "thread_id": "t"},
         "event_types": ["message.received", "group.*", "a.b.*"],
         "filters": [{"field": "input.text", "op": "regex", "value": "^hi\\\\b"},
                     {"field": "actor.actor_type", "value": "user"}],
         "priority": 7, "runner_id": "proc:acme/triage/default",
         "runner_config": {"turns": 2, "nested": {"a": [1, 2]}},
         "resource_policy": {"models": ["m1"], "history_scopes": ["conversation"],
                             "storage_areas": ["plugin"], "state_scopes": ["actor", "binding"]},
         "state_policy": {"max_value_bytes": 1024, "max_keys_per_scope": 10},
         "dispatch_policy": {"mode": "steer", "on_unpulled": "drop", "max_queue": 1},
         "timeout_ms": 1000, "max_steering_queue": 0}
        """;

    // when
    final AgentBinding binding = valid("b1", body);

    // then
    assertThat(binding.getEnabled()).isFalse();
    assertThat(binding.getScope().getThreadId()).isEqualTo("t");
    assertThat(binding.getFilters().get(0).getOp()).isEqualTo(FilterOp.REGEX);
    assertThat(binding.getFilters().get(0).getValue()).isEqualTo("^hi\\b");
    assertThat(binding.getFilters().get(1).getOp()).isEqualTo(FilterOp.EQ);
    assertThat(binding.getPriority()).isEqualTo(7);
    assertThat(binding.getRunnerConfigJson()).isEqualTo("{\"turns\":2,\"nested\":{\"a\":[1,2]}}");
    assertThat(binding.getResourcePolicy().getStateScopes()).containsExactly("actor", "binding");
    assertThat(binding.getDispatchPolicy().getMode()).isEqualTo(DispatchMode.STEER);
    assertThat(binding.getDispatchPolicy().getOnUnpulled()).isEqualTo(OnUnpulled.DROP);
    assertThat(binding.getMaxSteeringQueue()).isZero();
  }

  @Test
  void shouldSetUpdatedAtToNowWhenBodyGivesAnother() {
    assertThat(valid("b1", minimalWith("\"updated_at\": 5")).getUpdatedAt())
        .isEqualTo(Fixtures.NOW);
  }

  @Test
  void shouldRejectBindingIdWhenItDiffersFromPath() {
    // when
    final ApiException error = rejected(minimalWith("\"binding_id\": \"other\""));

    // then
    assertInvalid(error, "binding_id");
    assertThat(error.getMessage()).contains("'b1'");
  }

  @Test
  void shouldAcceptBindingIdWhenItEqualsPathOrIsNull() {
    assertThat(valid("b1", minimalWith("\"binding_id\": \"b1\"")).getBindingId()).isEqualTo("b1");
    assertThat(valid("b1", minimalWith("\"binding_id\": null")).getBindingId()).isEqualTo("b1");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "-x", "a b", "a/b", "ä"})
  void shouldRejectPathIdWhenItIsMalformed(final String id) {
    assertInvalid(apiError(() -> validator.validate("w1", id, utf8(MINIMAL))), "binding_id");
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "\"colour\": 1 | colour",
        "\"scope\": {\"workspace_id\": \"w1\", \"team\": \"t\"} | scope.team",
        "\"filters\": [{\"field\": \"f\", \"value\": \"v\", \"negate\": true}] | filters[0].negate",
        "\"dispatch_policy\": {\"strategy\": \"x\"} | dispatch_policy.strategy",
        "\"runner_config_json\": \"{}\" | runner_config_json"
      })
  void shouldNameFieldWhenItIsUnknown(final String members, final String field) {
    // when
    final ApiException error = rejected(minimalWith(members));

    // then
    assertInvalid(error, field);
    assertThat(error.getMessage()).contains("is not a known field");
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "\"enabled\": \"yes\" | enabled",
        "\"priority\": \"high\" | priority",
        "\"event_types\": \"message.*\" | event_types",
        "\"timeout_ms\": 1.5 | timeout_ms",
        "\"filters\": [{\"field\": \"f\", \"op\": \"like\", \"value\": \"v\"}] | filters[0].op",
        "\"filters\": [{\"field\": \"f\"}] | filters[0].value",
        "\"dispatch_policy\": {\"mode\": \"fanout\"} | dispatch_policy.mode",
        "\"scope\": \"w1\" | scope",
        "\"runner_id\": null | runner_id"
      })
  void shouldNameFieldWhenItHasTheWrongTypeOrValue(final String members, final String field) {
    assertInvalid(rejected(minimalWith(members)), field);
  }

  @Test
  void shouldNameFieldWhenRequiredFieldIsMissing() {
    assertInvalid(
        rejected("{\"scope\": {\"workspace_id\": \"w1\"}, \"runner_id\": \"r\"}"), "event_types");
    assertInvalid(
        rejected("{\"scope\": {\"workspace_id\": \"w1\"}, \"event_types\": [\"a.b\"]}"),
        "runner_id");
  }

  @ParameterizedTest
  @ValueSource(strings = {"not json", "[]", "", "{\"a\": 1} trailing"})
  void shouldRejectBodyWhenItIsNotAJsonObject(final String body) {
    assertInvalid(rejected(body), "body");
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "\"[\" | filters[0].value",
        "\"(unclosed\" | filters[0].value",
        "\"a{2,1}\" | filters[0].value"
      })
  void shouldRejectRegexFilterWhenItDoesNotCompile(final String regex, final String field) {
    // when
    final ApiException error =
        rejected(
            minimalWith(
                "\"filters\": [{\"field\": \"input.text\", \"op\": \"regex\", \"value\": "
                    + regex
                    + "}]"));

    // then
    assertInvalid(error, field);
    assertThat(error.getMessage()).contains("regular expression");
  }

  @ParameterizedTest(name = "{1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "(h)\\1 | backreference",
        "h(?=e) | lookahead",
        "(?<!x)h | lookbehind",
        "hel++o | possessive quantifier",
        "\\Z | Z, which RE2 does not have"
      })
  void shouldRejectRegexFilterWhenTheLinearTimeEngineRefusesIt(
      final String regex, final String why) {
    // when
    final ApiException error = rejected(regexFilterAt(1, regex));

    // then
    assertInvalid(error, "filters[1].value");
    assertThat(error.getMessage()).as(why).contains("regular expression", "RE2");
  }

  @Test
  void shouldRejectRegexFilterWhenItIsLongerThanTheLimit() {
    // given
    final String longest = "a".repeat(RegexFilter.DEFAULT_MAX_PATTERN_CHARS);

    // when
    final ApiException error = rejected(regexFilterAt(0, longest + "a"));

    // then
    assertInvalid(error, "filters[0].value");
    assertThat(error.getMessage()).contains("more than the limit of 1024");
    assertThat(valid("b1", regexFilterAt(0, longest)).getFilters()).hasSize(1);
  }

  @Test
  void shouldRejectRegexFilterWhenItCompilesToTooLargeAProgram() {
    // when: short, but 400 copies of .*a
    final ApiException error = rejected(regexFilterAt(0, "(.*a){400}"));

    // then
    assertInvalid(error, "filters[0].value");
    assertThat(error.getMessage()).contains("too complex");
  }

  @Test
  void shouldAcceptTheBacktrackingPatternBecauseTheEngineMatchesItInLinearTime() {
    assertThat(valid("b1", regexFilterAt(0, "(.*a){25}")).getFilters().get(0).getValue())
        .isEqualTo("(.*a){25}");
  }

  /** A body whose filter {@code index} (after {@code index} eq filters) is {@code regex}. */
  private static String regexFilterAt(final int index, final String regex) {
    final StringBuilder filters = new StringBuilder();
    for (int i = 0; i < index; i++) {
      filters.append("{\"field\": \"actor.actor_id\", \"value\": \"u1\"}, ");
    }
    filters
        .append("{\"field\": \"input.text\", \"op\": \"regex\", \"value\": ")
        .append(AvroJson.mapper().valueToTree(regex).toString())
        .append("}");
    return minimalWith("\"filters\": [" + filters + "]");
  }

  @Test
  void shouldAcceptInvalidRegexTextWhenOpIsNotRegex() {
    assertThat(
            valid(
                    "b1",
                    minimalWith(
                        "\"filters\": [{\"field\": \"input.text\", \"op\": \"prefix\","
                            + " \"value\": \"[\"}]"))
                .getFilters())
        .hasSize(1);
  }

  @Test
  void shouldNameTheFilterWhenASecondFilterIsBad() {
    assertInvalid(
        rejected(
            minimalWith(
                "\"filters\": [{\"field\": \"a\", \"value\": \"x\"},"
                    + " {\"field\": \"b\", \"op\": \"regex\", \"value\": \"*\"}]")),
        "filters[1].value");
  }

  @ParameterizedTest
  @ValueSource(strings = {"[1]", "\"{}\"", "\"not json\"", "null", "7", "true"})
  void shouldRejectRunnerConfigWhenItIsNotAJsonObject(final String config) {
    assertInvalid(rejected(minimalWith("\"runner_config\": " + config)), "runner_config");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"message.received", "message.*", "a.b.c", "a.b.*", "group.member_joined", "x_1.y"})
  void shouldAcceptEventTypePatternWhenWellFormed(final String pattern) {
    assertThat(valid("b1", minimalWith("\"event_types\": [\"" + pattern + "\"]")).getEventTypes())
        .containsExactly(pattern);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "*",
        "message",
        "message.",
        "Message.*",
        "a.b.c.*",
        "a.*.c",
        "*.received",
        "a.b.c.d"
      })
  void shouldRejectEventTypePatternWhenMalformed(final String pattern) {
    assertInvalid(
        rejected(minimalWith("\"event_types\": [\"message.*\", \"" + pattern + "\"]")),
        "event_types[1]");
  }

  @Test
  void shouldRejectEventTypesWhenEmpty() {
    assertInvalid(rejected(minimalWith("\"event_types\": []")), "event_types");
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "\"timeout_ms\": 0 | timeout_ms",
        "\"timeout_ms\": -5 | timeout_ms",
        "\"max_steering_queue\": -1 | max_steering_queue",
        "\"dispatch_policy\": {\"max_queue\": 0} | dispatch_policy.max_queue",
        "\"state_policy\": {\"max_value_bytes\": 0} | state_policy.max_value_bytes",
        "\"state_policy\": {\"max_keys_per_scope\": -1} | state_policy.max_keys_per_scope"
      })
  void shouldRejectLimitWhenOutOfRange(final String members, final String field) {
    assertInvalid(rejected(minimalWith(members)), field);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "\"scope\": {\"workspace_id\": \"\"} | scope.workspace_id",
        "\"scope\": {\"workspace_id\": \"w1\", \"bot_id\": \" \"} | scope.bot_id",
        "\"scope\": {\"workspace_id\": \"w1\", \"thread_id\": \"t\"} | scope.thread_id",
        "\"runner_id\": \"\" | runner_id",
        "\"filters\": [{\"field\": \"\", \"value\": \"v\"}] | filters[0].field"
      })
  void shouldRejectScopeOrIdsWhenEmptyOrIncomplete(final String members, final String field) {
    assertInvalid(rejected(minimalWith(members)), field);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "\"resource_policy\": {\"history_scopes\": [\"workspace\"]}"
            + " | resource_policy.history_scopes[0]",
        "\"resource_policy\": {\"storage_areas\": [\"plugin\", \"disk\"]}"
            + " | resource_policy.storage_areas[1]",
        "\"resource_policy\": {\"state_scopes\": [\"global\"]} | resource_policy.state_scopes[0]"
      })
  void shouldRejectResourcePolicyWhenValueIsUnknown(final String members, final String field) {
    assertInvalid(rejected(minimalWith(members)), field);
  }

  @Test
  void shouldReturn413WhenBodyIsOverTheLimit() {
    // given
    final String body = MINIMAL + " ".repeat(1_048_576);

    // when
    final ApiException error = rejected(body);

    // then
    assertThat(error.status()).isEqualTo(413);
    assertThat(error.code()).isEqualTo("payload_too_large");
    assertThat(error.field()).isEqualTo("body");
  }

  @Test
  void shouldRoundTripThroughJsonWhenValidatedTwice() {
    // given
    final AgentBinding first = valid("b1", minimalWith("\"runner_config\": {\"turns\": 3}"));

    // when
    final AgentBinding second = validator.validate("w1", "b1", AvroJson.toJson(first));

    // then
    assertThat(second).isEqualTo(first);
  }

  @Test
  void shouldTakeTheWorkspaceFromThePathWhenTheBodyGivesNone() {
    final String noWorkspace =
        "{\"scope\": {\"bot_id\": \"bot1\"}, \"event_types\": [\"message.*\"],"
            + " \"runner_id\": \"builtin:echo/default\"}";
    final String noScope =
        "{\"event_types\": [\"message.*\"], \"runner_id\": \"builtin:echo/default\"}";

    assertThat(validator.validate("acme", "b1", utf8(noWorkspace)).getScope().getWorkspaceId())
        .isEqualTo("acme");
    assertThat(validator.validate("acme", "b1", utf8(noWorkspace)).getScope().getBotId())
        .isEqualTo("bot1");
    assertThat(validator.validate("acme", "b1", utf8(noScope)).getScope().getWorkspaceId())
        .isEqualTo("acme");
  }

  @Test
  void shouldRejectAScopeWorkspaceThatDiffersFromThePath() {
    // MINIMAL's scope is workspace w1
    final ApiException error = apiError(() -> validator.validate("acme", "b1", utf8(MINIMAL)));

    assertInvalid(error, "scope.workspace_id");
    assertThat(error.getMessage()).contains("acme");
  }

  @ParameterizedTest
  @ValueSource(strings = {"bot_id", "conversation_id", "thread_id"})
  void shouldRejectAScopeIdHoldingTheKeySeparator(final String field) {
    final String thread = "thread_id".equals(field) ? "\"conversation_id\": \"c\", " : "";
    final String scope =
        "\"scope\": {\"workspace_id\": \"w1\", " + thread + "\"" + field + "\": \"a/b\"}";

    assertInvalid(rejected(minimalWith(scope)), "scope." + field);
  }

  @Test
  void shouldRejectAPathWorkspaceHoldingTheKeySeparator() {
    assertInvalid(apiError(() -> validator.validate("a/b", "b1", utf8(MINIMAL))), "workspace_id");
  }
}
