package dev.runledger.worker.builtin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.runledger.avro.AgentRunContext;
import dev.runledger.avro.AgentRunResult;
import dev.runledger.avro.ArtifactPermission;
import dev.runledger.avro.EventPermission;
import dev.runledger.avro.HistoryPermission;
import dev.runledger.avro.KnowledgePermission;
import dev.runledger.avro.LivenessPhase;
import dev.runledger.avro.ModelPermission;
import dev.runledger.avro.Permissions;
import dev.runledger.avro.StatePermission;
import dev.runledger.avro.SteeringItem;
import dev.runledger.avro.StoragePermission;
import dev.runledger.avro.ToolPermission;
import dev.runledger.schemas.json.AvroJson;
import dev.runledger.worker.spi.AgentApiException;
import dev.runledger.worker.spi.Results;
import dev.runledger.worker.spi.RunSession;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * {@code builtin:scenario/default} (ARCHITECTURE.md §7.6): follows a script from the binding's
 * {@code runner_config}, for tests. It declares every permission in its manifest, so what a run may
 * do is exactly what its binding grants.
 *
 * <p>The config is {@code {"steps": [step, ...]}}; each step is an object with one of these keys,
 * run in order:
 *
 * <ul>
 *   <li>{@code {"emit": {"type": "message.delta", "data": {...}}}} — emits a result of any type;
 *       {@code data} is the JSON form of the type's payload ({@link Results#fromJson}), e.g. {@code
 *       {"chunk": {"role": "assistant", "content": "hi"}}}. Emitting {@code run.completed} or
 *       {@code run.failed} ends the script.
 *   <li>{@code {"sleep_ms": 500}} — waits; returns at once when the run is cancelled (unless {@code
 *       ignore_cancel} was set).
 *   <li>{@code {"call": {"method": "state_set", "params": {...}}, "expect": "ok"}} — calls the host
 *       API through {@link RunSession#hostApi()} and records the outcome as {@code
 *       action.requested{action="scenario.call", target=<method>, payload={"method", "outcome",
 *       "expect", "result"|"error"}}}, where {@code outcome} is {@code ok} or the {@code
 *       AgentAPIError} code. {@code expect} (optional) is {@code ok} or a code; when any outcome
 *       differs from its expectation the run ends {@code run.failed{code=scenario.unexpected}}
 *       after the last step instead of completing.
 *   <li>{@code {"pull_steering": "all"}} or {@code "one"} — pulls steering items and records them
 *       as {@code action.requested{action="scenario.steering", payload={"source_event_ids": [...],
 *       "texts": [...]}}}.
 *   <li>{@code {"liveness": "waiting_model"}} — reports a liveness phase.
 *   <li>{@code {"fail": {"code": "x", "error": "...", "retryable": false}}} — ends {@code
 *       run.failed} with that code.
 *   <li>{@code {"complete": {"text": "..."}}} — ends {@code run.completed{finish_reason=stop}} with
 *       an optional final message; {@code "repeat": N} repeats its text N times (a large result
 *       from a small script).
 *   <li>{@code {"hang": true}} (optionally {@code "max_ms": N}) — produces nothing until cancelled
 *       (or for {@code max_ms}; default one hour); with {@code ignore_cancel} it ignores cancel and
 *       interrupts for {@code max_ms}. Use it for the stall and cancel-grace cases.
 *   <li>{@code {"ignore_cancel": true}} — from here on, sleeps and hangs ignore cancellation and
 *       interrupts (a misbehaving runner).
 *   <li>{@code {"throw": "message"}} — throws (the run ends {@code runner.error}).
 *   <li>{@code {"return": true}} — returns without a terminal result (the run ends {@code
 *       no_output}).
 * </ul>
 *
 * <p>When the steps run out without a terminal, the runner emits {@code
 * run.completed{finish_reason=stop}}. A step the runner does not understand fails the run with
 * {@code runner.error} naming the step. After a cancel the runner returns (unless it ignores it).
 */
