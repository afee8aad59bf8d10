package dev.runledger.deploy.kafka;

import java.util.Locale;
import java.util.function.BooleanSupplier;

/**
 * Which broker the tests share, chosen by the system property {@value #PROPERTY}: {@code auto} (the
 * default) takes a Kafka container when a Docker engine answers and the embedded broker otherwise,
 * {@code embedded} and {@code testcontainers} force one.
 */
enum BrokerKind {
  /** The embedded single-node KRaft broker ({@link EmbeddedKafka}), in a child JVM. */
  EMBEDDED {
    @Override
    TestBroker start() {
      return EmbeddedBroker.started();
    }
  },
  /** An {@code apache/kafka} container ({@link KafkaContainerBroker}). */
  TESTCONTAINERS {
    @Override
    TestBroker start() {
      return new KafkaContainerBroker();
    }
  };

  static final String PROPERTY = "runledger.test.broker";

  /** Starts a broker of this kind. */
  abstract TestBroker start();

  /** The kind the system property asks for, asking {@link DockerProbe} only when it must. */
  static BrokerKind fromSystemProperty() {
    return choose(System.getProperty(PROPERTY), DockerProbe::answers);
  }

  /**
   * The kind for {@code value} of {@value #PROPERTY} (null or blank is {@code auto}); {@code
   * docker} says whether a Docker engine answers and is asked only for {@code auto} and {@code
   * testcontainers}.
   *
   * @throws IllegalStateException for {@code testcontainers} when no Docker engine answers
   * @throws IllegalArgumentException for any other value
   */
  static BrokerKind choose(final String value, final BooleanSupplier docker) {
    final String wanted =
        value == null || value.isBlank() ? "auto" : value.strip().toLowerCase(Locale.ROOT);
    return switch (wanted) {
      case "embedded" -> EMBEDDED;
      case "auto" -> docker.getAsBoolean() ? TESTCONTAINERS : EMBEDDED;
      case "testcontainers" -> {
        if (!docker.getAsBoolean()) {
          throw new IllegalStateException(
              "-D"
                  + PROPERTY
                  + "=testcontainers, but no Docker engine answers; start one (or set"
                  + " DOCKER_HOST), or run with -D"
                  + PROPERTY
                  + "=embedded");
        }
        yield TESTCONTAINERS;
      }
      default ->
          throw new IllegalArgumentException(
              "-D" + PROPERTY + " must be embedded, testcontainers or auto, got '" + value + "'");
    };
  }

  /** The embedded broker as a {@link TestBroker}. */
  record EmbeddedBroker(EmbeddedKafka kafka) implements TestBroker {
    /** A started embedded broker in a temporary directory. */
    static EmbeddedBroker started() {
      return new EmbeddedBroker(EmbeddedKafka.inTempDir().start());
    }

    @Override
    public String bootstrapServers() {
      return kafka.bootstrapServers();
    }

    @Override
    public void close() {
      kafka.close();
    }
  }
}
