package dev.runledger.deploy;

import dev.runledger.deploy.cli.Commands;
import dev.runledger.schemas.http.ApiException;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code deploy/ledger}: the runledger command line (ARCHITECTURE.md §9.2). */
@Command(
    name = "ledger",
    mixinStandardHelpOptions = true,
    versionProvider = LedgerCli.Version.class,
    description = "runledger: an event-sourced run ledger for AI agent runs, on Apache Kafka.")
public final class LedgerCli implements Runnable {
  @CommandLine.Spec private CommandLine.Model.CommandSpec spec;

  public static void main(final String[] args) {
    System.exit(commandLine().execute(args));
  }

  /** The configured command line, for {@link #main} and tests. */
  public static CommandLine commandLine() {
    final CommandLine ledger = new CommandLine(new LedgerCli());
    Commands.addTo(ledger);
    return ledger
        .setCaseInsensitiveEnumValuesAllowed(true)
        .setExecutionExceptionHandler(LedgerCli::reportFailure);
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /**
   * A failed command prints one clear line, prefixed with the full command ({@code ledger runs
   * get:}), and exits 1; the cause chain is logged at debug level.
   */
  private static int reportFailure(
      final Exception e, final CommandLine command, final CommandLine.ParseResult parsed) {
    final String message =
        e instanceof ApiException api
            ? api.code()
                + (api.field() == null ? "" : " (" + api.field() + ")")
                + ": "
                + e.getMessage()
            : e.getMessage();
    command.getErr().println(command.getCommandSpec().qualifiedName() + ": " + message);
    command.getErr().flush();
    LoggerFactory.getLogger(LedgerCli.class).debug("command failed", e);
    return 1;
  }

  /** The version from the jar manifest, when there is one. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      final String version = LedgerCli.class.getPackage().getImplementationVersion();
      return new String[] {"runledger " + (version == null ? "(development build)" : version)};
    }
  }
}
