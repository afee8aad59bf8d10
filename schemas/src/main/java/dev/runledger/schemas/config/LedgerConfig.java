package dev.runledger.schemas.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * runledger configuration: defaults, then an optional YAML or properties file, then {@code
 * RUNLEDGER_*} environment variables ({@code RUNLEDGER_BOOTSTRAP_SERVERS} sets {@code
 * bootstrap.servers}), then explicit overrides. Keys are flat and dotted; nested YAML is flattened.
 * Anything under {@code kafka.} is passed to every Kafka client and anything under {@code streams.}
 * to Kafka Streams, so SASL/TLS clusters work unchanged. Immutable.
 */
public final class LedgerConfig {
  public static final String BOOTSTRAP_SERVERS = "bootstrap.servers";
  public static final String TOPIC_PREFIX = "topic.prefix";
  public static final String TOPIC_PARTITIONS = "topic.partitions";
  public static final String TOPIC_COMMAND_PARTITIONS = "topic.commands.partitions";
  public static final String TOPIC_REPLICATION = "topic.replication";
  public static final String TOPIC_MIN_INSYNC_REPLICAS = "topic.min.insync.replicas";
  public static final String LEDGER_RETENTION_MS = "topic.ledger.retention.ms";
  public static final String MAX_RECORD_BYTES = "record.max.bytes";
  public static final String POOLS = "pools";
  public static final String HTTP_PORT = "http.port";
  public static final String STATE_DIR = "state.dir";
  public static final String VIEWS_URL = "worker.views.url";

  /** The gateway's old key for {@link #VIEWS_URL}, still read (with a warning). */
  public static final String DEPRECATED_GATEWAY_VIEWS_URL = "gateway.views.url";

  public static final String KAFKA_PREFIX = "kafka.";
  public static final String STREAMS_PREFIX = "streams.";

  /**
   * Records a Kafka Streams restore consumer takes per poll unless a {@code streams.*} key says.
   */
  static final int RESTORE_MAX_POLL_RECORDS = 10_000;

  static final String ENV_PREFIX = "RUNLEDGER_";

  private static final Logger LOG = LoggerFactory.getLogger(LedgerConfig.class);

  /** The shared settings' fixed defaults, so {@link #get(String)} and {@link #asMap} see them. */
  private static final Map<String, String> DEFAULTS = fixedDefaults(CoreSettings.ALL);

  private final Map<String, String> values;

  private LedgerConfig(final Map<String, String> values) {
    this.values = Map.copyOf(values);
  }

  /** Defaults overlaid with the given values (no file, no environment). For tests and tools. */
  public static LedgerConfig of(final Map<String, String> overrides) {
    final Map<String, String> merged = new TreeMap<>(DEFAULTS);
    merged.putAll(overrides);
    return new LedgerConfig(merged);
  }

  /** Defaults, then {@code file} if not null, then the environment, then {@code overrides}. */
  public static LedgerConfig load(
      final Path file, final Map<String, String> env, final Map<String, String> overrides) {
    return load(Map.of(), file, env, overrides);
  }

  /**
   * Like {@link #load(Path, Map, Map)}, with {@code modeDefaults} replacing some defaults (e.g. one
   * replica per topic for {@code ledger dev}); the file, the environment and {@code overrides}
   * still win over them.
   */
  public static LedgerConfig load(
      final Map<String, String> modeDefaults,
      final Path file,
      final Map<String, String> env,
      final Map<String, String> overrides) {
    final Map<String, String> merged = new TreeMap<>(DEFAULTS);
    merged.putAll(modeDefaults);
    if (file != null) {
      merged.putAll(readFile(file));
    }
    env.forEach(
        (name, value) -> {
          if (name.startsWith(ENV_PREFIX)) {
            merged.put(envToKey(name), value);
          }
        });
    merged.putAll(overrides);
    return new LedgerConfig(merged);
  }

  /** A copy with some values replaced. */
  public LedgerConfig with(final Map<String, String> overrides) {
    final Map<String, String> merged = new TreeMap<>(values);
    merged.putAll(overrides);
    return new LedgerConfig(merged);
  }

  static String envToKey(final String envName) {
    return envName.substring(ENV_PREFIX.length()).toLowerCase(Locale.ROOT).replace('_', '.');
  }

  private static Map<String, String> fixedDefaults(final List<Setting<?>> settings) {
    final Map<String, String> defaults = new TreeMap<>();
    for (final Setting<?> setting : settings) {
      setting.fixedDefault().ifPresent(text -> defaults.put(setting.key(), text));
    }
    return defaults;
  }

