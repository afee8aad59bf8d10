package dev.runledger.deploy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.runledger.deploy.harness.Cli;
import dev.runledger.deploy.http.TokenFile;
import dev.runledger.schemas.http.Caller;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokensCommandTest {
  @TempDir Path dir;

  @Test
  void shouldWriteTheHashAndPrintTheTokenAloneOnTheLastLineWhenCreating() throws Exception {
    // given
    final Path file = dir.resolve("tokens.yaml");

    // when
    final Cli.Result result =
        Cli.run(
            "tokens",
            "create",
            "--file",
            file.toString(),
            "--role",
            "writer",
            "--workspace",
            "acme",
            "--workspace",
            "acme-eu",
            "--name",
            "acme-bot");

    // then
    assertThat(result.code()).as(result.err()).isZero();
    final List<String> lines = result.out().lines().toList();
    final String token = lines.get(lines.size() - 1);
    assertThat(token).matches("rl_[A-Za-z0-9_-]{43}");
    assertThat(lines.get(0)).contains("acme-bot", file.toString());
    assertThat(TokenFile.read(file))
        .containsExactly(
            new TokenFile.Entry(
                "acme-bot",
                TokenFile.sha256(token),
                Caller.Role.WRITER,
                List.of("acme", "acme-eu")));
    assertThat(Files.readString(file)).doesNotContain(token);
  }

  @Test
  void shouldKeepEntriesAndNameTheNewOneUniquelyWhenNoNameIsGiven() {
    // given
    final Path file = dir.resolve("tokens.yaml");
    final String[] create = {
      "tokens", "create", "--file", file.toString(), "--role", "reader", "--workspace", "*"
    };

    // when
    final Cli.Result first = Cli.run(create);
    final Cli.Result second = Cli.run(create);

    // then
    assertThat(first.code()).isZero();
    assertThat(second.code()).isZero();
    assertThat(TokenFile.read(file))
        .extracting(TokenFile.Entry::name)
        .containsExactly("reader-all", "reader-all-2");
    assertThat(lastLine(first)).isNotEqualTo(lastLine(second));
  }

  @Test
  void shouldFailNamingTheNameWhenItIsTaken() {
    // given
    final Path file = dir.resolve("tokens.yaml");
    final String[] create = {
      "tokens",
      "create",
      "--file",
      file.toString(),
      "--role",
      "admin",
      "--workspace",
      "*",
      "--name",
      "ops"
    };
    assertThat(Cli.run(create).code()).isZero();

    // when
    final Cli.Result again = Cli.run(create);

    // then
    assertThat(again.code()).isEqualTo(1);
    assertThat(again.err()).contains("already has a token named 'ops'");
    assertThat(TokenFile.read(file)).hasSize(1);
  }

  @Test
  void shouldExitWithUsageErrorWhenTheRoleIsUnknown() {
    // when
    final Cli.Result result =
        Cli.run(
            "tokens",
            "create",
            "--file",
            dir.resolve("t.yaml").toString(),
            "--role",
            "root",
            "--workspace",
            "acme");

    // then
    assertThat(result.code()).isEqualTo(2);
    assertThat(result.err()).contains("--role", "root");
    assertThat(dir.resolve("t.yaml")).doesNotExist();
  }

  private static String lastLine(final Cli.Result result) {
    final List<String> lines = result.out().lines().toList();
    return lines.get(lines.size() - 1);
  }
}
