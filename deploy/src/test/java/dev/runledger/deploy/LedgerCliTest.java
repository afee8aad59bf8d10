package dev.runledger.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.runledger.deploy.harness.Cli;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.LoggerFactory;
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
  void shouldNameTheCommandTheUrlAndTheReasonWhenTheApiCannotBeReached() {
    // when
    final Cli.Result result = Cli.run("runs", "get", "r1", "--url", "http://127.0.0.1:1");

    // then
    assertThat(result.code()).isEqualTo(1);
    assertThat(result.err())
        .startsWith("ledger runs get: cannot reach http://127.0.0.1:1: Connection refused")
        .doesNotContain("null");
  }

  @ParameterizedTest
  @ValueSource(strings = {"bogus", "-5m", "5", "5w", "m", "1.5h", "P7D", ""})
  void shouldRefuseWithTheAcceptedFormsWhenCleanupIsGivenAnOtherDuration(final String duration) {
    // when
    final Cli.Result result =
        Cli.run("cleanup", "-w", "w", "--older-than", duration, "--url", "http://127.0.0.1:1");

    // then
    assertThat(result.code()).isEqualTo(2);
    assertThat(result.err())
        .contains("--older-than")
        .contains("'" + duration + "' is not a duration")
        .contains("a whole number and a unit s, m, h or d (e.g. 30s, 15m, 12h, 7d)");
  }

  @ParameterizedTest
  @ValueSource(strings = {"30s", "15m", "12h", "7d", "0s"})
  void shouldAcceptTheDurationWhenCleanupIsGivenANumberAndAUnit(final String duration) {
    // when: the duration parses, so the command goes on to the (unreachable) API
    final Cli.Result result =
        Cli.run("cleanup", "-w", "w", "--older-than", duration, "--url", "http://127.0.0.1:1");

    // then
    assertThat(result.code()).as(result.err()).isEqualTo(1);
    assertThat(result.err()).startsWith("ledger cleanup: cannot reach http://127.0.0.1:1");
  }

  @Test
  void shouldSayTheBrokerCannotBeReachedWithoutNetworkWarningsWhenSendKafkaFindsNone() {
    // given: a Kafka client logger that records what it logs
    final Logger kafka = (Logger) LoggerFactory.getLogger("org.apache.kafka");
    final ListAppender<ILoggingEvent> logged = new ListAppender<>();
    logged.start();
    kafka.addAppender(logged);

    // when: nothing listens on port 1
    final Cli.Result result;
    try {
      result =
          Cli.run(
              "send",
              "--kafka",
              "--workspace",
              "w",
              "--text",
              "hi",
              "--bootstrap-servers",
              "127.0.0.1:1",
              "--kafka-timeout",
              "2s");
    } finally {
      kafka.detachAppender(logged);
    }

    // then
    assertThat(result.code()).isEqualTo(1);
    assertThat(result.err())
        .startsWith("ledger send: cannot reach the Kafka broker at 127.0.0.1:1 within 2s")
        .doesNotContain("not present in metadata");
    assertThat(logged.list)
        .filteredOn(e -> e.getLoggerName().endsWith("NetworkClient"))
        .filteredOn(e -> e.getLevel().isGreaterOrEqual(Level.WARN))
        .isEmpty();
  }

  @Test
  void shouldSayWhyWhenSendKafkaIsGivenABrokerAddressThatDoesNotResolve() {
    // when
    final Cli.Result result =
        Cli.run(
            "send",
            "--kafka",
            "--workspace",
            "w",
            "--bootstrap-servers",
            "no-such-host.invalid:9092");

    // then
    assertThat(result.code()).isEqualTo(1);
    assertThat(result.err())
        .startsWith("ledger send: cannot reach the Kafka broker at no-such-host.invalid:9092: ")
        .contains("resolvable");
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