  /**
   * The value of a setting: its key, else its first deprecated alias that is set, else its default;
   * parsed and checked.
   *
   * @throws ConfigException naming the key when the value is malformed or out of range, or when the
   *     setting has no default and is not set
   */
  public <T> T get(final Setting<T> setting) {
    return find(setting)
        .orElseThrow(
            () ->
                new ConfigException(
                    setting.key(), "required setting '" + setting.key() + "' is missing"));
  }

  /** Like {@link #get(Setting)}, but empty when the setting is not set and has no default. */
  public <T> Optional<T> find(final Setting<T> setting) {
    String from = setting.key();
    String text = values.get(from);
    for (final String alias : setting.aliases()) {
      if (text == null && values.containsKey(alias)) {
        from = alias;
        text = values.get(alias);
      }
    }
    if (text == null) {
      text = setting.defaultText(this);
    }
    return text == null ? Optional.empty() : Optional.of(setting.parse(from, text));
  }

  /**
   * Warnings about the keys set here that no definition in {@code known} has but that sit under a
   * prefix one has (e.g. {@code worker.slot}: did you mean {@code worker.slots}?), and about
   * deprecated keys; {@code kafka.*} and {@code streams.*} are never questioned. The {@link
   * CoreSettings} are always known.
   */
  public List<String> unknownKeyWarnings(final Collection<? extends Setting<?>> known) {
    final Set<Setting<?>> all = new LinkedHashSet<>(CoreSettings.ALL);
    all.addAll(known);
    return new KnownKeys(all).warnings(values);
  }

  /** Logs every {@link #unknownKeyWarnings} line at WARN; a service calls this once at start. */
  public void warnUnknownKeys(final Collection<? extends Setting<?>> known) {
    unknownKeyWarnings(known).forEach(LOG::warn);
  }

  public String get(final String key) {
    final String value = values.get(key);
    if (value == null) {
      throw new ConfigException(key, "required setting '" + key + "' is missing");
    }
    return value;
  }

  public String get(final String key, final String fallback) {
    return values.getOrDefault(key, fallback);
  }

  public int getInt(final String key, final int fallback) {
    return (int) getLong(key, fallback);
  }

  public long getLong(final String key, final long fallback) {
    final String value = values.get(key);
    if (value == null) {
      return fallback;
    }
    try {
      return Long.parseLong(value.strip());
    } catch (final NumberFormatException e) {
      throw new ConfigException(key, "setting '" + key + "' must be a number, got '" + value + "'");
    }
  }

  /** A comma-separated list. */
  public List<String> getList(final String key) {
    return Arrays.stream(get(key, "").split(","))
        .map(String::strip)
        .filter(s -> !s.isEmpty())
        .toList();
  }

  public TopicSettings topicSettings() {
    return new TopicSettings(
        get(CoreSettings.TOPIC_PREFIX),
        get(CoreSettings.TOPIC_PARTITIONS),
        get(CoreSettings.TOPIC_COMMAND_PARTITIONS),
        get(CoreSettings.TOPIC_REPLICATION).shortValue(),
        get(CoreSettings.LEDGER_RETENTION_MS),
        find(CoreSettings.TOPIC_MIN_INSYNC_REPLICAS).orElse(0),
        get(CoreSettings.MAX_RECORD_BYTES));
  }

  private String maxMessageBytes() {
    return Integer.toString(topicSettings().maxMessageBytes());
  }

  public List<String> pools() {
    return get(CoreSettings.POOLS);
  }

