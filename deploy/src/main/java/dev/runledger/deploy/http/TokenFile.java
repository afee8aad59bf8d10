package dev.runledger.deploy.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.runledger.schemas.config.ConfigException;
import dev.runledger.schemas.http.Caller;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The file {@code auth.tokens.file}: the API tokens as {@code tokens: [{name, sha256, role,
 * workspaces}]} in YAML, each token stored as the SHA-256 of its text (hex), never in clear.
 * Reading checks every entry and names the file, the entry and the field at fault.
 */
public final class TokenFile {
  /** The prefix of every generated token, so a leaked one is recognisable. */
  public static final String TOKEN_PREFIX = "rl_";

  private static final String TOKENS = "tokens";
  private static final Set<String> FIELDS = Set.of("name", "sha256", "role", "workspaces");
  private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
  private static final YAMLMapper YAML = new YAMLMapper();
  private static final SecureRandom RANDOM = new SecureRandom();

  private TokenFile() {}

  /**
   * One token: its name (in logs and 403 messages), the SHA-256 of its text, its role and the
   * workspaces it covers ({@value Caller#ALL} for every one).
   */
  public record Entry(String name, String sha256, Caller.Role role, List<String> workspaces) {
    public Entry {
      workspaces = List.copyOf(workspaces);
    }

    /** The caller a request presenting this token is. */
    public Caller caller() {
      return new Caller(name, role, Set.copyOf(workspaces));
    }
  }

  /** A new random token: {@value #TOKEN_PREFIX} and 32 random bytes, URL-safe base64. */
  public static String newToken() {
    final byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return TOKEN_PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /** The SHA-256 of a token's UTF-8 text, lower-case hex: what the file stores. */
  public static String sha256(final String token) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
    } catch (final NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JVM has no SHA-256", e);
    }
  }

  /**
   * Every entry of the file.
   *
   * @throws ConfigException (key {@code auth.tokens.file}) naming the file, the entry and the field
   *     when the file cannot be read or an entry is malformed, or two share a name or a hash
   */
  public static List<Entry> read(final Path file) {
    final JsonNode root;
    try {
      root = YAML.readTree(Files.readString(file, StandardCharsets.UTF_8));
    } catch (final IOException e) {
      throw problem(file, "cannot be read (" + e.getMessage() + ")");
    }
    final JsonNode tokens = root == null ? null : root.get(TOKENS);
    if (root == null || !root.isObject() || tokens == null || !tokens.isArray()) {
      throw problem(
          file, "must hold '" + TOKENS + ":', a list of {name, sha256, role, workspaces}");
    }
    final List<Entry> entries = new ArrayList<>();
    final Set<String> names = new HashSet<>();
    final Set<String> hashes = new HashSet<>();
    for (int i = 0; i < tokens.size(); i++) {
      final At at = new At(file, "entry " + (i + 1));
      final Entry entry = entry(at, tokens.get(i));
      if (!names.add(entry.name())) {
        throw at.named(entry.name()).field("name", "another entry has the same name");
      }
      if (!hashes.add(entry.sha256())) {
        throw at.named(entry.name())
            .field("sha256", "another entry has the same sha256 (the same token)");
      }
      entries.add(entry);
    }
    return List.copyOf(entries);
  }

  /**
   * Adds {@code entry} to {@code file} (created when missing), keeping the entries it holds.
   *
   * @throws IllegalArgumentException when an entry of that name is already there
   */
  public static void append(final Path file, final Entry entry) {
    final List<Entry> entries = new ArrayList<>(Files.exists(file) ? read(file) : List.of());
    if (entries.stream().anyMatch(e -> e.name().equals(entry.name()))) {
      throw new IllegalArgumentException(
          file + " already has a token named '" + entry.name() + "'; choose another --name");
    }
    entries.add(entry);
    write(file, entries);
  }

  /** The names in {@code file}, none when it does not exist. */
  public static Set<String> names(final Path file) {
    final Set<String> names = new HashSet<>();
    if (Files.exists(file)) {
      read(file).forEach(e -> names.add(e.name()));
    }
    return names;
  }

  private static void write(final Path file, final List<Entry> entries) {
    final ObjectNode root = YAML.createObjectNode();
    final ArrayNode tokens = root.putArray(TOKENS);
    for (final Entry entry : entries) {
      final ObjectNode node = tokens.addObject();
      node.put("name", entry.name());
      node.put("sha256", entry.sha256());
      node.put("role", entry.role().name().toLowerCase(Locale.ROOT));
      final ArrayNode workspaces = node.putArray("workspaces");
      entry.workspaces().forEach(workspaces::add);
    }
    try {
      final Path absolute = file.toAbsolutePath();
      if (absolute.getParent() != null) {
        Files.createDirectories(absolute.getParent());
      }
      final Path partial = absolute.resolveSibling(absolute.getFileName() + ".partial");
      Files.writeString(partial, YAML.writeValueAsString(root), StandardCharsets.UTF_8);
      Files.move(partial, absolute, StandardCopyOption.REPLACE_EXISTING);
    } catch (final IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  private static Entry entry(final At at, final JsonNode node) {
    if (node == null || !node.isObject()) {
      throw at.exception("must be a mapping of name, sha256, role and workspaces");
    }
    for (final Iterator<String> fields = node.fieldNames(); fields.hasNext(); ) {
      final String field = fields.next();
      if (!FIELDS.contains(field)) {
        throw at.field(field, "unknown field; an entry has name, sha256, role and workspaces");
      }
    }
    final String name = text(at, node, "name");
    final At named = at.named(name);
    final String sha256 = text(named, node, "sha256").toLowerCase(Locale.ROOT);
    if (!SHA256.matcher(sha256).matches()) {
      throw named.field("sha256", "must be 64 hex digits (the SHA-256 of the token)");
    }
    final String role = text(named, node, "role");
    final Caller.Role parsed;
    try {
      parsed = Caller.Role.valueOf(role.toUpperCase(Locale.ROOT));
    } catch (final IllegalArgumentException e) {
      throw named.field("role", "must be admin, writer or reader, got '" + role + "'");
    }
    return new Entry(name, sha256, parsed, workspaces(named, node.get("workspaces")));
  }

  private static List<String> workspaces(final At at, final JsonNode node) {
    if (node == null || !node.isArray() || node.isEmpty()) {
      throw at.field(
          "workspaces", "is required: a list of workspace ids, or [\"" + Caller.ALL + "\"]");
    }
    final List<String> workspaces = new ArrayList<>();
    for (final JsonNode workspace : node) {
      if (!workspace.isTextual() || workspace.asText().isBlank()) {
        throw at.field("workspaces", "must hold workspace ids (text), got " + workspace);
      }
      workspaces.add(workspace.asText());
    }
    return workspaces;
  }

  private static String text(final At at, final JsonNode node, final String field) {
    final JsonNode value = node.get(field);
    if (value == null || !value.isTextual() || value.asText().isBlank()) {
      throw at.field(field, "is required (text)");
    }
    return value.asText().strip();
  }

  /** A problem in {@code file}: {@code auth.tokens.file FILE: message}. */
  private static ConfigException problem(final Path file, final String message) {
    final String key = HttpServerSettings.TOKENS_FILE.key();
    return new ConfigException(key, key + " " + file + ": " + message);
  }

  /** An entry of the file, for the messages about it. */
  private record At(Path file, String entry) {
    ConfigException exception(final String message) {
      return problem(file, entry + " " + message);
    }

    ConfigException field(final String field, final String message) {
      return exception("field '" + field + "' " + message);
    }

    At named(final String name) {
      return new At(file, entry + " ('" + name + "')");
    }
  }
}
