package dev.runledger.deploy.kafka;

import java.util.Locale;
import org.apache.kafka.common.utils.AppInfoParser;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * A single-node KRaft broker in an {@code apache/kafka} container, of the Kafka version on our
 * classpath unless {@value #IMAGE_PROPERTY} names another image, configured like the embedded
 * broker ({@link BrokerSettings#singleNode}).
 */
final class KafkaContainerBroker implements TestBroker {
  static final String IMAGE_PROPERTY = "runledger.test.kafka.image";
  private static final Logger LOG = LoggerFactory.getLogger(KafkaContainerBroker.class);

  private final KafkaContainer container;

  KafkaContainerBroker() {
    final String image =
        System.getProperty(IMAGE_PROPERTY, "apache/kafka:" + AppInfoParser.getVersion());
    container = new KafkaContainer(DockerImageName.parse(image));
    BrokerSettings.singleNode().forEach((key, value) -> container.withEnv(envName(key), value));
    container.start();
    LOG.info("Kafka container {} on {}", image, bootstrapServers());
  }

  /** The apache/kafka image's environment variable for a broker setting. */
  static String envName(final String key) {
    return "KAFKA_" + key.toUpperCase(Locale.ROOT).replace('.', '_');
  }

  @Override
  public String bootstrapServers() {
    return container.getBootstrapServers();
  }

  @Override
  public void close() {
    container.stop();
  }
}
