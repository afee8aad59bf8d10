package dev.runledger.schemas.config;

import java.time.Duration;
import java.util.List;

/**
 * The settings every service shares: the cluster, the topics, the pools, the HTTP port and state
 * directory, and where the projections' HTTP API is reached.
 */
public final class CoreSettings {
  public static final Setting<String> BOOTSTRAP_SERVERS =
      Setting.stringSetting(LedgerConfig.BOOTSTRAP_SERVERS, "localhost:9092", "Kafka cluster");

  public static final Setting<String> TOPIC_PREFIX =
      Setting.stringSetting(LedgerConfig.TOPIC_PREFIX, "runledger.", "prefix of every topic name");

  public static final Setting<Integer> TOPIC_PARTITIONS =
      Setting.intSetting(LedgerConfig.TOPIC_PARTITIONS, 6, "partitions of every topic").positive();

  public static final Setting<Integer> TOPIC_COMMAND_PARTITIONS =
      Setting.intSetting(
              LedgerConfig.TOPIC_COMMAND_PARTITIONS,
              1,
              "partitions of each run-commands.<pool> topic")
          .positive();

  /**
   * 3 for a production cluster; a stack on one broker ({@code ledger dev}, {@code demo}, {@code
   * bench}, the tests) sets 1.
   */
  public static final Setting<Integer> TOPIC_REPLICATION =
      Setting.intSetting(LedgerConfig.TOPIC_REPLICATION, 3, "replication factor of every topic")
          .between(1, Short.MAX_VALUE)
          .shownAs("3 (1 in dev, demo and bench)");

  /**
   * 2 when there are at least 3 replicas, so an {@code acks=all} write survives one broker down;
   * with fewer the broker's own value (1 by default), so a single broker still takes writes.
   */
  public static final Setting<Integer> TOPIC_MIN_INSYNC_REPLICAS =
      Setting.intSetting(
              LedgerConfig.TOPIC_MIN_INSYNC_REPLICAS,
              2,
              "min.insync.replicas of every topic, the internal ones included")
          .between(1, Short.MAX_VALUE)
          .defaultFrom(
              "2 (the broker's when topic.replication is below 3)",
              config -> config.get(TOPIC_REPLICATION) >= 3 ? "2" : null);

  /**
   * The largest record any service writes, in bytes of key plus encoded value (ARCHITECTURE.md
   * §2.8). Producers get {@code max.request.size} and topics {@code max.message.bytes} of this plus
   * {@link TopicSettings#FRAMING_BYTES}; the worker and the orchestrator check their records
   * against it before they write them. The default fits an inline artifact of 1 MiB (base64 in
   * JSON) with room to spare.
   */
  public static final Setting<Integer> MAX_RECORD_BYTES =
      Setting.intSetting(
              LedgerConfig.MAX_RECORD_BYTES,
              2 * 1024 * 1024,
              "largest record (key + encoded value) any service writes; clients'"
                  + " max.request.size and topics' max.message.bytes are this + 64 KiB")
          .between(TopicSettings.MIN_RECORD_BYTES, TopicSettings.MAX_RECORD_BYTES);

  public static final Setting<Long> LEDGER_RETENTION_MS =
      Setting.longSetting(
          LedgerConfig.LEDGER_RETENTION_MS, -1, "run-ledger retention in ms, -1 for forever");

  public static final Setting<List<String>> POOLS =
      Setting.listSetting(
          LedgerConfig.POOLS, "default", "worker pools; one run-commands.<pool> topic each");

  public static final Setting<Integer> HTTP_PORT =
      Setting.intSetting(LedgerConfig.HTTP_PORT, 8080, "HTTP port, 0 for any free one")
          .between(0, 65_535);

  public static final Setting<String> STATE_DIR =
      Setting.stringSetting(
          LedgerConfig.STATE_DIR, ".runledger/state", "Kafka Streams state directory");

