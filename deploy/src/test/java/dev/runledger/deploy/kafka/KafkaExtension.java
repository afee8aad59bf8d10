package dev.runledger.deploy.kafka;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * One embedded broker for the whole test JVM: started by the first test class that uses this
 * extension, stopped when the JUnit run ends. Test classes share it, so each one uses its own topic
 * prefix and state directory.
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
    return parameter.getParameter().getType() == EmbeddedKafka.class;
  }

  @Override
  public Object resolveParameter(final ParameterContext parameter, final ExtensionContext context) {
    return broker(context);
  }

  /** The shared broker, started on first use. */
  public static EmbeddedKafka broker(final ExtensionContext context) {
    return context
        .getRoot()
        .getStore(NAMESPACE)
        .getOrComputeIfAbsent("broker", key -> new SharedBroker(), SharedBroker.class)
        .kafka();
  }

  /** Closed by JUnit when the root context closes, i.e. after the last test. */
  private static final class SharedBroker implements AutoCloseable {
    private final EmbeddedKafka kafka = EmbeddedKafka.inTempDir().start();

    EmbeddedKafka kafka() {
      return kafka;
    }

    @Override
    public void close() {
      kafka.close();
    }
  }
}
