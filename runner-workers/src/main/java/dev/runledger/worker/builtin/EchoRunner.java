package dev.runledger.worker.builtin;

import dev.runledger.avro.AgentRunContext;
import dev.runledger.avro.ChatMessage;
import dev.runledger.avro.Permissions;
import dev.runledger.avro.SteeringItem;
import dev.runledger.worker.spi.AsyncAgentRunner;
import dev.runledger.worker.spi.Results;
import dev.runledger.worker.spi.RunSession;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;

/**
 * {@code builtin:echo/default} (ARCHITECTURE.md §7.6): deterministic, for demos, tests and
 * benchmarks. Each turn waits {@code turn_delay_ms}, then echoes as a few {@code message.delta}
 * chunks ({@code chunk_delay_ms} apart) and one {@code message.completed}: turn 1 the input text
 * exactly; each later turn the texts of the steering items pulled just before it, joined by a
 * newline (a turn with nothing pulled emits nothing). Then {@code run.completed{finish_reason=stop,
 * message=<last echoed message>}}. Cancel ends it at once. It is an {@link AsyncAgentRunner}: its
 * waits hold no thread.
 */
public final class EchoRunner extends BuiltinRunner implements AsyncAgentRunner {
  /** The runner id. */
  public static final String RUNNER_ID = "builtin:echo/default";

  /** Most chunks one echoed message is split into. */
  static final int MAX_CHUNKS = 3;

  private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);

  private static final String CONFIG_SCHEMA =
      "{\"type\":\"object\",\"properties\":{"
          + "\"turns\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":1000,\"default\":1},"
          + "\"turn_delay_ms\":{\"type\":\"integer\",\"minimum\":0,\"default\":0},"
          + "\"chunk_delay_ms\":{\"type\":\"integer\",\"minimum\":0,\"default\":0}}}";

  public EchoRunner(final String version) {
    super(
        manifest(RUNNER_ID, "echo", "Echo", version)
            .setDescription(
                "Echoes the input text back, streamed; later turns echo steered messages.")
            .setPermissions(Permissions.newBuilder().build())
            .setConfigSchemaJson(CONFIG_SCHEMA));
  }

  /** Waits on the worker's timer ({@link RunSession#delay}): a waiting echo run holds no thread. */
  @Override
  public CompletionStage<Void> start(final AgentRunContext context, final RunSession session) {
    final EchoConfig config = EchoConfig.parse(context.getConfigJson());
    return turn(1, null, config, context, session);
  }

  /** Runs the attempt on the calling thread (tests, embedding): {@link #start} and wait. */
  @Override
  public void run(final AgentRunContext context, final RunSession session)
      throws InterruptedException {
    try {
      start(context, session).toCompletableFuture().get();
    } catch (final ExecutionException e) {
      if (e.getCause() instanceof RuntimeException failure) {
        throw failure;
      }
      throw new IllegalStateException(e.getCause());
    }
  }

  /** Turn {@code turn} and the ones after it; then the terminal. */
  private static CompletionStage<Void> turn(
      final int turn,
      final ChatMessage last,
      final EchoConfig config,
      final AgentRunContext context,
      final RunSession session) {
    if (turn > config.turns()) {
      if (!session.isCancelled()) {
        session.emit(Results.completed(Results.STOP, last));
      }
      return DONE;
    }
    return session
        .delay(config.turnDelay())
        .thenCompose(
            passed -> {
              if (!passed) {
                return DONE;
              }
              final String text =
                  turn == 1 ? inputText(context) : steeredText(session.pullSteering());
              if (text == null) {
                return turn(turn + 1, last, config, context, session);
              }
              return echo(text, config.chunkDelay(), session)
                  .thenCompose(
                      echoed ->
                          echoed
                              ? turn(turn + 1, Results.assistant(text), config, context, session)
                              : DONE);
            });
  }

  /** Streams one message; false when the run was cancelled meanwhile. */
  private static CompletionStage<Boolean> echo(
      final String text, final Duration gap, final RunSession session) {
    return chunk(chunks(text), 0, text, gap, session);
  }

  private static CompletionStage<Boolean> chunk(
      final List<String> chunks,
      final int index,
      final String text,
      final Duration gap,
      final RunSession session) {
    if (index == chunks.size()) {
      session.emit(Results.messageCompleted(text));
      return CompletableFuture.completedFuture(true);
    }
    final CompletionStage<Boolean> wait =
        index > 0 && !gap.isZero() ? session.delay(gap) : CompletableFuture.completedFuture(true);
    return wait.thenCompose(
        passed -> {
          if (!passed) {
            return CompletableFuture.completedFuture(false);
          }
          session.emit(Results.delta(chunks.get(index)));
          return chunk(chunks, index + 1, text, gap, session);
        });
  }

  private static String inputText(final AgentRunContext context) {
    return Objects.requireNonNullElse(context.getInput().getText(), "");
  }

  private static String steeredText(final List<SteeringItem> items) {
    if (items.isEmpty()) {
      return null;
    }
    return items.stream()
        .map(item -> Objects.requireNonNullElse(item.getInput().getText(), ""))
        .collect(Collectors.joining("\n"));
  }

  /** Splits text into at most {@link #MAX_CHUNKS} non-empty pieces on code-point boundaries. */
  static List<String> chunks(final String text) {
    final int[] codePoints = text.codePoints().toArray();
    final List<String> chunks = new ArrayList<>();
    final int count = Math.min(MAX_CHUNKS, codePoints.length);
    for (int i = 0; i < count; i++) {
      final int from = codePoints.length * i / count;
      final int to = codePoints.length * (i + 1) / count;
      chunks.add(new String(codePoints, from, to - from));
    }
    return chunks;
  }
}
