package dev.runledger.deploy.cli;

import java.util.List;
import picocli.CommandLine;

/** Every {@code ledger} subcommand, in the order {@code ledger --help} lists them. */
public final class Commands {
  private Commands() {}

  /** Adds them to the {@code ledger} command line. */
  public static void addTo(final CommandLine ledger) {
    for (final Object command :
        List.of(
            new DevCommand(),
            new DemoCommand(),
            new ChaosCommand(),
            new TopicsCommand(),
            new SendCommand(),
            new RunsCommand(),
            new ReplayCommand(),
            new RebuildCommand(),
            new VerifyCommand(),
            new CleanupCommand(),
            new TokensCommand(),
            new BindingsCommand(),
            new RegistryCommands.Runners(),
            new RegistryCommands.Workers())) {
      ledger.addSubcommand(command);
    }
    ServiceCommand.addTo(ledger);
    ledger.addSubcommand(new BenchCommand());
    ledger.addSubcommand(new CommandLine.HelpCommand());
  }
}
