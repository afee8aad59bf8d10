package dev.runledger.worker.runners;

import dev.runledger.avro.ArtifactPermission;
import dev.runledger.avro.Capabilities;
import dev.runledger.avro.EventPermission;
import dev.runledger.avro.HistoryPermission;
import dev.runledger.avro.KnowledgePermission;
import dev.runledger.avro.ModelPermission;
import dev.runledger.avro.Permissions;
import dev.runledger.avro.RunnerManifest;
import dev.runledger.avro.StatePermission;
import dev.runledger.avro.StoragePermission;
import dev.runledger.avro.ToolPermission;
import dev.runledger.schemas.config.ConfigException;
import dev.runledger.schemas.config.LedgerConfig;
import dev.runledger.schemas.config.Setting;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Reads the declaration of configured external runners: every key under {@code
 * worker.runners.<kind>.<name>.} ({@code kind} is {@code proc} or {@code http}) and the manifest it
 * publishes. The manifest keys are shared by both kinds:
 *
 * <ul>
 *   <li>{@code pool} (default {@code worker.pool}, else {@code default}), {@code label}, {@code
 *       description}, {@code version} (default {@code 0});
 *   <li>{@code capabilities}: comma list of {@code streaming, tool_calling, knowledge_retrieval,
 *       multimodal_input, interrupt, steering};
 *   <li>{@code permissions}: comma list of {@code area:operation}, e.g. {@code history:page,
 *       history:search, events:get, events:page, artifacts:metadata, artifacts:read,
 *       state:conversation, state:runner, storage:plugin, models:invoke, tools:call,
 *       knowledge_bases:retrieve}.
 * </ul>
 */
