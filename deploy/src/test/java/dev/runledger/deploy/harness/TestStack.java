package dev.runledger.deploy.harness;

import dev.runledger.deploy.DevStack;
import dev.runledger.deploy.Directories;
import dev.runledger.deploy.kafka.KafkaExtension;
import dev.runledger.schemas.config.LedgerConfig;
import dev.runledger.schemas.topics.LedgerTopics;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterTestExecutionCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.LoggerFactory;

/**
 * One {@link DevStack} for a test class, on the shared broker ({@link KafkaExtension}), with a
 * temporary directory of its own (state under {@code state/}; kept when a test failed, for its
 * logs). Register it on a static field:
 *
 * <pre>{@code
 * @RegisterExtension
 * static final TestStack STACK = StackBuilder.named("pipeline").awaitRunner(ECHO_RUNNER).build();
 * }</pre>
 *
 * <p>It starts before the class's {@code @BeforeAll} methods and stops after its {@code @AfterAll}
 * methods.
 */
public final class TestStack
    implements BeforeAllCallback, AfterTestExecutionCallback, AfterAllCallback {
  private final StackBuilder builder;
  private Path dir;
  private DevStack stack;
  private TestApi api;
  private boolean failed;

  TestStack(final StackBuilder builder) {
    this.builder = builder;
  }

  @Override
  public void beforeAll(final ExtensionContext context) {
    dir = Directories.temporary("runledger-" + builder.name());
    stack = DevStack.start(builder.config(KafkaExtension.broker(context), dir.resolve("state")));
    api = new TestApi(stack);
    builder.runners().forEach(runner -> stack.awaitRunner(runner, TestApi.WAIT));
  }

  @Override
  public void afterTestExecution(final ExtensionContext context) {
    failed |= context.getExecutionException().isPresent();
  }

  @Override
  public void afterAll(final ExtensionContext context) {
    try {
      if (stack != null) {
        stack.close();
      }
    } finally {
      if (dir != null) {
        if (failed || context.getExecutionException().isPresent()) {
          LoggerFactory.getLogger(TestStack.class).warn("a test failed; kept {}", dir);
        } else {
          Directories.deleteRecursively(dir);
        }
      }
    }
  }

  public DevStack stack() {
    return stack;
  }

  public TestApi api() {
    return api;
  }

  public LedgerConfig config() {
    return stack.config();
  }

  public LedgerTopics topics() {
    return stack.topics();
  }

  /** The stack's topic prefix. */
  public String prefix() {
    return config().get(LedgerConfig.TOPIC_PREFIX);
  }

  /** The stack's own temporary directory (its state is in {@code state/}). */
  public Path dir() {
    return dir;
  }

  /** {@code --bootstrap-servers … --set topic.prefix=…}: a CLI command on this stack's topics. */
  public List<String> kafkaArgs() {
    return List.of(
        "--bootstrap-servers", stack.bootstrapServers(), "--set", "topic.prefix=" + prefix());
  }
}
