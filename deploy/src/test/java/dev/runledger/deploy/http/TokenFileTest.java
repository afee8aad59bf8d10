package dev.runledger.deploy.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.runledger.schemas.config.ConfigException;
import dev.runledger.schemas.http.Caller;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenFileTest {
  private static final String HASH = "a".repeat(64);
  private static final String OTHER_HASH = "b".repeat(64);

  @TempDir Path dir;

  @Test
  void shouldReadEveryEntryWhenTheFileIsWellFormed() throws Exception {
    // given
    final Path file =
        write(
            """
            tokens:
              - name: ops
                sha256: %s
                role: admin
                workspaces: ["*"]
              - name: acme-bot
                sha256: %s
                role: Writer
                workspaces: [acme, acme-eu]
            """
                .formatted(HASH, OTHER_HASH.toUpperCase(java.util.Locale.ROOT)));

    // when
    final List<TokenFile.Entry> entries = TokenFile.read(file);

    // then
    assertThat(entries)
        .containsExactly(
            new TokenFile.Entry("ops", HASH, Caller.Role.ADMIN, List.of("*")),
            new TokenFile.Entry(
                "acme-bot", OTHER_HASH, Caller.Role.WRITER, List.of("acme", "acme-eu")));
    assertThat(entries.get(0).caller().seesAll()).isTrue();
    assertThat(entries.get(1).caller())
        .isEqualTo(new Caller("acme-bot", Caller.Role.WRITER, Set.of("acme", "acme-eu")));
  }

  @Test
  void shouldNameFileEntryAndFieldWhenTheRoleIsUnknown() throws Exception {
    // given
    final Path file = write(entry("ci", HASH, "root", "[acme]"));

    // when / then
    assertThatThrownBy(() -> TokenFile.read(file))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "auth.tokens.file "
                + file
                + ": entry 1 ('ci') field 'role' must be admin, writer or reader, got 'root'");
  }

  @Test
  void shouldRefuseAnEntryWhenItsSha256IsMissing() throws Exception {
    // given
    final Path file =
        write(
            """
            tokens:
              - name: ci
                role: reader
                workspaces: [acme]
            """);

    // when / then
    assertThatThrownBy(() -> TokenFile.read(file))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(file.toString())
        .hasMessageContaining("entry 1 ('ci') field 'sha256' is required");
  }

  @Test
  void shouldRefuseAnEntryWhenItsSha256IsNotAHash() throws Exception {
    // given a token in clear where its hash belongs
    final Path file = write(entry("ci", "rl_secret", "reader", "[acme]"));

    // when / then
    assertThatThrownBy(() -> TokenFile.read(file))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("field 'sha256' must be 64 hex digits");
  }

  @Test
  void shouldRefuseTheFileWhenTwoEntriesShareAName() throws Exception {
    // given
    final Path file =
        write(
            entry("ci", HASH, "reader", "[acme]")
                + entry("ci", OTHER_HASH, "writer", "[acme]").replace("tokens:\n", ""));

    // when / then
    assertThatThrownBy(() -> TokenFile.read(file))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("entry 2 ('ci') field 'name' another entry has the same name");
  }

  @Test
  void shouldRefuseAnEntryWhenItHasNoWorkspacesOrAnUnknownField() throws Exception {
    // given
    final Path empty = write(entry("ci", HASH, "reader", "[]"));
    final Path unknown =
        Files.writeString(
            dir.resolve("unknown.yaml"),
            entry("ci", HASH, "reader", "[acme]") + "    token: rl_clear\n");

    // when / then
    assertThatThrownBy(() -> TokenFile.read(empty)).hasMessageContaining("field 'workspaces'");
    assertThatThrownBy(() -> TokenFile.read(unknown))
        .hasMessageContaining("entry 1 field 'token' unknown field");
  }

  @Test
  void shouldRefuseTheFileWhenItHoldsNoTokensList() throws Exception {
    // given
    final Path file = write("token: abc\n");

    // when / then
    assertThatThrownBy(() -> TokenFile.read(file))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("must hold 'tokens:'");
  }

  @Test
  void shouldKeepTheEntriesAndRefuseADuplicateNameWhenAppending() {
    // given
    final Path file = dir.resolve("sub").resolve("tokens.yaml");
    final TokenFile.Entry first = new TokenFile.Entry("a", HASH, Caller.Role.READER, List.of("x"));
    final TokenFile.Entry second =
        new TokenFile.Entry("b", OTHER_HASH, Caller.Role.ADMIN, List.of("*"));

    // when
    TokenFile.append(file, first);
    TokenFile.append(file, second);

    // then
    assertThat(TokenFile.read(file)).containsExactly(first, second);
    assertThatThrownBy(() -> TokenFile.append(file, first))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("already has a token named 'a'");
    assertThat(TokenFile.read(file)).hasSize(2);
  }

  @Test
  void shouldHashTheTokenTextWhenAskedForItsSha256() {
    // when
    final String token = TokenFile.newToken();

    // then
    assertThat(token).startsWith("rl_").hasSize(3 + 43).matches("rl_[A-Za-z0-9_-]+");
    assertThat(TokenFile.newToken()).isNotEqualTo(token);
    assertThat(TokenFile.sha256("abc"))
        .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  }

  private Path write(final String text) throws Exception {
    return Files.writeString(dir.resolve("tokens.yaml"), text);
  }

  private static String entry(
      final String name, final String sha256, final String role, final String workspaces) {
    return """
        tokens:
          - name: %s
            sha256: %s
            role: %s
            workspaces: %s
        """
        .formatted(name, sha256, role, workspaces);
  }
}
