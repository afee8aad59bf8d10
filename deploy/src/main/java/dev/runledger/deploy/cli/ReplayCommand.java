package dev.runledger.deploy.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.runledger.avro.LedgerRecord;
import dev.runledger.avro.RunCreated;
import dev.runledger.projections.fold.RecordTypes;
import dev.runledger.projections.tools.LedgerTools;
import dev.runledger.projections.tools.TopicScan;
import dev.runledger.schemas.config.LedgerConfig;
import dev.runledger.schemas.json.AvroJson;
import dev.runledger.schemas.topics.LedgerTopics;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ledger replay}: print the ledger itself. */
@Command(
    name = "replay",
    mixinStandardHelpOptions = true,
    description =
        "Read the run ledger topic itself (not the views) from the beginning or a time and print"
            + " its records as text or JSON lines, filtered by run, conversation or time.")
final class ReplayCommand implements Callable<Integer> {
  @Mixin ConfigOptions config;

  @Option(names = "--run", description = "Only this run.")
  String runId;

  @Option(names = "--conversation", description = "Only runs of this conversation id.")
  String conversationId;

  @Option(
      names = "--from",
      description = "Start at this time (ISO-8601, e.g. 2026-01-01T00:00:00Z).")
  Instant from;

  @Option(names = "--until", description = "Stop printing after this time (ISO-8601).")
  Instant until;

  @Option(names = "--jsonl", description = "One JSON object per line instead of text.")
  boolean jsonl;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    final LedgerConfig settings = config.load();
    final LedgerTopics topics = LedgerTopics.create(settings);
    final PrintWriter out = spec.commandLine().getOut();
    final Map<String, String> conversations = new HashMap<>();
    try (ScanProgress progress = new ScanProgress("replay")) {
      new TopicScan(settings)
          .scan(
              topics.runLedger().name(),
              from,
              progress,
              r -> {
                final Optional<Optional<LedgerRecord>> decoded =
                    LedgerTools.decode(topics.runLedger(), r);
                final String key = LedgerTools.key(r);
                if (decoded.isEmpty()) {
                  out.println(marker("undecodable", key, r.partition(), r.offset()));
                  return;
                }
                if (decoded.get().isEmpty()) {
                  if (runId == null || runId.equals(key)) {
                    out.println(marker("run.removed", key, r.partition(), r.offset()));
                  }
                  return;
                }
                final LedgerRecord record = decoded.get().get();
                if (record.getBody() instanceof RunCreated created
                    && created.getConversationId() != null) {
                  conversations.put(record.getRunId(), created.getConversationId());
                }
                if (matches(record, conversations)) {
                  out.println(jsonl ? json(record, r.partition(), r.offset()) : text(record));
                }
              });
    }
    out.flush();
    return 0;
  }

  private boolean matches(final LedgerRecord record, final Map<String, String> conversations) {
    return (runId == null || runId.equals(record.getRunId()))
        && (conversationId == null || conversationId.equals(conversations.get(record.getRunId())))
        && (until == null || !record.getTimestamp().isAfter(until));
  }

  /** A line for what is not a ledger record: a cleanup tombstone or undecodable bytes. */
  private String marker(final String what, final String key, final int partition, final long at) {
    if (!jsonl) {
      return "# " + what + " run=" + key + " at " + partition + "@" + at;
    }
    final ObjectNode line = AvroJson.mapper().createObjectNode();
    line.put("partition", partition);
    line.put("offset", at);
    line.put("run_id", key);
    line.put("type", what);
    return line.toString();
  }

  private static String text(final LedgerRecord record) {
    return record.getTimestamp()
        + "  "
        + record.getRunId()
        + "  a"
        + record.getAttempt()
        + "#"
        + record.getSequence()
        + "  "
        + RecordTypes.typeOf(record)
        + "  "
        + RecordTypes.dataJsonOf(record);
  }

  private static String json(final LedgerRecord record, final int partition, final long offset) {
    final ObjectNode line = AvroJson.mapper().createObjectNode();
    line.put("partition", partition);
    line.put("offset", offset);
    line.put("run_id", record.getRunId());
    line.put("attempt", record.getAttempt());
    line.put("sequence", record.getSequence());
    line.put("timestamp", record.getTimestamp().toEpochMilli());
    line.put("producer", record.getProducer());
    line.put("type", RecordTypes.typeOf(record));
    line.set("data", AvroJson.parse(RecordTypes.dataJsonOf(record), "data"));
    return line.toString();
  }
}
