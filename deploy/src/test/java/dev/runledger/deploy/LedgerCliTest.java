package dev.runledger.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.runledger.deploy.harness.Cli;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class LedgerCliTest {

  @Test
  void shouldPrintUsageWhenAnyCommandIsAskedForHelp() {
    // given every command path, e.g. [runs, get]
    final List<List<String>> paths = new ArrayList<>();
    collect(LedgerCli.commandLine(), new ArrayList<>(), paths);
    assertThat(paths)
        .extracting(p -> String.join(" ", p))
        .contains(
            "dev",
            "demo",
            "topics create",
            "send",
            "runs get",
            "runs events",
            "gateway",
            "orchestrator",
            "worker",
            "projections");

    for (final List<String> path : paths) {
      // when
      final List<String> args = new ArrayList<>(path);
      args.add("--help");
      final Cli.Result help = Cli.run(args.toArray(String[]::new));

      // then
      assertThat(help.code()).as("exit code of %s --help", path).isZero();
      assertThat(help.out())
          .as("help of %s", path)
          .contains("Usage: ledger " + String.join(" ", path));
    }
  }

  @Test
  void shouldExitWithUsageErrorWhenAnOptionIsUnknown() {
    // when
    final Cli.Result result = Cli.run("runs", "get", "r1", "--no-such-option");

    // then
    assertThat(result.code()).isEqualTo(2);
    assertThat(result.err()).contains("--no-such-option");
  }

  @Test
  void shouldNameTheUrlWhenTheApiCannotBeReached() {
    // when
    final Cli.Result result = Cli.run("runs", "get", "r1", "--url", "http://127.0.0.1:1");

    // then
    assertThat(result.code()).isEqualTo(1);
    assertThat(result.err()).contains("http://127.0.0.1:1");
  }

  private static void collect(
      final CommandLine command, final List<String> prefix, final List<List<String>> paths) {
    command
        .getSubcommands()
        .forEach(
            (name, sub) -> {
              if (name.equals("help")) {
                return;
              }
              final List<String> path = new ArrayList<>(prefix);
              path.add(name);
              paths.add(path);
              collect(sub, path, paths);
            });
  }
}
