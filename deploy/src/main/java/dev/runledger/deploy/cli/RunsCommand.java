package dev.runledger.deploy.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code ledger runs get|events}: read runs through the HTTP API. */
@Command(
    name = "runs",
    mixinStandardHelpOptions = true,
    description = "Read runs through the HTTP API of a running runledger.",
    subcommands = {
      RunsCommand.Get.class,
      RunsCommand.Events.class,
      RunsListFollow.ListRuns.class,
      RunsListFollow.Follow.class,
      RunsCancelCommand.class
    })
public final class RunsCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** Options every runs subcommand has. */
  static class ApiOptions {
    @Option(
        names = "--url",
        description = "Base URL of the runledger HTTP API (default ${DEFAULT-VALUE}).",
        defaultValue = "http://localhost:8080")
    String url;

    @Option(
        names = {"-o", "--output"},
        description = "json, yaml or table (default ${DEFAULT-VALUE}).",
        defaultValue = "table")
    OutputFormat output;

    @Spec CommandSpec spec;

    Printer printer() {
      return new Printer(spec.commandLine().getOut(), output);
    }
  }

  /** {@code runs get RUN_ID}. */
  @Command(
      name = "get",
      mixinStandardHelpOptions = true,
      description = "Print one run (the AgentRun view, GET /v1/runs/{run_id}).")
  public static final class Get extends ApiOptions implements Callable<Integer> {
    @Parameters(paramLabel = "RUN_ID", description = "The run.")
    String runId;

    @Override
    public Integer call() {
      final ApiClient api = new ApiClient(url);
      printer()
          .record(api.get("/v1/runs/" + ApiClient.segment(runId)).orThrow("reading run " + runId));
      return 0;
    }
  }

  /** {@code runs events RUN_ID}. */
  @Command(
      name = "events",
      mixinStandardHelpOptions = true,
      description =
          "Print a run's events in ledger order (GET /v1/runs/{run_id}/events, every page).")
  public static final class Events extends ApiOptions implements Callable<Integer> {
    @Parameters(paramLabel = "RUN_ID", description = "The run.")
    String runId;

    @Override
    public Integer call() {
      final ApiClient api = new ApiClient(url);
      printer().records(RunEvents.all(api, runId), RunTables.EVENTS);
      return 0;
    }
  }
}