final class RunnerDeclaration {
  /** Prefix of every external runner's keys. */
  public static final String PREFIX = "worker.runners.";

  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,62}");

  private final String kind;
  private final String name;
  private final LedgerConfig config;

  private RunnerDeclaration(final String kind, final String name, final LedgerConfig config) {
    this.kind = kind;
    this.name = name;
    this.config = config;
  }

  /** The runners of {@code kind} declared in {@code config}: those with a {@code marker} key. */
  public static List<RunnerDeclaration> all(
      final LedgerConfig config, final String kind, final String marker) {
    final String prefix = PREFIX + kind + ".";
    final TreeSet<String> names = new TreeSet<>();
    for (final String key : config.asMap().keySet()) {
      if (key.startsWith(prefix) && key.endsWith("." + marker)) {
        final String name = key.substring(prefix.length(), key.length() - marker.length() - 1);
        if (!NAME.matcher(name).matches()) {
          throw new ConfigException(
              key, "runner name '" + name + "' must be lowercase letters, digits, '-' or '_'");
        }
        names.add(name);
      }
    }
    final List<RunnerDeclaration> declarations = new ArrayList<>();
    names.forEach(name -> declarations.add(new RunnerDeclaration(kind, name, config)));
    return declarations;
  }

  public String name() {
    return name;
  }

  /** {@code <kind>:<name>}, e.g. {@code proc:python-example}. */
  public String runnerId() {
    return kind + ":" + name;
  }

  /** The full key of one of this runner's settings. */
  public String key(final String setting) {
    return PREFIX + kind + "." + name + "." + setting;
  }

  /**
   * One of this runner's settings, defined with a key under {@code worker.runners.<kind>.<name>.}
   * (see {@link RunnerSettings}).
   */
  public <T> T get(final Setting<T> setting) {
    final String template = setting.key();
    final String placeholder = "<name>.";
    return config.get(
        setting.at(key(template.substring(template.indexOf(placeholder) + placeholder.length()))));
  }

  public String get(final String setting, final String fallback) {
    return config.get(key(setting), fallback);
  }

  public long getLong(final String setting, final long fallback) {
    final long value = config.getLong(key(setting), fallback);
    if (value < 0) {
      throw new ConfigException(key(setting), key(setting) + " must be >= 0, got " + value);
    }
    return value;
  }

  /** A comma list setting. */
  public List<String> list(final String setting) {
    return config.getList(key(setting));
  }

  /** Values of {@code <setting>.<NAME>} keys, by NAME. */
  public Map<String, String> subkeys(final String setting) {
    final String prefix = key(setting) + ".";
    final Map<String, String> found = new LinkedHashMap<>();
    config
        .asMap()
        .forEach(
            (key, value) -> {
              if (key.startsWith(prefix)) {
                found.put(key.substring(prefix.length()), value);
              }
            });
    return found;
  }

  /** The manifest this runner publishes. */
  public RunnerManifest manifest(final String defaultLabel) {
    return RunnerManifest.newBuilder()
        .setRunnerId(runnerId())
        .setName(name)
        .setLabel(get("label", defaultLabel))
        .setDescription(config.get(key("description"), null))
        .setPool(get("pool", config.get("worker.pool", "default")))
        .setCapabilities(capabilities())
        .setPermissions(permissions())
        .setConfigSchemaJson(get(RunnerSettings.CONFIG_SCHEMA))
        .setVersion(get(RunnerSettings.VERSION))
        .build();
  }

  private Capabilities capabilities() {
    final Capabilities.Builder caps = Capabilities.newBuilder();
    for (final String cap : list("capabilities")) {
      switch (cap) {
        case "streaming" -> caps.setStreaming(true);
        case "tool_calling" -> caps.setToolCalling(true);
        case "knowledge_retrieval" -> caps.setKnowledgeRetrieval(true);
        case "multimodal_input" -> caps.setMultimodalInput(true);
        case "interrupt" -> caps.setInterrupt(true);
        case "steering" -> caps.setSteering(true);
        default ->
            throw new ConfigException(
                key("capabilities"),
                "unknown capability '"
                    + cap
                    + "'; use streaming, tool_calling, knowledge_retrieval, multimodal_input,"
                    + " interrupt, steering");
      }
    }
    return caps.build();
  }

  private Permissions permissions() {
    final Map<String, List<String>> ops = new LinkedHashMap<>();
    for (final String entry : list("permissions")) {
      final int colon = entry.indexOf(':');
      if (colon < 1) {
        throw new ConfigException(
            key("permissions"), "permission '" + entry + "' must be area:operation");
      }
      ops.computeIfAbsent(entry.substring(0, colon), a -> new ArrayList<>())
          .add(entry.substring(colon + 1).toUpperCase(Locale.ROOT));
    }
    final Permissions.Builder permissions = Permissions.newBuilder();
    try {
      for (final Map.Entry<String, List<String>> area : ops.entrySet()) {
        final List<String> values = area.getValue();
        switch (area.getKey()) {
          case "models" -> permissions.setModels(enums(ModelPermission.class, values));
          case "tools" -> permissions.setTools(enums(ToolPermission.class, values));
          case "knowledge_bases" ->
              permissions.setKnowledgeBases(enums(KnowledgePermission.class, values));
          case "history" -> permissions.setHistory(enums(HistoryPermission.class, values));
          case "events" -> permissions.setEvents(enums(EventPermission.class, values));
          case "artifacts" -> permissions.setArtifacts(enums(ArtifactPermission.class, values));
          case "storage" -> permissions.setStorage(enums(StoragePermission.class, values));
          case "state" -> permissions.setState(enums(StatePermission.class, values));
          default -> throw new IllegalArgumentException("unknown area '" + area.getKey() + "'");
        }
      }
    } catch (final IllegalArgumentException e) {
      throw new ConfigException(
          key("permissions"), "bad permission in " + key("permissions") + ": " + e.getMessage());
    }
    return permissions.build();
  }

  private static <E extends Enum<E>> List<E> enums(final Class<E> type, final List<String> names) {
    return names.stream().map(n -> Enum.valueOf(type, n)).toList();
  }
}
