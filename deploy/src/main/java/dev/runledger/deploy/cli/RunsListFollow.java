package dev.runledger.deploy.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runledger.schemas.json.AvroJson;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code runs list} and {@code runs follow}. */
final class RunsListFollow {
  private RunsListFollow() {}

  /** {@code runs list}. */
  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description =
          "List runs, newest first (GET /v1/runs), filtered by conversation, status, runner.")
  static final class ListRuns extends RunsCommand.Subcommand {
    @Option(names = "--conversation", description = "Only runs of this conversation id.")
    String conversation;

    @Option(names = "--status", description = "Only runs in this status, e.g. completed.")
    String status;

    @Option(names = "--runner", description = "Only runs of this runner id.")
    String runner;

    @Option(names = "--limit", defaultValue = "50", description = "At most this many (default 50).")
    int limit;

    @Override
    public Integer call() {
      final StringBuilder query = new StringBuilder("/v1/runs?limit=" + Math.min(limit, 1000));
      append(query, "conversation_id", conversation);
      append(query, "status", status);
      append(query, "runner_id", runner);
      final JsonNode page = api.client().get(query.toString()).orThrow("listing runs");
      final List<JsonNode> items = new ArrayList<>();
      page.path("items").forEach(items::add);
      output.printer().records(items, RunTables.LISTED);
      return 0;
    }

    private static void append(final StringBuilder q, final String name, final String value) {
      if (value != null) {
        q.append('&').append(name).append('=').append(ApiClient.segment(value));
      }
    }
  }

  /** {@code runs follow RUN_ID}. */
  @Command(
      name = "follow",
      mixinStandardHelpOptions = true,
      description =
          "Print a run's events as they happen (GET /v1/runs/{run_id}/events/stream) until it"
              + " ends; reconnects with Last-Event-ID when the connection drops.")
  static final class Follow extends RunsCommand.OneRun {
    @Override
    public Integer call() throws IOException, InterruptedException {
      final PrintWriter out = spec.commandLine().getOut();
      final HttpClient http = HttpClient.newHttpClient();
      String last = null;
      for (int attempt = 0; attempt < 5; attempt++) {
        final HttpRequest.Builder request =
            HttpRequest.newBuilder(
                URI.create(
                    api.url.replaceAll("/$", "")
                        + "/v1/runs/"
                        + ApiClient.segment(runId)
                        + "/events/stream"));
        if (last != null) {
          request.header("Last-Event-ID", last);
        }
        try {
          final HttpResponse<InputStream> response =
              http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
          if (response.statusCode() != 200) {
            final String body = new String(response.body().readAllBytes(), StandardCharsets.UTF_8);
            throw new ApiClient.ApiCallException(
                "following run "
                    + runId
                    + " failed with HTTP "
                    + response.statusCode()
                    + ": "
                    + body);
          }
          try (BufferedReader reader =
              new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
              if (line.startsWith("id: ")) {
                last = line.substring(4);
              } else if (line.startsWith("data: ")) {
                final JsonNode event = AvroJson.mapper().readTree(line.substring(6));
                out.println(
                    event.path("seq").asText()
                        + "  a"
                        + event.path("attempt").asText()
                        + "#"
                        + event.path("sequence").asText()
                        + "  "
                        + event.path("type").asText()
                        + "  "
                        + event.path("data"));
                out.flush();
              }
            }
          }
          return 0;
        } catch (final IOException e) {
          Thread.sleep(500);
        }
      }
      throw new ApiClient.ApiCallException("lost the stream of run " + runId + " five times");
    }
  }
}
