package dev.runledger.deploy.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.runledger.deploy.DevStack;
import dev.runledger.deploy.harness.Binding;
import dev.runledger.deploy.harness.StackBuilder;
import dev.runledger.deploy.harness.TestApi;
import dev.runledger.deploy.harness.TestStack;
import dev.runledger.deploy.http.HttpServerSettings;
import dev.runledger.deploy.http.TokenFile;
import dev.runledger.schemas.http.ApiPaths;
import dev.runledger.schemas.http.Caller;
import dev.runledger.schemas.json.AvroJson;
import dev.runledger.schemas.metrics.LedgerMeters;
import dev.runledger.worker.builtin.ScenarioRunner;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The run metrics of README "Metrics" on a real stack: a run that completes, one that fails with a
 * code after a denied host-API call, a request refused 401 and a record dead-lettered each move
 * their series on {@code GET /metrics} by exactly what they did, with the right labels; the gauges
 * (worker slots, share-group lag, consumer lag) are there too. The stack is one process, so one
 * {@code /metrics} shows every service's series.
 */
class MetricsEndToEndTest {
  private static final String TOKEN = TokenFile.newToken();
  private static final String ECHO_WORKSPACE = "w-metrics-echo";
  private static final String FAIL_WORKSPACE = "w-metrics-fail";
  private static final String FAILURE_CODE = "metrics.boom";

  @RegisterExtension
  static final TestStack STACK =
      StackBuilder.named("metrics")
          .set(HttpServerSettings.TOKENS_FILE.key(), tokensFile().toString())
          .awaitRunner(DevStack.ECHO_RUNNER)
          .awaitRunner(ScenarioRunner.RUNNER_ID)
          .build();

  private final TestApi api = STACK.api().as(TOKEN);
  private final DevStack stack = STACK.stack();

