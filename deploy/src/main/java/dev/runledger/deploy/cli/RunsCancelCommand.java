package dev.runledger.deploy.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.runledger.schemas.http.ApiPaths;
import dev.runledger.schemas.json.AvroJson;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;

/**
 * {@code ledger runs cancel RUN_ID} / {@code ledger runs cancel --event EVENT_ID}: asks to cancel a
 * run through the HTTP API ({@code POST /v1/runs/{run_id}/cancel}, {@code POST
 * /v1/workspaces/{workspace_id}/events/{event_id}/cancel}). A run no worker has claimed yet ends
 * {@code cancelled} without starting. A cancel that cannot take effect (404 unknown run or event,
 * 409 {@code run.finished} naming the status, 409 {@code event.no_run}) fails the command (exit 1)
 * with the API's message.
 */
@Command(
    name = "cancel",
    mixinStandardHelpOptions = true,
    description =
        "Cancel a run by its id, or by the event that triggered it (--event), through the HTTP"
            + " API.")
final class RunsCancelCommand extends RunsCommand.Subcommand {
  @Parameters(paramLabel = "RUN_ID", arity = "0..1", description = "The run.")
  String runId;

  @Option(
      names = "--event",
      paramLabel = "EVENT_ID",
      description = "Cancel the run of this event instead (works before the run exists).")
  String eventId;

  @Mixin WorkspaceOption workspace;

  @Option(
      names = "--reason",
      description = "Why (default ${DEFAULT-VALUE}).",
      defaultValue = "requested")
  String reason;

  @Override
  public Integer call() {
    if ((runId == null) == (eventId == null)) {
      throw new ParameterException(spec.commandLine(), "give either RUN_ID or --event EVENT_ID");
    }
    final ObjectNode body = AvroJson.mapper().createObjectNode().put("reason", reason);
    final String path =
        runId != null ? ApiPaths.runCancel(runId) : ApiPaths.eventCancel(workspace.id(), eventId);
    final String what = runId != null ? "cancelling run " + runId : "cancelling event " + eventId;
    output.printer().record(api.client().post(path, body).orThrow(what));
    return 0;
  }
}
