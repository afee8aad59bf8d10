package dev.runledger.deploy.kafka;

import dev.runledger.schemas.config.ConfigException;
import dev.runledger.schemas.config.LedgerConfig;
import dev.runledger.schemas.config.TopicSettings;
import dev.runledger.schemas.topics.LedgerTopics;
import dev.runledger.schemas.topics.Topic;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.errors.InvalidReplicationFactorException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Creates the topics of the catalogue (ARCHITECTURE.md §2.1). */
public final class TopicAdmin {
  private static final Logger LOG = LoggerFactory.getLogger(TopicAdmin.class);
  private static final long TIMEOUT_SECONDS = 60;

  private TopicAdmin() {}

  /**
   * Creates every topic of {@code topics.all(config.pools())} with the configured partitions,
   * replication factor and each topic's own configs. Topics that already exist are left as they
   * are, so this is safe to run on every start.
   *
   * @return the topics this call created (not those that existed)
   * @throws ConfigException naming {@code topic.replication} when the cluster has fewer brokers
   */
  public static List<String> createAll(final LedgerConfig config, final LedgerTopics topics) {
    final TopicSettings settings = config.topicSettings();
    final List<NewTopic> wanted = new ArrayList<>();
    for (final Topic<?, ?> topic : topics.all(config.pools())) {
      wanted.add(
          new NewTopic(topic.name(), topic.partitions(), settings.replication())
              .configs(topic.configs()));
    }
    try (Admin admin = Admin.create(config.kafkaProperties())) {
      final Set<String> existing =
          admin.listTopics().names().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
      final List<NewTopic> missing =
          wanted.stream().filter(t -> !existing.contains(t.name())).toList();
      final Map<String, KafkaFuture<Void>> results = admin.createTopics(missing).values();
      final List<String> created = new ArrayList<>();
      for (final Map.Entry<String, KafkaFuture<Void>> result : results.entrySet()) {
        if (awaitCreated(result.getKey(), result.getValue())) {
          created.add(result.getKey());
        }
      }
      awaitLeaders(admin, created);
      LOG.info(
          "topics: {} created, {} already there", created.size(), wanted.size() - missing.size());
      return List.copyOf(created);
    } catch (final ExecutionException | TimeoutException e) {
      throw new IllegalStateException(
          "cannot list topics on " + config.get(LedgerConfig.BOOTSTRAP_SERVERS) + ": " + e, e);
    } catch (final InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating topics", e);
    }
  }

  /**
   * Waits until every partition of {@code names} has a leader in the broker's metadata. A topic is
   * "created" once the controller committed it, but a broker applies that a moment later; an
   * idempotent producer writing in that moment can have its first batch overtaken by its second and
   * then retried until it expires (KAFKA-15591, fixed after Kafka 4.3). Services start producing
   * right after this call, so it returns only once the brokers serve the partitions.
   */
  public static void awaitLeaders(final Admin admin, final Collection<String> names)
      throws InterruptedException, ExecutionException, TimeoutException {
    final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
    final Set<String> waiting = new TreeSet<>(names);
    while (!waiting.isEmpty()) {
      if (System.nanoTime() > deadline) {
        throw new TimeoutException("partitions without a leader after creation: " + waiting);
      }
      try {
        admin
            .describeTopics(waiting)
            .allTopicNames()
            .get(TIMEOUT_SECONDS, TimeUnit.SECONDS)
            .forEach(
                (name, description) -> {
                  if (description.partitions().stream()
                      .allMatch(p -> p.leader() != null && !p.leader().isEmpty())) {
                    waiting.remove(name);
                  }
                });
      } catch (final ExecutionException e) {
        if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
          throw e;
        }
      }
      if (!waiting.isEmpty()) {
        Thread.sleep(50);
      }
    }
  }

  private static boolean awaitCreated(final String name, final KafkaFuture<Void> future)
      throws InterruptedException, TimeoutException {
    try {
      future.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
      return true;
    } catch (final ExecutionException e) {
      if (e.getCause() instanceof TopicExistsException) {
        return false;
      }
      if (e.getCause() instanceof InvalidReplicationFactorException) {
        throw new ConfigException(
            LedgerConfig.TOPIC_REPLICATION,
            "cannot create topic "
                + name
                + ": the cluster has fewer brokers than topic.replication ("
                + e.getCause().getMessage()
                + "); lower topic.replication, e.g. --set topic.replication=1 for a single broker");
      }
      throw new IllegalStateException(
          "cannot create topic " + name + ": " + e.getCause().getMessage(), e.getCause());
    }
  }
}
