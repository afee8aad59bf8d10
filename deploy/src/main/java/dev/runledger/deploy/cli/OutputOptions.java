package dev.runledger.deploy.cli;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code -o/--output json|yaml|table}, and the printer to the command's output it chooses. */
final class OutputOptions {
  @Option(
      names = {"-o", "--output"},
      description = "json, yaml or table (default ${DEFAULT-VALUE}).",
      defaultValue = "table")
  OutputFormat output;

  @Spec(Spec.Target.MIXEE)
  CommandSpec command;

  /** Prints to the command's standard output in the chosen format. */
  Printer printer() {
    return new Printer(command.commandLine().getOut(), output);
  }
}
