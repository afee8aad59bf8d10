package dev.runledger.deploy.cli;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * A command that only groups subcommands ({@code runs}, {@code topics}, {@code tokens}): run alone
 * it prints its usage, which lists them.
 */
abstract class CommandGroup implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
