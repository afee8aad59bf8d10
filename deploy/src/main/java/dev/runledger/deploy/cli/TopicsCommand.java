package dev.runledger.deploy.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.runledger.deploy.kafka.TopicAdmin;
import dev.runledger.schemas.config.LedgerConfig;
import dev.runledger.schemas.config.TopicSettings;
import dev.runledger.schemas.json.AvroJson;
import dev.runledger.schemas.serde.LedgerSerdes;
import dev.runledger.schemas.topics.LedgerTopics;
import dev.runledger.schemas.topics.Topic;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.common.config.TopicConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ledger topics create}. */
@Command(
    name = "topics",
    mixinStandardHelpOptions = true,
    description = "Manage runledger's topics.",
    subcommands = TopicsCommand.Create.class)
public final class TopicsCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** Creates every topic of the catalogue that does not exist yet. */
  @Command(
      name = "create",
      mixinStandardHelpOptions = true,
      description =
          "Create every runledger topic (SPEC §8.1) with its cleanup policy, the configured"
              + " partitions and replication factor; existing topics are left as they are.")
  public static final class Create implements Callable<Integer> {
    @Mixin ConfigOptions config;

    @Option(
        names = {"-o", "--output"},
        description = "json, yaml or table (default ${DEFAULT-VALUE}).",
        defaultValue = "table")
    OutputFormat output;

    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      final LedgerConfig settings = config.load(Map.of());
      final LedgerTopics topics =
          LedgerTopics.create(settings.topicSettings(), LedgerSerdes.singleObject());
      final List<String> created = TopicAdmin.createAll(settings, topics);
      final TopicSettings shape = settings.topicSettings();
      final List<JsonNode> rows = new ArrayList<>();
      for (final Topic<?, ?> topic : topics.all(settings.pools())) {
        final ObjectNode row = AvroJson.mapper().createObjectNode();
        row.put("topic", topic.name());
        row.put("cleanup_policy", topic.configs().get(TopicConfig.CLEANUP_POLICY_CONFIG));
        row.put("partitions", topic.partitions());
        row.put("replication", shape.replication());
        row.put("status", created.contains(topic.name()) ? "created" : "exists");
        rows.add(row);
      }
      new Printer(spec.commandLine().getOut(), output)
          .records(
              rows,
              List.of(
                  new Printer.Column("TOPIC", "/topic"),
                  new Printer.Column("CLEANUP", "/cleanup_policy"),
                  new Printer.Column("PARTITIONS", "/partitions"),
                  new Printer.Column("REPLICATION", "/replication"),
                  new Printer.Column("STATUS", "/status")));
      return 0;
    }
  }
}
