package dev.runledger.deploy.harness;

import dev.runledger.deploy.LedgerCli;
import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;

/** Runs a {@code ledger} command in this JVM, as the launcher would, and captures its output. */
public final class Cli {
  private Cli() {}

  /** What a command printed and its exit code. */
  public record Result(int code, String out, String err) {}

  /** Runs {@code ledger <args>}. */
  public static Result run(final String... args) {
    final StringWriter out = new StringWriter();
    final StringWriter err = new StringWriter();
    final CommandLine cli = LedgerCli.commandLine();
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    final int code = cli.execute(args);
    return new Result(code, out.toString(), err.toString());
  }
}
