package dev.runledger.worker.builtin;

import dev.runledger.avro.AgentRunContext;
import dev.runledger.avro.ChatMessage;
import dev.runledger.avro.Permissions;
import dev.runledger.avro.SteeringItem;
import dev.runledger.worker.spi.Results;
import dev.runledger.worker.spi.RunSession;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * {@code builtin:echo/default} (ARCHITECTURE.md §7.6): deterministic, for demos, tests and
 * benchmarks. Each turn waits {@code turn_delay_ms}, then echoes as a few {@code message.delta}
 * chunks ({@code chunk_delay_ms} apart) and one {@code message.completed}: turn 1 the input text
 * exactly; each later turn the texts of the steering items pulled just before it, joined by a
 * newline (a turn with nothing pulled emits nothing). Then {@code run.completed{finish_reason=stop,
 * message=<last echoed message>}}. Cancel ends it at once.
 */
public final class EchoRunner extends BuiltinRunner {
  /** The runner id. */
  public static final String RUNNER_ID = "builtin:echo/default";

  /** Most chunks one echoed message is split into. */
  static final int MAX_CHUNKS = 3;

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

  @Override
  public void run(final AgentRunContext context, final RunSession session)
      throws InterruptedException {
    final EchoConfig config = EchoConfig.parse(context.getConfigJson());
    ChatMessage last = null;
    for (int turn = 1; turn <= config.turns(); turn++) {
      if (!session.sleep(config.turnDelay())) {
        return;
      }
      final String text = turn == 1 ? inputText(context) : steeredText(session.pullSteering());
      if (text != null) {
        if (!echo(text, config.chunkDelay(), session)) {
          return;
        }
        last = Results.assistant(text);
      }
    }
    if (!session.isCancelled()) {
      session.emit(Results.completed(Results.STOP, last));
    }
  }

  /** Streams one message; false when the run was cancelled meanwhile. */
  private static boolean echo(final String text, final Duration gap, final RunSession session)
      throws InterruptedException {
    final List<String> chunks = chunks(text);
    for (int i = 0; i < chunks.size(); i++) {
      if (i > 0 && !gap.isZero() && !session.sleep(gap)) {
        return false;
      }
      session.emit(Results.delta(chunks.get(i)));
    }
    session.emit(Results.messageCompleted(text));
    return true;
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
