package dev.runledger.orchestrator.dispatch;

import static dev.runledger.orchestrator.dispatch.Fixtures.BOT;
import static dev.runledger.orchestrator.dispatch.Fixtures.CONVERSATION;
import static dev.runledger.orchestrator.dispatch.Fixtures.ECHO;
import static dev.runledger.orchestrator.dispatch.Fixtures.binding;
import static dev.runledger.orchestrator.dispatch.Fixtures.event;
import static dev.runledger.orchestrator.dispatch.Fixtures.filter;
import static dev.runledger.orchestrator.dispatch.Fixtures.manifest;
import static dev.runledger.orchestrator.dispatch.Fixtures.scope;
import static org.assertj.core.api.Assertions.assertThat;

import dev.runledger.avro.AgentBinding;
import dev.runledger.avro.BindingScope;
import dev.runledger.avro.EventInput;
import dev.runledger.avro.FilterOp;
import dev.runledger.avro.HostEvent;
import dev.runledger.avro.RunnerManifest;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BindingResolverTest {
  private static final RunnerManifest ECHO_MANIFEST = manifest(ECHO, "default").build();
  private static final Function<String, Optional<RunnerManifest>> RUNNERS =
      id -> Optional.ofNullable(Map.of(ECHO, ECHO_MANIFEST).get(id));

  private final BindingResolver resolver = new BindingResolver();

  private Resolution resolve(final HostEvent event, final AgentBinding... bindings) {
    return resolver.resolve(event, List.of(bindings), RUNNERS);
  }

  private static String winner(final Resolution resolution) {
    assertThat(resolution.outcome()).isEqualTo(Resolution.Outcome.MATCHED);
    return resolution.binding().getBindingId();
  }

  @Test
  void shouldMatchTheOnlyBindingWhenItCoversTheEvent() {
    // given
    final AgentBinding only = binding("b1", ECHO).build();

    // when
    final Resolution resolution = resolve(event("e1").build(), only);

    // then
    assertThat(winner(resolution)).isEqualTo("b1");
    assertThat(resolution.manifest()).isEqualTo(ECHO_MANIFEST);
    assertThat(resolution.reason()).isNull();
  }

  @Test
  void shouldAnswerNoBindingWhenThereAreNoBindings() {
    assertThat(resolve(event("e1").build()).outcome()).isEqualTo(Resolution.Outcome.NO_BINDING);
  }

  @Test
  void shouldIgnoreDisabledBindings() {
    final AgentBinding disabled = binding("b1", ECHO).setEnabled(false).build();

    assertThat(resolve(event("e1").build(), disabled).outcome())
        .isEqualTo(Resolution.Outcome.NO_BINDING);
  }

  @ParameterizedTest(name = "pattern {0} vs {1} -> {2}")
  @CsvSource({
    "message.received, message.received, true",
    "message.received, message.recalled, false",
    "message.*, message.received, true",
    "message.*, message.x.y, true",
    "message.*, messages.received, false",
    "message.*, group.member_joined, false",
    "*, schedule.triggered, true",
    "message, message.received, false",
  })
  void shouldMatchEventTypePatternsWhenExactPrefixOrStar(
      final String pattern, final String eventType, final boolean matches) {
    assertThat(BindingResolver.typeMatches(List.of(pattern), eventType)).isEqualTo(matches);
  }

  @Test
  void shouldMatchWhenAnyOfSeveralEventTypesMatches() {
    final AgentBinding binding =
        binding("b1", ECHO).setEventTypes(List.of("group.*", "message.received")).build();

    assertThat(winner(resolve(event("e1").build(), binding))).isEqualTo("b1");
  }

  @Test
  void shouldNotMatchWhenTheWorkspaceDiffers() {
    final AgentBinding other =
        binding("b1", ECHO)
            .setScope(
                BindingScope.newBuilder(scope(null, null, null)).setWorkspaceId("ws2").build())
            .build();

    assertThat(resolve(event("e1").build(), other).outcome())
        .isEqualTo(Resolution.Outcome.NO_BINDING);
  }

  @ParameterizedTest(name = "bot={0} conversation={1} thread={2} -> {3}")
  @CsvSource(
      nullValues = "-",
      value = {
        "bot1, -, -, true",
        "bot2, -, -, false",
        "-, c1, -, true",
        "-, c2, -, false",
        "bot1, c1, t1, true",
        "bot1, c1, t2, false",
      })
  void shouldContainTheEventOnlyWhenEverySetScopePartMatches(
      final String bot, final String conversation, final String thread, final boolean contains) {
    final HostEvent inThread = event("e1").setThreadId("t1").build();

    assertThat(BindingResolver.inScope(scope(bot, conversation, thread), inThread))
        .isEqualTo(contains);
  }

  @Test
  void shouldNotContainAnEventWithoutAConversationInAConversationScope() {
    final HostEvent scheduled = event("e1").setConversationId(null).build();

    assertThat(BindingResolver.inScope(scope(null, CONVERSATION, null), scheduled)).isFalse();
  }

  @Test
  void shouldPreferAMoreSpecificScopeOverAHigherPriority() {
    // given
    final AgentBinding workspaceWide = binding("wide", ECHO).setPriority(100).build();
    final AgentBinding conversation =
        binding("narrow", ECHO).setScope(scope(null, CONVERSATION, null)).setPriority(0).build();

    // when
    final Resolution resolution = resolve(event("e1").build(), workspaceWide, conversation);

    // then
    assertThat(winner(resolution)).isEqualTo("narrow");
  }

  @Test
  void shouldRankThreadOverConversationOverBotOverWorkspace() {
    final HostEvent inThread = event("e1").setThreadId("t1").build();
    final AgentBinding workspace = binding("w", ECHO).build();
    final AgentBinding bot = binding("b", ECHO).setScope(scope(BOT, null, null)).build();
    final AgentBinding conversation =
        binding("c", ECHO).setScope(scope(null, CONVERSATION, null)).build();
    final AgentBinding thread =
        binding("t", ECHO).setScope(scope(null, CONVERSATION, "t1")).build();

    assertThat(winner(resolve(inThread, workspace, bot, conversation, thread))).isEqualTo("t");
    assertThat(winner(resolve(inThread, workspace, bot, conversation))).isEqualTo("c");
    assertThat(winner(resolve(inThread, workspace, bot))).isEqualTo("b");
    assertThat(winner(resolve(inThread, workspace))).isEqualTo("w");
  }

  @Test
  void shouldPickTheHighestPriorityAmongEqualScopes() {
    final AgentBinding low = binding("low", ECHO).setPriority(1).build();
    final AgentBinding high = binding("high", ECHO).setPriority(5).build();

    assertThat(winner(resolve(event("e1").build(), low, high))).isEqualTo("high");
  }

  @Test
  void shouldRejectAsAmbiguousWhenTwoBindingsTieOnScopeAndPriority() {
    // given
    final AgentBinding first = binding("a", ECHO).setPriority(3).build();
    final AgentBinding second = binding("b", ECHO).setPriority(3).build();

    // when
    final Resolution resolution = resolve(event("e1").build(), first, second);

    // then
    assertThat(resolution.outcome()).isEqualTo(Resolution.Outcome.REJECTED);
    assertThat(resolution.reason()).isEqualTo(Resolution.BINDING_AMBIGUOUS);
    assertThat(resolution.binding()).isNull();
  }

  @Test
  void shouldNotBeAmbiguousWhenTheTieIsBelowTheWinner() {
    final AgentBinding winner = binding("top", ECHO).setPriority(9).build();
    final AgentBinding tieA = binding("a", ECHO).setPriority(3).build();
    final AgentBinding tieB = binding("b", ECHO).setPriority(3).build();

    assertThat(winner(resolve(event("e1").build(), tieA, winner, tieB))).isEqualTo("top");
  }

  @Test
  void shouldRejectAsRunnerUnknownWhenTheWinnersRunnerHasNoManifest() {
    // given
    final AgentBinding unknownRunner = binding("b1", "proc:acme/missing/default").build();

    // when
    final Resolution resolution = resolve(event("e1").build(), unknownRunner);

    // then
    assertThat(resolution.outcome()).isEqualTo(Resolution.Outcome.REJECTED);
    assertThat(resolution.reason()).isEqualTo(Resolution.RUNNER_UNKNOWN);
    assertThat(resolution.binding().getBindingId()).isEqualTo("b1");
  }

  @Test
  void shouldNotFallBackToALowerBindingWhenTheWinnersRunnerIsUnknown() {
    final AgentBinding winner = binding("top", "proc:acme/missing/default").setPriority(9).build();
    final AgentBinding fallback = binding("low", ECHO).build();

    assertThat(resolve(event("e1").build(), winner, fallback).reason())
        .isEqualTo(Resolution.RUNNER_UNKNOWN);
  }

  @ParameterizedTest(name = "{0} {1} {2} -> {3}")
  @CsvSource({
    "input.text, EQ, hello, true",
    "input.text, EQ, hell, false",
    "input.text, PREFIX, hel, true",
    "input.text, PREFIX, ello, false",
    "input.text, REGEX, l+o$, true",
    "input.text, REGEX, ^ello, false",
    "actor.actor_id, EQ, u1, true",
    "actor.actor_type, EQ, bot, false",
    "source, EQ, platform, true",
    "source, EQ, PLATFORM, false",
    "event_type, PREFIX, message., true",
    "thread_id, EQ, t1, false",
    "actor.no_such_field, EQ, u1, false",
    "no.such.path, PREFIX, '', false",
  })
  void shouldApplyFiltersToDottedEventFields(
      final String field, final FilterOp op, final String value, final boolean matches) {
    final AgentBinding filtered =
        binding("b1", ECHO).setFilters(List.of(filter(field, op, value))).build();

    final Resolution resolution = resolve(event("e1").build(), filtered);

    assertThat(resolution.outcome())
        .isEqualTo(matches ? Resolution.Outcome.MATCHED : Resolution.Outcome.NO_BINDING);
  }

  @Test
  void shouldRequireEveryFilterToPass() {
    final AgentBinding both =
        binding("b1", ECHO)
            .setFilters(
                List.of(
                    filter("actor.actor_id", FilterOp.EQ, "u1"),
                    filter("input.text", FilterOp.EQ, "bye")))
            .build();

    assertThat(resolve(event("e1").build(), both).outcome())
        .isEqualTo(Resolution.Outcome.NO_BINDING);
  }

  @Test
  void shouldTreatABadRegexAsNotMatchingInsteadOfFailing() {
    // given
    final AgentBinding broken =
        binding("broken", ECHO)
            .setPriority(9)
            .setFilters(List.of(filter("input.text", FilterOp.REGEX, "(unclosed")))
            .build();
    final AgentBinding healthy = binding("healthy", ECHO).build();

    // when
    final Resolution first = resolve(event("e1").build(), broken, healthy);
    final Resolution again = resolve(event("e2").build(), broken, healthy);

    // then
    assertThat(winner(first)).isEqualTo("healthy");
    assertThat(winner(again)).isEqualTo("healthy");
  }

  private static HostEvent text(final String eventId, final String text) {
    return event(eventId).setInput(EventInput.newBuilder().setText(text).build()).build();
  }

  private static AgentBinding regex(final String bindingId, final String pattern) {
    return regex(bindingId, pattern, 0);
  }

  private static AgentBinding regex(
      final String bindingId, final String pattern, final int priority) {
    return binding(bindingId, ECHO)
        .setPriority(priority)
        .setFilters(List.of(filter("input.text", FilterOp.REGEX, pattern)))
        .build();
  }

  @Test
  void shouldDecideTheBacktrackingPatternOnTheEvilInputInsteadOfStalling() {
    // given: 24 a's cannot satisfy 25 repetitions; java.util.regex backtracks for seconds here
    final AgentBinding evil = regex("evil", "(.*a){25}");
    final String input = "a".repeat(24) + "b".repeat(32);

    // when
    final Resolution near = resolve(text("e1", input), evil);
    final Resolution hit = resolve(text("e2", "a".repeat(25) + "b".repeat(32)), evil);

    // then
    assertThat(near.outcome()).isEqualTo(Resolution.Outcome.NO_BINDING);
    assertThat(winner(hit)).isEqualTo("evil");
  }

  @ParameterizedTest(name = "{0} on {1} -> {2}")
  @CsvSource({
    "ell, hello, true",
    "^hello$, hello, true",
    "^ell, hello, false",
    "(?i)HELLO, hello, true",
    "'^(hi|hello)\\b', hello world, true",
    "\\d+, hello, false",
  })
  void shouldFindTheRegexAnywhereInTheFieldAsBefore(
      final String pattern, final String input, final boolean matches) {
    assertThat(resolve(text("e1", input), regex("b1", pattern)).outcome())
        .isEqualTo(matches ? Resolution.Outcome.MATCHED : Resolution.Outcome.NO_BINDING);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "'(h)\\1', backreference",
    "'h(?=e)', lookahead",
    "'(?<!x)h', lookbehind",
    "'hel++o', possessive quantifier",
    "'(.*a){400}', compiles to more than the instruction limit",
  })
  void shouldNeverMatchAPatternTheEngineRefuses(final String pattern, final String why) {
    final AgentBinding refused = regex("refused", pattern, 9);
    final AgentBinding healthy = binding("healthy", ECHO).build();

    assertThat(winner(resolve(text("e1", "hello"), refused, healthy))).as(why).isEqualTo("healthy");
  }

  @Test
  void shouldNeverMatchAPatternLongerThanTheLimit() {
    // given
    final BindingResolver bounded = new BindingResolver(new FilterLimits(8, 64));
    final AgentBinding longer = regex("long", "h(e|x)llo");
    final AgentBinding within = regex("short", "h(e|x)ll");

    // when
    final Resolution tooLong = bounded.resolve(text("e1", "hello"), List.of(longer), RUNNERS);
    final Resolution fits = bounded.resolve(text("e2", "hello"), List.of(within), RUNNERS);

    // then
    assertThat(tooLong.outcome()).isEqualTo(Resolution.Outcome.NO_BINDING);
    assertThat(winner(fits)).isEqualTo("short");
  }

  @ParameterizedTest(name = "{0} on a field longer than the input limit -> {1}")
  @CsvSource({
    "^aaaa, true",
    "b, false",
    "a$, true",
    "^a{8}$, true",
  })
  void shouldMatchOnlyTheFirstMaxInputCharsOfALongerField(
      final String pattern, final boolean matches) {
    // given: the filter reads 8 chars of "aaaaaaaab"
    final BindingResolver bounded = new BindingResolver(new FilterLimits(64, 8));

    // when
    final Resolution resolution =
        bounded.resolve(text("e1", "a".repeat(8) + "b"), List.of(regex("b1", pattern)), RUNNERS);

    // then
    assertThat(resolution.outcome())
        .isEqualTo(matches ? Resolution.Outcome.MATCHED : Resolution.Outcome.NO_BINDING);
  }

  @Test
  void shouldNotCutASurrogatePairAtTheInputLimit() {
    // given: the limit falls between the two halves of U+1F600
    final BindingResolver bounded = new BindingResolver(new FilterLimits(64, 2));
    final String input = "a\uD83D\uDE00";

    // when
    final Resolution lone =
        bounded.resolve(text("e1", input), List.of(regex("b1", "^a$")), RUNNERS);

    // then
    assertThat(winner(lone)).isEqualTo("b1");
  }

  @Test
  void shouldReadSpecificityFromTheMostSpecificSetScopePart() {
    assertThat(BindingResolver.specificity(scope(null, null, null))).isZero();
    assertThat(BindingResolver.specificity(scope(BOT, null, null))).isEqualTo(1);
    assertThat(BindingResolver.specificity(scope(null, CONVERSATION, null))).isEqualTo(2);
    assertThat(BindingResolver.specificity(scope(null, null, "t1"))).isEqualTo(3);
  }
}
