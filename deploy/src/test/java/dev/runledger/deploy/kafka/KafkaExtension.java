package dev.runledger.deploy.kafka;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * One broker for the whole test JVM: started by the first test class that uses this extension,
 * stopped when the JUnit run ends. Test classes share it, so each one uses its own topic prefix and
 * state directory. It is the embedded broker, or a Kafka container when a Docker engine answers
 * ({@link BrokerKind}, {@code -Drunledger.test.broker=embedded|testcontainers|auto}). A parameter
 * of type {@link TestBroker} gets it; one of type {@link EmbeddedKafka} (a test of the embedded
 * broker itself) gets it when it is the embedded one, else an embedded broker of its own.
 */
public final class KafkaExtension implements BeforeAllCallback, ParameterResolver {
  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(KafkaExtension.class);

  @Override
  public void beforeAll(final ExtensionContext context) {
    broker(context);
  }

  @Override
  public boolean supportsParameter(
      final ParameterContext parameter, final ExtensionContext context) {
    final Class<?> type = parameter.getParameter().getType();
    return type == TestBroker.class || type == EmbeddedKafka.class;
  }

  @Override
  public Object resolveParameter(final ParameterContext parameter, final ExtensionContext context) {
    return parameter.getParameter().getType() == EmbeddedKafka.class
        ? embedded(context)
        : broker(context);
  }

  /** The shared broker, started on first use; JUnit closes it when the root context closes. */
  public static TestBroker broker(final ExtensionContext context) {
    return store(context)
        .getOrComputeIfAbsent(
            "broker", key -> BrokerKind.fromSystemProperty().start(), TestBroker.class);
  }

  /** The shared broker when it is embedded, else an embedded broker started for these tests. */
  static EmbeddedKafka embedded(final ExtensionContext context) {
    if (broker(context) instanceof BrokerKind.EmbeddedBroker shared) {
      return shared.kafka();
    }
    return store(context)
        .getOrComputeIfAbsent(
            "embedded", key -> BrokerKind.EmbeddedBroker.started(), BrokerKind.EmbeddedBroker.class)
        .kafka();
  }

  private static ExtensionContext.Store store(final ExtensionContext context) {
    return context.getRoot().getStore(NAMESPACE);
  }
}
