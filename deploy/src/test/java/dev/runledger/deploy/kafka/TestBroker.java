package dev.runledger.deploy.kafka;

/**
 * The Kafka broker the tests share ({@link KafkaExtension}): the embedded KRaft broker, or a Kafka
 * container when a Docker engine answers ({@link BrokerKind}).
 */
public interface TestBroker extends AutoCloseable {
  /** {@code host:port} of its client listener. */
  String bootstrapServers();

  /** Stops it. */
  @Override
  void close();
}
