package dev.runledger.deploy.kafka;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The server.properties of the embedded single-node KRaft broker. */
final class BrokerSettings {
  private BrokerSettings() {}

  /**
   * A combined broker and controller that is the single voter of its own quorum (formatted with
   * {@code --standalone}), listening on {@code host} only, with the {@link #singleNode} settings.
   */
  static Map<String, String> standalone(
      final String host, final int brokerPort, final int controllerPort, final Path logDir) {
    final Map<String, String> props = new TreeMap<>(singleNode());
    props.put("process.roles", "broker,controller");
    props.put("node.id", "1");
    props.put("controller.quorum.bootstrap.servers", host + ":" + controllerPort);
    props.put(
        "listeners",
        "PLAINTEXT://" + host + ":" + brokerPort + ",CONTROLLER://" + host + ":" + controllerPort);
    props.put("advertised.listeners", "PLAINTEXT://" + host + ":" + brokerPort);
    props.put("controller.listener.names", "CONTROLLER");
    props.put("inter.broker.listener.name", "PLAINTEXT");
    props.put("listener.security.protocol.map", "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT");
    props.put("log.dirs", logDir.toAbsolutePath().toString());
    return props;
  }

  /**
   * What a one-node cluster needs whoever starts it (the embedded broker, or a Kafka container in
   * the tests), apart from its roles, listeners and directories.
   */
  static Map<String, String> singleNode() {
    final Map<String, String> props = new TreeMap<>();
    props.put("num.partitions", "1");
    // One node: every internal topic has one replica.
    props.put("offsets.topic.replication.factor", "1");
    props.put("offsets.topic.num.partitions", "6");
    for (final String log : List.of("transaction.state.log", "share.coordinator.state.topic")) {
      props.put(log + ".replication.factor", "1");
      props.put(log + ".min.isr", "1");
      props.put(log + ".num.partitions", "6");
    }
    props.put("default.replication.factor", "1");
    props.put("min.insync.replicas", "1");
    // Groups start at once instead of waiting for more members (tests and dev start one of each).
    props.put("group.initial.rebalance.delay.ms", "0");
    // Topics come from the catalogue only, so a typo fails loudly instead of creating a topic.
    props.put("auto.create.topics.enable", "false");
    props.put("log.segment.bytes", Integer.toString(64 * 1024 * 1024));
    props.put("num.network.threads", "2");
    props.put("num.io.threads", "4");
    return props;
  }
}
