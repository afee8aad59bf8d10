package dev.runledger.deploy.cli;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code --workspace}: the workspace of a command that reads or acts on one. */
final class WorkspaceOption {
  @Option(
      names = {"-w", "--workspace"},
      paramLabel = "WORKSPACE_ID",
      defaultValue = "${env:RUNLEDGER_WORKSPACE}",
      description = "The workspace (default: the RUNLEDGER_WORKSPACE environment variable).")
  String workspace;

  @Spec(Spec.Target.MIXEE)
  CommandSpec mixee;

  /** The workspace given; a usage error naming the option when there is none. */
  String id() {
    if (workspace == null || workspace.isBlank()) {
      throw new ParameterException(
          mixee.commandLine(), "give the workspace: --workspace ID (or RUNLEDGER_WORKSPACE)");
    }
    return workspace;
  }
}