public final class ScenarioRunner extends BuiltinRunner {
  /** The runner id. */
  public static final String RUNNER_ID = "builtin:scenario/default";

  /** The action of the record a {@code call} step writes. */
  public static final String CALL_ACTION = "scenario.call";

  /** The action of the record a {@code pull_steering} step writes. */
  public static final String STEERING_ACTION = "scenario.steering";

  /** The failure code when an outcome differed from its {@code expect}. */
  public static final String UNEXPECTED = "scenario.unexpected";

  /** The outcome of a host-API call that succeeded. */
  public static final String OK = "ok";

  static final Duration DEFAULT_HANG = Duration.ofHours(1);

  public ScenarioRunner(final String version) {
    super(
        manifest(RUNNER_ID, "scenario", "Scenario", version)
            .setDescription("Follows a script from its config; for tests.")
            .setCapabilities(
                capabilities().setToolCalling(true).setKnowledgeRetrieval(true).build())
            .setPermissions(everything())
            .setConfigSchemaJson("{\"type\":\"object\",\"required\":[\"steps\"]}"));
  }

  @Override
  public void run(final AgentRunContext context, final RunSession session) throws Exception {
    final JsonNode root =
        AvroJson.parse(Objects.requireNonNullElse(context.getConfigJson(), "{}"), "runner_config");
    final JsonNode steps = root.path("steps");
    if (!steps.isArray()) {
      throw new IllegalArgumentException("scenario runner config needs a 'steps' array");
    }
    new Script(session).run(steps);
  }

  /** The state of one run of a script. */
  private static final class Script {
    private final RunSession session;
    private final List<String> unexpected = new ArrayList<>();
    private boolean ignoreCancel;

    Script(final RunSession session) {
      this.session = session;
    }

    void run(final JsonNode steps) throws InterruptedException {
      int index = 0;
      for (final JsonNode step : steps) {
        index++;
        if (!ignoreCancel && session.isCancelled()) {
          return;
        }
        final Outcome outcome = step(index, step);
        if (outcome == Outcome.ENDED) {
          return;
        }
      }
      if (!session.isCancelled()) {
        if (unexpected.isEmpty()) {
          session.emit(Results.completed(Results.STOP, null));
        } else {
          session.emit(
              Results.failed(UNEXPECTED, "unexpected host-API outcomes: " + unexpected, false));
        }
      }
    }

    private Outcome step(final int index, final JsonNode step) throws InterruptedException {
      if (step.has("emit")) {
        final JsonNode emit = step.get("emit");
        final AgentRunResult result =
            Results.fromJson(emit.path("type").asText(), emit.get("data"));
        session.emit(result);
        return Results.isTerminal(result) ? Outcome.ENDED : Outcome.NEXT;
      }
      if (step.has("sleep_ms")) {
        return pause(Duration.ofMillis(step.get("sleep_ms").asLong()));
      }
      if (step.has("call")) {
        call(step.get("call"), step.path("expect").asText(null));
        return Outcome.NEXT;
      }
      if (step.has("pull_steering")) {
        pull("one".equals(step.get("pull_steering").asText()));
        return Outcome.NEXT;
      }
      if (step.has("liveness")) {
        session.liveness(
            LivenessPhase.valueOf(step.get("liveness").asText().toUpperCase(Locale.ROOT)));
        return Outcome.NEXT;
      }
      if (step.has("fail")) {
        final JsonNode fail = step.get("fail");
        session.emit(
            Results.failed(
                fail.path("code").asText("scenario.failed"),
                fail.path("error").asText("the scenario failed at step " + index),
                fail.path("retryable").asBoolean(false)));
        return Outcome.ENDED;
      }
      if (step.has("complete")) {
        final JsonNode complete = step.get("complete");
        final JsonNode text = complete.get("text");
        final int repeat = Math.max(1, complete.path("repeat").asInt(1));
        session.emit(
            Results.completed(
                Results.STOP,
                text == null ? null : Results.assistant(text.asText().repeat(repeat))));
        return Outcome.ENDED;
      }
      if (step.has("hang")) {
        final long max = step.path("max_ms").asLong(DEFAULT_HANG.toMillis());
        return pause(Duration.ofMillis(max));
      }
      if (step.has("ignore_cancel")) {
        ignoreCancel = step.get("ignore_cancel").asBoolean(true);
        return Outcome.NEXT;
      }
      if (step.has("throw")) {
        throw new IllegalStateException(step.get("throw").asText());
      }
      if (step.has("return")) {
        return Outcome.ENDED;
      }
      throw new IllegalArgumentException("scenario step " + index + " is not understood: " + step);
    }

