package dev.runledger.deploy.cli;

import dev.runledger.schemas.http.ApiPaths;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
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
final class RunsCommand extends CommandGroup {

  /** What every runs subcommand has: {@code --url} and {@code -o}. */
  abstract static class Subcommand implements Callable<Integer> {
    @Mixin ApiOptions api;

    @Mixin OutputOptions output;

    @Spec CommandSpec spec;
  }

  /** A runs subcommand about one run. */
  abstract static class OneRun extends Subcommand {
    @Parameters(paramLabel = "RUN_ID", description = "The run.")
    String runId;
  }

  /** {@code runs get RUN_ID}. */
  @Command(
      name = "get",
      mixinStandardHelpOptions = true,
      description = "Print one run (the AgentRun view, GET /v1/runs/{run_id}).")
  static final class Get extends OneRun {
    @Override
    public Integer call() {
      output
          .printer()
          .record(api.client().get(ApiPaths.run(runId)).orThrow("reading run " + runId));
      return 0;
    }
  }

  /** {@code runs events RUN_ID}. */
  @Command(
      name = "events",
      mixinStandardHelpOptions = true,
      description =
          "Print a run's events in ledger order (GET /v1/runs/{run_id}/events, every page).")
  static final class Events extends OneRun {
    @Override
    public Integer call() {
      output.printer().records(RunEvents.all(api.client(), runId), RunTables.EVENTS);
      return 0;
    }
  }
}
