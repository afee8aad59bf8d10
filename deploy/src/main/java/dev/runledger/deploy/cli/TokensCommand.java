package dev.runledger.deploy.cli;

import dev.runledger.deploy.http.TokenFile;
import dev.runledger.schemas.http.Caller;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ledger tokens create}: API tokens in an {@code auth.tokens.file}. */
@Command(
    name = "tokens",
    mixinStandardHelpOptions = true,
    description = "Manage the API tokens of an auth.tokens.file.",
    subcommands = TokensCommand.Create.class)
final class TokensCommand extends CommandGroup {

  /** Adds a new random token to the file and prints it, the only time it is shown. */
  @Command(
      name = "create",
      mixinStandardHelpOptions = true,
      description = {
        "Generate a random token, add its SHA-256 with its role and workspaces to the tokens file"
            + " (created when missing; its other entries are kept) and print the token alone on"
            + " the last line. The token is not stored: this is the only time it is shown.",
        "Servers read the file at start (auth.tokens.file)."
      })
  static final class Create implements Callable<Integer> {
    @Option(
        names = "--file",
        required = true,
        paramLabel = "FILE",
        description = "The tokens file (auth.tokens.file).")
    Path file;

    @Option(names = "--role", required = true, description = "admin, writer or reader.")
    Caller.Role role;

    @Option(
        names = "--workspace",
        required = true,
        paramLabel = "WORKSPACE",
        description = "A workspace the token covers (repeatable); '*' for every workspace.")
    List<String> workspaces;

    @Option(
        names = "--name",
        description = "Its name in logs and 403 messages (default: <role>-<first workspace>).")
    String name;

    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      final String token = TokenFile.newToken();
      final String chosen = name != null ? name : freeName(TokenFile.names(file));
      TokenFile.append(
          file, new TokenFile.Entry(chosen, TokenFile.sha256(token), role, workspaces));
      final PrintWriter out = spec.commandLine().getOut();
      out.println(
          "added token '"
              + chosen
              + "' ("
              + role.name().toLowerCase(Locale.ROOT)
              + ", workspaces "
              + String.join(", ", workspaces)
              + ") to "
              + file
              + "; restart the services to load it. The token (shown only now):");
      out.println(token);
      out.flush();
      return 0;
    }

    /** {@code <role>-<first workspace>}, with {@code -2}, {@code -3}… when that is taken. */
    private String freeName(final Set<String> taken) {
      final String first = workspaces.get(0);
      final String base =
          role.name().toLowerCase(Locale.ROOT) + "-" + (Caller.ALL.equals(first) ? "all" : first);
      String candidate = base;
      for (int n = 2; taken.contains(candidate); n++) {
        candidate = base + "-" + n;
      }
      return candidate;
    }
  }
}
