package dev.runledger.worker.builtin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.runledger.avro.AgentRunContext;
import dev.runledger.avro.AgentRunResult;
import dev.runledger.avro.EventInput;
import dev.runledger.avro.MessageCompleted;
import dev.runledger.avro.MessageDelta;
import dev.runledger.avro.RunCompleted;
import dev.runledger.avro.SteeringItem;
import dev.runledger.worker.Fixtures;
import dev.runledger.worker.spi.Results;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

class EchoRunnerTest {
  private final EchoRunner runner = new EchoRunner("test");

  @Test
  void shouldEchoTheInputAsDeltasAndOneCompletedMessageWhenOneTurn() throws Exception {
    // given
    final FakeSession session = new FakeSession();

    // when
    runner.run(context("hello, runledger", "{\"turns\": 1, \"turn_delay_ms\": 0}"), session);

    // then
    final List<AgentRunResult> results = session.results();
    final List<AgentRunResult> deltas = ofType(results, Results.MESSAGE_DELTA);
    assertThat(deltas).hasSizeBetween(2, EchoRunner.MAX_CHUNKS);
    assertThat(joined(deltas)).isEqualTo("hello, runledger");
    assertThat(ofType(results, Results.MESSAGE_COMPLETED))
        .singleElement()
        .extracting(r -> ((MessageCompleted) r.getPayload()).getMessage().getContent())
        .isEqualTo("hello, runledger");
    assertThat(results.get(results.size() - 1))
        .isEqualTo(Results.completed(Results.STOP, Results.assistant("hello, runledger")));
    assertThat(results).filteredOn(Results::isTerminal).hasSize(1);
  }

  @Test
  void shouldEmitNothingForLaterTurnsWhenNothingWasSteered() throws Exception {
    // given
    final FakeSession session = new FakeSession();

    // when
    runner.run(context("one", "{\"turns\": 2}"), session);

    // then
    assertThat(session.results())
        .extracting(AgentRunResult::getType)
        .containsExactly(
            Results.MESSAGE_DELTA,
            Results.MESSAGE_DELTA,
            Results.MESSAGE_DELTA,
            Results.MESSAGE_COMPLETED,
            Results.RUN_COMPLETED);
    assertThat(session.sleeps()).isEqualTo(2);
  }

  @Test
  void shouldWaitBetweenTheChunksOfAMessageWhenAChunkDelayIsSet() throws Exception {
    // given
    final FakeSession session = new FakeSession();

    // when
    runner.run(context("streamed text", "{\"chunk_delay_ms\": 1}"), session);

    // then: one wait before the turn, one between each two of the three chunks
    assertThat(ofType(session.results(), Results.MESSAGE_DELTA)).hasSize(EchoRunner.MAX_CHUNKS);
    assertThat(session.sleeps()).isEqualTo(1 + EchoRunner.MAX_CHUNKS - 1);
  }

  @Test
  void shouldRefuseANegativeChunkDelay() {
    assertThatThrownBy(
            () -> runner.run(context("x", "{\"chunk_delay_ms\": -1}"), new FakeSession()))
        .hasMessageContaining("'chunk_delay_ms'");
  }

  @Test
  void shouldEchoSteeredTextsJoinedByNewlineWhenALaterTurnPullsSteering() throws Exception {
    // given
    final FakeSession session =
        new FakeSession().steering(List.of(steered("ev-2", "second"), steered("ev-3", "third")));

    // when
    runner.run(context("first", "{\"turns\": 2}"), session);

    // then
    final List<AgentRunResult> completed = ofType(session.results(), Results.MESSAGE_COMPLETED);
    assertThat(completed)
        .extracting(r -> ((MessageCompleted) r.getPayload()).getMessage().getContent())
        .containsExactly("first", "second\nthird");
    final AgentRunResult last = session.results().get(session.results().size() - 1);
    assertThat(((RunCompleted) last.getPayload()).getMessage().getContent())
        .isEqualTo("second\nthird");
  }

  @Test
  void shouldEchoAnEmptyMessageWhenTheInputHasNoText() throws Exception {
    // given
    final FakeSession session = new FakeSession();
    final AgentRunContext context =
        AgentRunContext.newBuilder(context("x", "{}"))
            .setInput(EventInput.newBuilder().build())
            .build();

    // when
    runner.run(context, session);

    // then
    assertThat(session.results())
        .containsExactly(
            Results.messageCompleted(""), Results.completed(Results.STOP, Results.assistant("")));
  }

  @Test
  void shouldStopAtOnceWithoutATerminalWhenCancelledDuringTheTurnDelay() throws Exception {
    // given
    final FakeSession session = new FakeSession();
    final CompletableFuture<Void> running =
        CompletableFuture.runAsync(
            () -> {
              try {
                runner.run(context("slow", "{\"turn_delay_ms\": 60000}"), session);
              } catch (final InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            });
    Awaitility.await().until(() -> session.sleeps() == 1);

    // when
    session.cancel();

    // then
    running.get(5, TimeUnit.SECONDS);
    assertThat(session.results()).isEmpty();
  }

  @Test
  void shouldRejectTheConfigWhenTurnsIsNotAPositiveInteger() {
    assertThatThrownBy(() -> runner.run(context("x", "{\"turns\": 0}"), new FakeSession()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'turns'");
    assertThatThrownBy(() -> runner.run(context("x", "{\"turns\": \"two\"}"), new FakeSession()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'turns' must be an integer");
    assertThatThrownBy(() -> runner.run(context("x", "{\"turn_delay_ms\": -5}"), new FakeSession()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'turn_delay_ms'");
  }

  @Test
  void shouldSplitOnCodePointsWhenTheTextHasSurrogatePairs() {
    // given
    final String text = "a😀b😀";

    // when
    final List<String> chunks = EchoRunner.chunks(text);

    // then
    assertThat(String.join("", chunks)).isEqualTo(text);
    assertThat(chunks)
        .hasSize(3)
        .allSatisfy(c -> assertThat(Character.isLowSurrogate(c.charAt(0))).isFalse());
  }

  @Test
  void shouldDeclareStreamingInterruptAndSteeringInTheDefaultPoolWhenAskedForItsManifest() {
    assertThat(runner.manifest().getRunnerId()).isEqualTo("builtin:echo/default");
    assertThat(runner.manifest().getPool()).isEqualTo("default");
    assertThat(runner.manifest().getCapabilities().getStreaming()).isTrue();
    assertThat(runner.manifest().getCapabilities().getInterrupt()).isTrue();
    assertThat(runner.manifest().getCapabilities().getSteering()).isTrue();
    assertThat(runner.manifest().getCapabilities().getToolCalling()).isFalse();
  }

  private static AgentRunContext context(final String text, final String config) {
    return Fixtures.context("run-1", text, config, Fixtures.NOW.plus(Duration.ofMinutes(10)));
  }

  private static SteeringItem steered(final String eventId, final String text) {
    return SteeringItem.newBuilder()
        .setSourceEventId(eventId)
        .setClaimedRunId("run-1")
        .setRunnerId(EchoRunner.RUNNER_ID)
        .setClaimedAt(Fixtures.NOW)
        .setInput(EventInput.newBuilder().setText(text).build())
        .build();
  }

  private static List<AgentRunResult> ofType(
      final List<AgentRunResult> results, final String type) {
    return results.stream().filter(r -> r.getType().equals(type)).toList();
  }

  private static String joined(final List<AgentRunResult> deltas) {
    return deltas.stream()
        .map(r -> ((MessageDelta) r.getPayload()).getChunk().getContent())
        .collect(Collectors.joining());
  }
}