    /** Waits; returns ENDED when cancelled (unless cancellation is ignored). */
    private Outcome pause(final Duration duration) throws InterruptedException {
      if (!ignoreCancel) {
        return session.sleep(duration) ? Outcome.NEXT : Outcome.ENDED;
      }
      final long end = System.nanoTime() + duration.toNanos();
      boolean interrupted = false;
      while (System.nanoTime() - end < 0) {
        try {
          Thread.sleep(Math.max(1, Math.min(100, (end - System.nanoTime()) / 1_000_000)));
        } catch (final InterruptedException e) {
          interrupted = true; // a misbehaving runner: keeps going
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
      return Outcome.NEXT;
    }

    private void call(final JsonNode call, final String expect) {
      final String method = call.path("method").asText();
      final JsonNode params =
          call.hasNonNull("params") ? call.get("params") : AvroJson.mapper().createObjectNode();
      final ObjectNode record = AvroJson.mapper().createObjectNode();
      record.put("method", method);
      String outcome;
      try {
        final JsonNode result = session.hostApi().call(method, params);
        outcome = OK;
        record.set("result", result);
      } catch (final AgentApiException e) {
        outcome = e.code();
        record.put("error", e.getMessage());
      }
      record.put("outcome", outcome);
      if (expect != null) {
        record.put("expect", expect);
        if (!expect.equals(outcome)) {
          unexpected.add(method + ": expected " + expect + ", got " + outcome);
        }
      }
      session.emit(Results.actionRequested(CALL_ACTION, method, record));
    }

    private void pull(final boolean oneOnly) {
      final List<SteeringItem> items = oneOnly ? session.pullOneSteering() : session.pullSteering();
      final ObjectNode record = AvroJson.mapper().createObjectNode();
      final ArrayNode ids = record.putArray("source_event_ids");
      final ArrayNode texts = record.putArray("texts");
      for (final SteeringItem item : items) {
        ids.add(item.getSourceEventId());
        texts.add(Objects.requireNonNullElse(item.getInput().getText(), ""));
      }
      session.emit(Results.actionRequested(STEERING_ACTION, oneOnly ? "one" : "all", record));
    }
  }

  private enum Outcome {
    NEXT,
    ENDED
  }

  private static Permissions everything() {
    return Permissions.newBuilder()
        .setModels(List.of(ModelPermission.INVOKE, ModelPermission.STREAM, ModelPermission.RERANK))
        .setTools(List.of(ToolPermission.DETAIL, ToolPermission.CALL))
        .setKnowledgeBases(List.of(KnowledgePermission.LIST, KnowledgePermission.RETRIEVE))
        .setHistory(List.of(HistoryPermission.PAGE, HistoryPermission.SEARCH))
        .setEvents(List.of(EventPermission.GET, EventPermission.PAGE))
        .setArtifacts(List.of(ArtifactPermission.METADATA, ArtifactPermission.READ))
        .setStorage(List.of(StoragePermission.PLUGIN, StoragePermission.WORKSPACE))
        .setState(
            List.of(
                StatePermission.CONVERSATION,
                StatePermission.ACTOR,
                StatePermission.SUBJECT,
                StatePermission.RUNNER,
                StatePermission.BINDING))
        .build();
  }
}