  @Test
  void shouldCountRunsDecisionsDenialsAndDeadLettersOnMetrics() throws Exception {
    // given both bindings read, their probe runs ended, and the series as they are now
    api.bind("metrics-echo", Binding.of(ECHO_WORKSPACE, DevStack.ECHO_RUNNER).priority(0));
    api.bind(
        "metrics-fail",
        Binding.of(FAIL_WORKSPACE, ScenarioRunner.RUNNER_ID)
            .priority(0)
            .resourcePolicy(TestApi.json("{}"))
            .config(failingScript()));
    awaitProbeRunEnded(ECHO_WORKSPACE);
    awaitProbeRunEnded(FAIL_WORKSPACE);
    final Scrape before = scrape();
    final String hostEvents = stack.topics().hostEvents().name();
    final String echo = DevStack.ECHO_RUNNER;
    final String scenario = ScenarioRunner.RUNNER_ID;

    // when one run completes, one fails with a code, a request has no token, garbage is ingested
    final String completed = api.runOf(api.send(ECHO_WORKSPACE, "c-ok", "hello"));
    final String failed = api.runOf(api.send(FAIL_WORKSPACE, "c-fail", "hello"));
    assertThat(api.awaitStatus(completed, "completed").path("status").asText())
        .isEqualTo("completed");
    assertThat(api.awaitStatus(failed, "failed").at("/error/code").asText())
        .isEqualTo(FAILURE_CODE);
    assertThat(STACK.api().as(null).client().get(ApiPaths.runs(ECHO_WORKSPACE)).status())
        .isEqualTo(401);
    writeGarbage(hostEvents);

    // then each series moved by exactly that, with its labels
    final Map<String, Double> expected = new LinkedHashMap<>();
    expected.put(series("runledger_events_received_total"), 2.0);
    expected.put(
        series("runledger_events_decided_total", "decision", "run_created", "reason", "none"), 2.0);
    expected.put(series("runledger_created_runs_total", "pool", "default"), 2.0);
    expected.put(series("runledger_runs_started_total", "runner", echo), 1.0);
    expected.put(series("runledger_runs_started_total", "runner", scenario), 1.0);
    expected.put(
        series("runledger_runs_ended_total", "code", "none", "runner", echo, "status", "completed"),
        1.0);
    expected.put(
        series(
            "runledger_runs_ended_total",
            "code",
            FAILURE_CODE,
            "runner",
            scenario,
            "status",
            "failed"),
        1.0);
    expected.put(
        series("runledger_run_duration_seconds_count", "runner", echo, "status", "completed"), 1.0);
    expected.put(
        series("runledger_run_duration_seconds_count", "runner", scenario, "status", "failed"),
        1.0);
    expected.put(
        series("runledger_run_event_to_terminal_seconds_count", "status", "completed"), 1.0);
    expected.put(series("runledger_run_event_to_terminal_seconds_count", "status", "failed"), 1.0);
    expected.put(
        series("runledger_host_api_calls_total", "method", "history_page", "outcome", "denied"),
        1.0);
    // the orchestrator and the projections both read host-events, and each dead-letters it
    expected.put(series("runledger_dlq_records_total", "topic", hostEvents), 2.0);
    expected.put(
        series("runledger_http_auth_denied_total", "reason", "missing_token", "status", "401"),
        1.0);
    await()
        .atMost(TestApi.WAIT)
        .untilAsserted(
            () -> {
              final Scrape after = scrape();
              final Map<String, Double> moved = new LinkedHashMap<>();
              expected.keySet().forEach(s -> moved.put(s, after.sum(s) - before.sum(s)));
              assertThat(moved).isEqualTo(expected);
            });

    // and the histograms have their buckets, the gauges their labels
    final Scrape now = scrape();
    assertThat(
            now.sum(
                series(
                    "runledger_run_duration_seconds_bucket",
                    "le",
                    "+Inf",
                    "runner",
                    echo,
                    "status",
                    "completed")))
        .isGreaterThanOrEqualTo(1.0);
    final String worker = stack.worker().workerId();
    await()
        .atMost(TestApi.WAIT)
        .untilAsserted(
            () -> {
              final Scrape idle = scrape();
              assertThat(
                      idle.sum(
                          series(
                              "runledger_worker_runs_in_flight",
                              "pool",
                              "default",
                              "worker",
                              worker)))
                  .isZero();
              assertThat(
                      idle.sum(
                          series(
                              "runledger_worker_slots_free", "pool", "default", "worker", worker)))
                  .isEqualTo(stack.worker().settings().slots());
              assertThat(
                      idle.sum(
                          series(
                              "runledger_worker_share_group_lag",
                              "topic",
                              stack.topics().runCommands("default").name())))
                  .isZero();
            });
    await()
        .atMost(TestApi.WAIT)
        .untilAsserted(
            () -> {
              final Scrape kafka = scrape();
              for (final String service : List.of("orchestrator", "projections", "worker")) {
                assertThat(
                        kafka.has(
                            series(
                                "kafka_consumer_fetch_manager_records_lag_max",
                                "service",
                                service)))
                    .as("records-lag-max of %s", service)
                    .isTrue();
              }
              assertThat(
                      kafka.has(
                          series(
                              "kafka_consumer_fetch_manager_records_lag",
                              "service",
                              "orchestrator",
                              "topic",
                              hostEvents)))
                  .isTrue();
            });
    assertThat(now.sum(series("runledger_service_up", "service", "worker"))).isEqualTo(1.0);
    // and every meter LedgerMeters names is on the page (refusals at the worker's endpoint for
    // http: runners only once one happened; HostApiEndpointTest counts them)
    final Scrape page = scrape();
    for (final LedgerMeters.Meter meter : LedgerMeters.ALL) {
      if (!meter.name().equals(LedgerMeters.HOST_API_REFUSED)) {
        assertThat(meter.series())
            .as("a series of %s on /metrics", meter.name())
            .anyMatch(name -> page.has(series(name)));
      }
    }
  }