  /** Properties shared by every Kafka client: bootstrap servers plus every {@code kafka.*} key. */
  public Properties kafkaProperties() {
    final Properties props = new Properties();
    props.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, get(CoreSettings.BOOTSTRAP_SERVERS));
    values.forEach(
        (key, value) -> {
          if (key.startsWith(KAFKA_PREFIX)) {
            props.put(key.substring(KAFKA_PREFIX.length()), value);
          }
        });
    return props;
  }

  /**
   * Properties of a producer: the client properties with {@code max.request.size} set from {@link
   * CoreSettings#MAX_RECORD_BYTES}, so that every record a service checked against the limit can be
   * sent.
   */
  public Properties producerProperties() {
    final Properties props = kafkaProperties();
    props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, maxMessageBytes());
    return props;
  }

  /**
   * Kafka Streams properties for one application: the client properties, then every {@code
   * streams.*} key, then the application id, the internal topics' replication factor and {@code
   * min.insync.replicas} (those of {@link #topicSettings}) and a state directory under {@link
   * #STATE_DIR}. The producer's {@code max.request.size} and the internal topics' {@code
   * max.message.bytes} follow {@link CoreSettings#MAX_RECORD_BYTES}; the restore consumer's {@code
   * fetch.max.wait.ms} is {@link CoreSettings#RESTORE_FETCH_WAIT} unless a {@code streams.*} key
   * sets it; with {@link CoreSettings#INSTANCE_ID} the main consumers are static group members.
   */
  public Properties streamsProperties(final String applicationId) {
    final Properties props = kafkaProperties();
    props.put(
        StreamsConfig.producerPrefix(ProducerConfig.MAX_REQUEST_SIZE_CONFIG), maxMessageBytes());
    props.put(StreamsConfig.topicPrefix(TopicConfig.MAX_MESSAGE_BYTES_CONFIG), maxMessageBytes());
    values.forEach(
        (key, value) -> {
          if (key.startsWith(STREAMS_PREFIX)) {
            props.put(key.substring(STREAMS_PREFIX.length()), value);
          }
        });
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
    // Changelog and repartition topics get the catalogue's durability.
    final TopicSettings topics = topicSettings();
    props.putIfAbsent(StreamsConfig.REPLICATION_FACTOR_CONFIG, (int) topics.replication());
    if (topics.minInsyncReplicas() > 0) {
      props.putIfAbsent(
          StreamsConfig.topicPrefix(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG),
          Integer.toString(topics.minInsyncReplicas()));
    }
    props.putIfAbsent(
        StreamsConfig.STATE_DIR_CONFIG,
        Path.of(get(CoreSettings.STATE_DIR)).toAbsolutePath().toString());
    // A process started again under the same instance.id takes its tasks back as the same static
    // member, without waiting for the dead one's session to time out (see INSTANCE_ID).
    find(CoreSettings.INSTANCE_ID)
        .filter(id -> !id.isBlank())
        .ifPresent(
            id ->
                props.putIfAbsent(
                    StreamsConfig.mainConsumerPrefix(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG), id));
    // A restoring task waits out the restore consumer's empty fetches (see RESTORE_FETCH_WAIT).
    props.putIfAbsent(
        StreamsConfig.restoreConsumerPrefix(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG),
        Long.toString(get(CoreSettings.RESTORE_FETCH_WAIT).toMillis()));
    // Restoring writes each polled batch to RocksDB in one go; Streams' default of 1,000 records
    // a poll made a restore of small changelog records mostly round trips.
    props.putIfAbsent(
        StreamsConfig.restoreConsumerPrefix(ConsumerConfig.MAX_POLL_RECORDS_CONFIG),
        Integer.toString(RESTORE_MAX_POLL_RECORDS));
    return props;
  }

  /** Every setting, for diagnostics. */
  public Map<String, String> asMap() {
    return values;
  }

  private static Map<String, String> readFile(final Path file) {
    final String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
    try (InputStream in = Files.newInputStream(file)) {
      if (name.endsWith(".properties")) {
        final Properties props = new Properties();
        props.load(in);
        final Map<String, String> out = new TreeMap<>();
        props.forEach((k, v) -> out.put(k.toString(), v.toString()));
        return out;
      }
      final JsonNode root = new ObjectMapper(new YAMLFactory()).readTree(in);
      final Map<String, String> out = new TreeMap<>();
      if (root != null && !root.isMissingNode() && !root.isNull()) {
        if (!root.isObject()) {
          throw new ConfigException(file.toString(), "config file must hold a mapping");
        }
        flatten("", root, out);
      }
      return out;
    } catch (final IOException e) {
      throw new UncheckedIOException("cannot read config file " + file, e);
    }
  }

  private static void flatten(
      final String prefix, final JsonNode node, final Map<String, String> out) {
    if (node.isObject()) {
      node.fields()
          .forEachRemaining(
              e ->
                  flatten(
                      prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey(),
                      e.getValue(),
                      out));
    } else if (node.isArray()) {
      final StringBuilder joined = new StringBuilder();
      node.forEach(item -> joined.append(joined.length() == 0 ? "" : ",").append(item.asText()));
      out.put(prefix, joined.toString());
    } else if (!node.isNull()) {
      out.put(prefix, node.asText());
    }
  }
}
