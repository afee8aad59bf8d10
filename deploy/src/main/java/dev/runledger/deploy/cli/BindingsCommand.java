package dev.runledger.deploy.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.runledger.schemas.http.ApiPaths;
import dev.runledger.schemas.json.AvroJson;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code ledger bindings apply|list|delete}: a workspace's bindings through the HTTP API ({@code
 * PUT|GET|DELETE /v1/workspaces/{workspace_id}/bindings/{binding_id}}, {@code GET
 * /v1/workspaces/{workspace_id}/bindings}).
 */
@Command(
    name = "bindings",
    mixinStandardHelpOptions = true,
    description = "Apply, list and delete bindings through the HTTP API of a running runledger.",
    subcommands = {
      BindingsCommand.Apply.class,
      BindingsCommand.ListBindings.class,
      BindingsCommand.Delete.class
    })
final class BindingsCommand extends CommandGroup {
  /** Bindings, as {@code bindings list} prints them. */
  static final List<Printer.Column> BINDINGS =
      Printer.columns(
          "BINDING=binding_id RUNNER=runner_id EVENTS=event_types MODE=dispatch_policy/mode"
              + " PRIORITY=priority UPDATED=updated_at");

  /** What {@code bindings apply} did with each binding of the file. */
  static final List<Printer.Column> APPLIED =
      Printer.columns(
          "BINDING=binding_id WORKSPACE=workspace_id RESULT=result CODE=error/code"
              + " FIELD=error/field MESSAGE=error/message");

  /** What every bindings subcommand has: {@code --url}, {@code --token}, {@code -o}, {@code -w}. */
  abstract static class Subcommand implements Callable<Integer> {
    @Mixin ApiOptions api;

    @Mixin OutputOptions output;

    @Mixin WorkspaceOption workspace;

    @Spec CommandSpec spec;
  }

  /** {@code bindings apply -f FILE}. */
  @Command(
      name = "apply",
      mixinStandardHelpOptions = true,
      description = {
        "Create or replace the bindings of a YAML or JSON file: one binding, a list of them, or"
            + " several YAML documents (`bindings list -o yaml` prints a file it takes). Each"
            + " binding needs binding_id; its workspace is scope.workspace_id, else --workspace.",
        "Every binding is checked for those before any is sent; then each is PUT on its own. One"
            + " the server refuses is not applied and is printed with the server's error code and"
            + " field; the command then fails (exit 1) naming them."
      })
  static final class Apply extends Subcommand {
    @Option(
        names = {"-f", "--file"},
        required = true,
        paramLabel = "FILE",
        description = "The YAML or JSON file of bindings.")
    Path file;

    @Override
    public Integer call() {
      final List<BindingFile.Entry> entries = BindingFile.read(file, workspace.workspace);
      final ApiClient client = api.client();
      final List<JsonNode> results = new ArrayList<>();
      final List<String> failed = new ArrayList<>();
      for (final BindingFile.Entry entry : entries) {
        final ApiClient.Response response =
            client.put(ApiPaths.binding(entry.workspace(), entry.bindingId()), entry.binding());
        final ObjectNode result =
            AvroJson.mapper()
                .createObjectNode()
                .put("binding_id", entry.bindingId())
                .put("workspace_id", entry.workspace())
                .put("result", response.ok() ? "applied" : "failed")
                .put("status", response.status());
        if (response.ok()) {
          result.set("binding", response.body());
        } else {
          result.set("error", error(response));
          failed.add(entry.bindingId() + " (" + result.path("error").path("code").asText() + ")");
        }
        results.add(result);
      }
      output.printer().records(results, APPLIED);
      if (!failed.isEmpty()) {
        throw new ApiClient.ApiCallException(
            failed.size()
                + " of "
                + entries.size()
                + " bindings were not applied: "
                + String.join(", ", failed));
      }
      return 0;
    }

    /** The API's {@code error} object, or one made of the status for a body without one. */
    private static JsonNode error(final ApiClient.Response response) {
      final JsonNode error = response.body().path("error");
      return error.isObject()
          ? error
          : AvroJson.mapper()
              .createObjectNode()
              .put("code", "http_" + response.status())
              .put("message", response.body().toString());
    }
  }

  /** {@code bindings list}. */
  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description =
          "Print every binding of the workspace, by binding id (GET .../bindings, page by"
              + " page).")
  static final class ListBindings extends Subcommand {
    @Override
    public Integer call() {
      final String ws = workspace.id();
      final List<JsonNode> items =
          Pages.all(api.client(), ApiPaths.bindings(ws), "listing the bindings of " + ws);
      output.printer().records(items, BINDINGS);
      return 0;
    }
  }

  /** {@code bindings delete ID}. */
  @Command(
      name = "delete",
      mixinStandardHelpOptions = true,
      description = "Delete a binding of the workspace (DELETE .../bindings/{binding_id}).")
  static final class Delete extends Subcommand {
    @Parameters(paramLabel = "BINDING_ID", description = "The binding.")
    String bindingId;

    @Override
    public Integer call() {
      final String ws = workspace.id();
      api.client()
          .delete(ApiPaths.binding(ws, bindingId))
          .orThrow("deleting binding " + bindingId + " of " + ws);
      output
          .printer()
          .record(
              AvroJson.mapper()
                  .createObjectNode()
                  .put("binding_id", bindingId)
                  .put("workspace_id", ws)
                  .put("result", "deleted"));
      return 0;
    }
  }
}