  /** Sends probe events until the workspace's binding is read, then waits for the probe's run. */
  private void awaitProbeRunEnded(final String workspace) {
    final JsonNode decision = api.awaitBinding(workspace, "probe");
    assertThat(decision.path("decision").asText()).isEqualTo("run_created");
    api.awaitRun(decision.path("run_id").asText(), TestApi::terminal);
  }

  /** A denied host-API call, then a failure with {@link #FAILURE_CODE}. */
  private static JsonNode failingScript() {
    final ObjectNode config = AvroJson.mapper().createObjectNode();
    final ArrayNode steps = config.putArray("steps");
    final ObjectNode call = steps.addObject();
    call.putObject("call").put("method", "history_page").putObject("params").put("limit", 10);
    call.put("expect", "unauthorized");
    steps.addObject().putObject("fail").put("code", FAILURE_CODE).put("error", "failed on purpose");
    return config;
  }

  private void writeGarbage(final String topic) throws Exception {
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(
            Map.of("bootstrap.servers", stack.bootstrapServers()),
            new ByteArraySerializer(),
            new ByteArraySerializer())) {
      producer
          .send(
              new ProducerRecord<>(
                  topic,
                  (ECHO_WORKSPACE + "//c-garbage/").getBytes(StandardCharsets.UTF_8),
                  ("not an avro record " + UUID.randomUUID()).getBytes(StandardCharsets.UTF_8)))
          .get();
    }
  }

  private Scrape scrape() {
    final var response = api.client().get(ApiPaths.METRICS);
    assertThat(response.status()).isEqualTo(200);
    return new Scrape(response.body().asText());
  }

  /** {@code name{k1="v1",…}}: a series by name and some of its labels, in any order. */
  private static String series(final String name, final String... labels) {
    final StringBuilder text = new StringBuilder(name).append('{');
    for (int i = 0; i < labels.length; i += 2) {
      text.append(i == 0 ? "" : ",")
          .append(labels[i])
          .append("=\"")
          .append(labels[i + 1])
          .append('"');
    }
    return text.append('}').toString();
  }

  /** One scrape of the Prometheus text format. */
  private record Scrape(String text) {
    private static final Pattern LINE = Pattern.compile("^([a-zA-Z_:][\\w:]*)(\\{(.*)})? (\\S+)$");
    private static final Pattern LABEL = Pattern.compile("(\\w+)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    /** The sum of every sample of the series' name that has all its labels; 0 when none. */
    double sum(final String series) {
      return samples(series).stream().mapToDouble(Double::doubleValue).sum();
    }

    boolean has(final String series) {
      return !samples(series).isEmpty();
    }

    private List<Double> samples(final String series) {
      final String name = series.substring(0, series.indexOf('{'));
      final Map<String, String> wanted = labels(series.substring(series.indexOf('{') + 1));
      return text.lines()
          .map(LINE::matcher)
          .filter(m -> m.matches() && m.group(1).equals(name))
          .filter(
              m ->
                  labels(m.group(3) == null ? "" : m.group(3))
                      .entrySet()
                      .containsAll(wanted.entrySet()))
          .map(m -> Double.parseDouble(m.group(4)))
          .toList();
    }

    private static Map<String, String> labels(final String text) {
      final Map<String, String> labels = new LinkedHashMap<>();
      final Matcher m = LABEL.matcher(text);
      while (m.find()) {
        labels.put(m.group(1), m.group(2));
      }
      return labels;
    }
  }

  private static Path tokensFile() {
    try {
      final Path file = Files.createTempFile("runledger-metrics-tokens", ".yaml");
      Files.delete(file);
      file.toFile().deleteOnExit();
      TokenFile.append(
          file,
          new TokenFile.Entry(
              "metrics-admin", TokenFile.sha256(TOKEN), Caller.Role.ADMIN, List.of(Caller.ALL)));
      return file;
    } catch (final IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
