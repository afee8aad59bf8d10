package dev.runledger.deploy.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runledger.schemas.http.ApiPaths;
import dev.runledger.schemas.json.AvroJson;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code runs list} and {@code runs follow}. */
final class RunsListFollow {
  private RunsListFollow() {}

  /** {@code runs list}. */
  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description =
          "List a workspace's runs, newest first (GET /v1/workspaces/{workspace_id}/runs), filtered"
              + " by conversation, status, runner.")
  static final class ListRuns extends RunsCommand.Subcommand {
    @Mixin WorkspaceOption workspace;

    @Option(names = "--conversation", description = "Only runs of this conversation id.")
    String conversation;

    @Option(names = "--status", description = "Only runs in this status, e.g. completed.")
    String status;

    @Option(names = "--runner", description = "Only runs of this runner id.")
    String runner;

    @Option(
        names = "--limit",
        defaultValue = "50",
        description = "At most this many per page (default 50, at most 1000).")
    int limit;

    @Option(
        names = "--cursor",
        description = "Start after the page this cursor ends (the next_cursor of a listing).")
    String cursor;

    @Override
    public Integer call() {
      final StringBuilder query =
          new StringBuilder(ApiPaths.runs(workspace.id()) + "?limit=" + Math.min(limit, 1000));
      append(query, "conversation_id", conversation);
      append(query, "status", status);
      append(query, "runner_id", runner);
      append(query, "cursor", cursor);
      output
          .printer()
          .page(api.client().get(query.toString()).orThrow("listing runs"), RunTables.LISTED);
      return 0;
    }

    private static void append(final StringBuilder q, final String name, final String value) {
      if (value != null) {
        q.append('&').append(name).append('=').append(ApiPaths.segment(value));
      }
    }
  }

  /** {@code runs follow RUN_ID}. */
  @Command(
      name = "follow",
      mixinStandardHelpOptions = true,
      description =
          "Print a run's events as they happen (GET /v1/runs/{run_id}/events/stream) until it"
              + " ends, one line each (-o json: a JSON object per line; -o yaml: a YAML document"
              + " each); reconnects with Last-Event-ID when the connection drops.")
  static final class Follow extends RunsCommand.OneRun {
    private static final int ATTEMPTS = 5;

    @Override
    public Integer call() throws IOException, InterruptedException {
      final ApiClient client = api.client();
      final Printer printer = output.printer();
      final String path = ApiPaths.runStream(runId);
      String last = null;
      IOException lost = null;
      for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
        try (BufferedReader reader =
            new BufferedReader(
                new InputStreamReader(
                    client.stream(path, last, "following run " + runId), StandardCharsets.UTF_8))) {
          String line;
          while ((line = reader.readLine()) != null) {
            if (line.startsWith("id: ")) {
              last = line.substring(4);
            } else if (line.startsWith("data: ")) {
              printer.item(AvroJson.mapper().readTree(line.substring(6)), Follow::text);
            }
          }
          return 0;
        } catch (final IOException e) {
          lost = e;
          Thread.sleep(500);
        }
      }
      throw last == null
          ? client.unreachable(lost)
          : new ApiClient.ApiCallException(
              "lost the stream of run "
                  + runId
                  + " "
                  + ATTEMPTS
                  + " times: "
                  + ApiClient.reason(lost),
              lost);
    }

    /** {@code seq a<attempt>#<sequence> type data}. */
    private static String text(final JsonNode event) {
      return event.path("seq").asText()
          + "  a"
          + event.path("attempt").asText()
          + "#"
          + event.path("sequence").asText()
          + "  "
          + event.path("type").asText()
          + "  "
          + event.path("data");
    }
  }
}
