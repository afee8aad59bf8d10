package dev.runledger.deploy.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.runledger.deploy.DevStack;
import dev.runledger.schemas.config.CoreSettings;
import dev.runledger.schemas.http.ApiPaths;
import dev.runledger.schemas.json.AvroJson;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ledger demo}: the whole system on an embedded broker, end to end: applies an echo binding,
 * sends events in two conversations over HTTP, waits for their runs to complete, prints them and
 * one run's events. Exits 0, or 1 naming the run that did not complete.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = {
      "Start everything on an embedded Kafka broker (temporary data, free HTTP port), bind the"
          + " echo runner, send demo events in two conversations, wait for their runs, print them"
          + " and one run's events, and stop.",
      "Exits 0 when every demo run completed, 1 otherwise."
    })
final class DemoCommand implements Callable<Integer> {
  static final String WORKSPACE = "demo";
  static final String BINDING_ID = "demo-echo";
  private static final List<String[]> EVENTS =
      List.of(
          new String[] {"support-1", "hello, runledger"},
          new String[] {"support-2", "what does a run record?"},
          new String[] {"support-1", "every result, in order"},
          new String[] {"support-2", "thanks!"});

  @Mixin ConfigOptions config;

  @Mixin OutputOptions output;

  @Option(
      names = "--timeout",
      description = "Seconds to wait for the demo runs to complete (default ${DEFAULT-VALUE}).",
      defaultValue = "60")
  int timeoutSeconds;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    final long began = System.nanoTime();
    final PrintWriter out = spec.commandLine().getOut();
    final PrintWriter err = spec.commandLine().getErr();
    try (TemporaryStack temporary = TemporaryStack.start(config, "demo", Map.of())) {
      final DevStack stack = temporary.stack();
      out.println(
          "runledger demo: Kafka " + stack.bootstrapServers() + ", HTTP " + stack.baseUrl());
      out.println(stack.http().authentication());
      out.println("web console (while the demo runs): " + stack.baseUrl() + ApiPaths.CONSOLE);
      out.flush();
      final boolean passed = run(stack, out, err);
      final long seconds = (System.nanoTime() - began) / 1_000_000_000L;
      out.println(
          passed ? "demo passed in " + seconds + " s" : "demo FAILED after " + seconds + " s");
      out.flush();
      return passed ? 0 : 1;
    }
  }

  private boolean run(final DevStack stack, final PrintWriter out, final PrintWriter err) {
    // the stack's own credential, so the demo also runs with a tokens file
    final ApiClient api =
        new ApiClient(
            stack.baseUrl(), stack.config().find(CoreSettings.AUTH_INTERNAL_TOKEN).orElse(null));
    api.put(ApiPaths.binding(WORKSPACE, BINDING_ID), binding())
        .orThrow("applying the demo binding");
    out.println(
        "binding "
            + BINDING_ID
            + ": message.* in workspace '"
            + WORKSPACE
            + "' → "
            + DevStack.ECHO_RUNNER);
    stack.awaitRunner(DevStack.ECHO_RUNNER, Duration.ofSeconds(timeoutSeconds));
    stack.awaitBinding(WORKSPACE, BINDING_ID, Duration.ofSeconds(timeoutSeconds));

    final List<String> eventIds = new ArrayList<>();
    for (final String[] event : EVENTS) {
      final JsonNode accepted =
          api.post(ApiPaths.EVENTS, event(event[0], event[1])).orThrow("sending a demo event");
      eventIds.add(accepted.path("event_id").asText());
    }
    out.println("sent " + eventIds.size() + " events in 2 conversations; waiting for their runs…");
    out.flush();

    final RunWaiter waiter = new RunWaiter(api, Duration.ofSeconds(timeoutSeconds));
    final RunWaiter.Outcome outcome = waiter.awaitCompleted(WORKSPACE, eventIds);
    final Printer printer = output.printer();
    out.println();
    out.println("runs:");
    printer.records(outcome.runs(), RunTables.RUNS);
    if (!outcome.failures().isEmpty()) {
      outcome.failures().forEach(f -> err.println("not completed: " + f));
      err.flush();
      return false;
    }
    final String runId = outcome.runs().get(0).path("run_id").asText();
    out.println();
    out.println("events of run " + runId + ":");
    printer.records(RunEvents.all(api, runId), RunTables.EVENTS);
    out.println();
    return true;
  }

  static ObjectNode binding() {
    return binding(WORKSPACE);
  }

  /** An echo binding of every {@code message.*} event of {@code workspace}, runs in parallel. */
  static ObjectNode binding(final String workspace) {
    final ObjectNode binding = AvroJson.mapper().createObjectNode();
    binding.putObject("scope").put("workspace_id", workspace);
    binding.putArray("event_types").add("message.*");
    binding.put("runner_id", DevStack.ECHO_RUNNER);
    binding.putObject("dispatch_policy").put("mode", "parallel");
    return binding;
  }

  private static ObjectNode event(final String conversation, final String text) {
    return event(WORKSPACE, conversation, text);
  }

  /** A {@code message.received} event with a new id ({@code <workspace>-<uuid>}). */
  static ObjectNode event(final String workspace, final String conversation, final String text) {
    final ObjectNode event = AvroJson.mapper().createObjectNode();
    event.put("event_id", workspace + "-" + UUID.randomUUID());
    event.put("event_type", "message.received");
    event.put("workspace_id", workspace);
    event.put("conversation_id", conversation);
    event.putObject("input").put("text", text);
    return event;
  }
}
