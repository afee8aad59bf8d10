package dev.runledger.deploy.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.runledger.schemas.http.ApiPaths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.UnaryOperator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code ledger runners list} and {@code ledger workers list}: the worker registry through the HTTP
 * API ({@code GET /v1/runners}, {@code GET /v1/workers}). As JSON or YAML they print the API's
 * records as they are; as a table, one line per runner or worker.
 */
final class RegistryCommands {
  /** Runners: id, pool, version, label and the workers hosting each. */
  static final List<Printer.Column> RUNNERS =
      Printer.columns("RUNNER=runner_id POOL=pool VERSION=version LABEL=label WORKERS=workers");

  /** Workers: whether live, their slots and runs in flight, version and last heartbeat. */
  static final List<Printer.Column> WORKERS =
      Printer.columns(
          "WORKER=worker_id POOL=pool LIVE=live SLOTS=slots ACTIVE=active_runs FREE=free_slots"
              + " VERSION=version LAST_SEEN=last_seen_at RUNNERS=runner_ids");

  private RegistryCommands() {}

  /** {@code ledger runners list}. */
  @Command(
      name = "runners",
      mixinStandardHelpOptions = true,
      description = "Read the runners the workers declared, through the HTTP API.",
      subcommands = RunnersList.class)
  static final class Runners extends CommandGroup {}

  /** {@code ledger workers list}. */
  @Command(
      name = "workers",
      mixinStandardHelpOptions = true,
      description = "Read the live and recently gone workers, through the HTTP API.",
      subcommands = WorkersList.class)
  static final class Workers extends CommandGroup {}

  /** What both list commands have: {@code --url}, {@code --token} and {@code -o}. */
  abstract static class Listing implements Callable<Integer> {
    @Mixin ApiOptions api;

    @Mixin OutputOptions output;

    /**
     * Prints the records under {@code field} of {@code GET path}, table rows made by {@code row}.
     */
    int list(
        final String path,
        final String field,
        final List<Printer.Column> columns,
        final UnaryOperator<ObjectNode> row) {
      final JsonNode body = api.client().get(path).orThrow("listing " + field);
      final List<JsonNode> records = new ArrayList<>();
      body.path(field)
          .forEach(
              r -> records.add(output.output == OutputFormat.TABLE ? row.apply(r.deepCopy()) : r));
      output.printer().records(records, columns);
      return 0;
    }
  }

  /** {@code runners list}. */
  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description =
          "Print every runner manifest with the workers that host it (GET /v1/runners); a worker"
              + " that is not live is marked (gone).")
  static final class RunnersList extends Listing {
    @Override
    public Integer call() {
      return list(ApiPaths.RUNNERS, "runners", RUNNERS, RegistryCommands::runnerRow);
    }
  }

  /** {@code workers list}. */
  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description =
          "Print the live and recently gone workers with their slots, runs in flight, version and"
              + " last heartbeat (GET /v1/workers).")
  static final class WorkersList extends Listing {
    @Override
    public Integer call() {
      return list(ApiPaths.WORKERS, "workers", WORKERS, RegistryCommands::workerRow);
    }
  }

  /** A runner as a table row: its workers as {@code w1, w2 (gone)}. */
  static ObjectNode runnerRow(final ObjectNode runner) {
    final List<String> workers = new ArrayList<>();
    runner
        .path("workers")
        .forEach(
            w ->
                workers.add(
                    w.path("worker_id").asText() + (w.path("live").asBoolean() ? "" : " (gone)")));
    runner.put("workers", workers.isEmpty() ? "-" : String.join(", ", workers));
    return runner;
  }

  /** A worker as a table row: its runners comma-separated. */
  static ObjectNode workerRow(final ObjectNode worker) {
    final List<String> runners = new ArrayList<>();
    worker.path("runner_ids").forEach(r -> runners.add(r.asText()));
    worker.put("runner_ids", String.join(", ", runners));
    return worker;
  }
}
