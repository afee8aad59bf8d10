package dev.runledger.deploy.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.runledger.deploy.kafka.TopicAdmin;
import dev.runledger.schemas.config.LedgerConfig;
import dev.runledger.schemas.config.TopicSettings;
import dev.runledger.schemas.json.AvroJson;
import dev.runledger.schemas.topics.LedgerTopics;
import dev.runledger.schemas.topics.Topic;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.kafka.common.config.TopicConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code ledger topics create}. */
@Command(
    name = "topics",
    mixinStandardHelpOptions = true,
    description = "Manage runledger's topics.",
    subcommands = TopicsCommand.Create.class)
final class TopicsCommand extends CommandGroup {

  /** Creates every topic of the catalogue that does not exist yet. */
  @Command(
      name = "create",
      mixinStandardHelpOptions = true,
      description =
          "Create every runledger topic (ARCHITECTURE.md §2.1) with its cleanup policy, the configured"
              + " partitions and replication factor; existing topics are left as they are.")
  static final class Create implements Callable<Integer> {
    @Mixin ConfigOptions config;

    @Mixin OutputOptions output;

    @Override
    public Integer call() {
      final LedgerConfig settings = config.load();
      final LedgerTopics topics = LedgerTopics.create(settings);
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
      output.printer().records(rows, RunTables.TOPICS);
      return 0;
    }
  }
}