  /**
   * How long the broker may hold a Kafka Streams restore consumer's fetch that finds no data (that
   * consumer's {@code fetch.max.wait.ms}). Kafka's 500 ms default costs every restoring task about
   * that much even when its changelogs are empty or caught up (a fresh application, a task moved to
   * another instance): the restore consumer's offset lookups for newly added changelogs wait behind
   * its pending empty fetch. 100 ms cuts that to a fifth and costs, while restoring or keeping
   * standbys, at most ten empty fetches a second per instance; records are returned as soon as they
   * arrive either way. {@code streams.restore.consumer.fetch.max.wait.ms} still overrides it.
   */
  public static final Setting<Duration> RESTORE_FETCH_WAIT =
      Setting.millisSetting(
              "state.restore.fetch.wait.ms",
              100,
              "how long a Kafka Streams restore consumer's empty fetch waits at the broker")
          .positive();

  /**
   * Base URL of the projections' HTTP API: the worker's host API reads transcripts, events and
   * state there, the gateway's cancel endpoints look runs and events up there. {@code
   * gateway.views.url} is read as a deprecated alias.
   */
  public static final Setting<String> VIEWS_URL =
      Setting.stringSetting(LedgerConfig.VIEWS_URL, null, "base URL of the projections' HTTP API")
          .defaultFrom(
              "http://localhost:<http.port>", config -> "http://localhost:" + config.get(HTTP_PORT))
          .deprecatedAlias(LedgerConfig.DEPRECATED_GATEWAY_VIEWS_URL);

  /**
   * The credential runledger's own services send each other ({@code Authorization: Bearer <it>}):
   * projection instances forwarding a request to the instance that owns a key, the worker's host
   * API reading the views, the gateway looking a run up for a cancel. The HTTP server takes it as
   * an admin of every workspace; unset, such calls are refused wherever authentication is on.
   * {@code ledger dev} generates one.
   */
  public static final Setting<String> AUTH_INTERNAL_TOKEN =
      Setting.stringSetting(
              "auth.internal.token",
              null,
              "shared secret the services send each other; a caller presenting it is an admin of"
                  + " every workspace")
          .shownAs("none (generated by dev and demo)");

  /**
   * Milliseconds between a worker's heartbeats on the {@code workers} topic. The worker sends them
   * at this interval; the gateway's worker registry takes a worker whose last heartbeat is older
   * than three intervals as gone. Listed among the worker's settings, not in {@link #ALL}.
   */
  public static final Setting<Duration> WORKER_HEARTBEAT =
      Setting.millisSetting("worker.heartbeat.ms", 5000, "heartbeat interval").atLeast(100);

  /**
   * A name for this process that stays the same across its restarts (a StatefulSet pod's name, a
   * host name). Set, both Kafka Streams apps join their consumer groups as static members ({@code
   * <instance.id>-<thread>}): a process killed and started again under the same id takes its tasks
   * back at once instead of waiting out the dead member's session timeout (45 s). Two processes
   * running at the same time must never share one. {@code ledger dev} keeps one in its data
   * directory.
   */
  public static final Setting<String> INSTANCE_ID =
      Setting.stringSetting(
              "instance.id",
              null,
              "stable name of this process across restarts; its Streams apps join as static group"
                  + " members")
          .shownAs("none (dev keeps one in its data directory)");

  /** Every shared setting. */
  public static final List<Setting<?>> ALL =
      List.of(
          BOOTSTRAP_SERVERS,
          TOPIC_PREFIX,
          TOPIC_PARTITIONS,
          TOPIC_COMMAND_PARTITIONS,
          TOPIC_REPLICATION,
          TOPIC_MIN_INSYNC_REPLICAS,
          MAX_RECORD_BYTES,
          LEDGER_RETENTION_MS,
          POOLS,
          HTTP_PORT,
          STATE_DIR,
          RESTORE_FETCH_WAIT,
          VIEWS_URL,
          AUTH_INTERNAL_TOKEN,
          INSTANCE_ID);

  private CoreSettings() {}
}
