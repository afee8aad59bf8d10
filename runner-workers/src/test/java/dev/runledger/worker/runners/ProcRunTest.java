package dev.runledger.worker.runners;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.runledger.avro.AgentRunResult;
import dev.runledger.avro.MessageCompleted;
import dev.runledger.avro.MessageDelta;
import dev.runledger.avro.RunFailed;
import dev.runledger.schemas.config.LedgerConfig;
import dev.runledger.worker.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcRunTest {
  @TempDir Path dir;

  private static final String READ_START =
      "import json, sys\n"
          + "start = json.loads(sys.stdin.readline())\n"
          + "def out(m):\n"
          + "    print(json.dumps(m), flush=True)\n";

  @Test
  void shouldEmitResultsAndAnswerApiRequestsWhenTheRunnerSpeaksTheProtocol() throws Exception {
    // given
    final ProcRunner runner =
        runner(
            READ_START
                + "out({'type': 'api.request', 'id': 1, 'method': 'history_page', 'params': {'limit': 5}})\n"
                + "resp = json.loads(sys.stdin.readline())\n"
                + "out({'type': 'api.request', 'id': 'x', 'method': 'forbidden', 'params': {}})\n"
                + "denied = json.loads(sys.stdin.readline())\n"
                + "out({'type': 'state.updated', 'data': {'scope': 'conversation', 'key': 'k', 'value': 3}})\n"
                + "text = start['context']['input']['text'] + '/' + resp['result']['method'] + '/' + denied['error']['code'] + '/' + str(resp['id'])\n"
                + "out({'type': 'message.completed', 'data': {'message': {'role': 'assistant', 'content': text}}})\n"
                + "out({'type': 'run.completed', 'data': {'finish_reason': 'stop'}})\n",
            Map.of());
    final ProcSession session = new ProcSession();

    // when
    runner.run(Fixtures.context("run-1", "hello", "{}", Fixtures.NOW.plusSeconds(60)), session);

    // then
    assertThat(session.results)
        .extracting(AgentRunResult::getType)
        .containsExactly("message.completed", "run.completed");
    assertThat(((MessageCompleted) session.results.get(0).getPayload()).getMessage().getContent())
        .isEqualTo("hello/history_page/unauthorized/1");
    assertThat(session.calls)
        .containsExactly(
            "history_page {\"limit\":5}",
            "forbidden {}",
            "state_set {\"key\":\"k\",\"value\":3,\"scope\":\"conversation\"}");
  }

  @Test
  void shouldFailExitNonzeroWithRedactedStderrWhenTheRunnerExitsBadly() throws Exception {
    final ProcRunner runner =
        runner(
            READ_START
                + "import os\nsys.stderr.write('boom ' + os.environ['API_TOKEN'] + '\\n')\nsys.exit(3)\n",
            Map.of("secret.API_TOKEN", "s3cr3t-value"));
    final ProcSession session = new ProcSession();

    runner.run(context(), session);

    final RunFailed failed = failure(session);
    assertThat(failed.getCode()).isEqualTo("runner.exit_nonzero");
    assertThat(failed.getError())
        .contains("status 3")
        .contains("boom [REDACTED]")
        .doesNotContain("s3cr3t");
  }

  @Test
  void shouldRedactSecretsFromResultsBeforeTheyAreRecorded() throws Exception {
    final ProcRunner runner =
        runner(
            READ_START
                + "import os\n"
                + "out({'type': 'message.completed', 'data': {'message': {'role': 'assistant',"
                + " 'content': 'token is ' + os.environ['API_TOKEN']}}})\n"
                + "out({'type': 'run.completed', 'data': {'finish_reason': 'stop'}})\n",
            Map.of("secret.API_TOKEN", "s3cr3t-value"));
    final ProcSession session = new ProcSession();

    runner.run(context(), session);

    assertThat(((MessageCompleted) session.results.get(0).getPayload()).getMessage().getContent())
        .isEqualTo("token is [REDACTED]");
  }

  @Test
  void shouldRedactSecretsThatAreEscapedSplitAcrossDeltasOrBase64Encoded() throws Exception {
    // given a runner that hides its secret in JSON escapes, across two deltas, and in base64
    final ProcRunner runner =
        runner(
            READ_START
                + "import base64, os\n"
                + "secret = os.environ['API_TOKEN']\n"
                + "print(r'{\"type\": \"message.delta\", \"data\": {\"chunk\": {\"role\": \"assistant\","
                + " \"content\": \"a \\u0073\\u0033cr3t\\/value b ' + secret[:5] + '\"}}}', flush=True)\n"
                + "out({'type': 'message.delta', 'data': {'chunk': {'role': 'assistant', 'content': secret[5:] + ' c'}}})\n"
                + "out({'type': 'state.updated', 'data': {'scope': 'conversation', 'key': 'k',"
                + " 'value': base64.b64encode(secret.encode()).decode()}})\n"
                + "out({'type': 'run.completed', 'data': {'finish_reason': 'stop'}})\n",
            Map.of("secret.API_TOKEN", "s3cr3t/value"));
    final ProcSession session = new ProcSession();

    // when
    runner.run(context(), session);

    // then
    assertThat(
            session.results.stream()
                .filter(r -> r.getPayload() instanceof MessageDelta)
                .map(r -> ((MessageDelta) r.getPayload()).getChunk().getContent())
                .reduce("", String::concat))
        .isEqualTo("a [REDACTED] b [REDACTED] c");
    assertThat(session.calls)
        .singleElement()
        .asString()
        .startsWith("state_set")
        .contains(
            java.util.Base64.getEncoder()
                .encodeToString("[REDACTED]".getBytes(java.nio.charset.StandardCharsets.UTF_8)))
        .doesNotContain("czNjcjN0");
  }

  @Test
  void shouldFailBadOutputWhenNoLineIsAProtocolMessage() throws Exception {
    final ProcRunner runner =
        runner(
            READ_START + "print('hello world')\nprint('[1,2]')\nprint('{\"no\":1}')\n", Map.of());
    final ProcSession session = new ProcSession();

    runner.run(context(), session);

    assertThat(failure(session).getCode()).isEqualTo("runner.bad_output");
  }

  @Test
  void shouldFailOutputLimitAndKillTheRunnerWhenItFloodsStdout() throws Exception {
    final ProcRunner runner =
        runner(
            READ_START + "while True:\n    sys.stdout.write('x' * 65536)\n",
            Map.of("max_line_bytes", "100000"));
    final ProcSession session = new ProcSession();

    runner.run(context(), session);

    assertThat(failure(session).getCode()).isEqualTo("runner.output_limit");
  }

  @Test
  void shouldFailNoOutputWhenTheRunnerExitsCleanlyWithoutATerminal() throws Exception {
    final ProcRunner runner =
        runner(
            READ_START
                + "out({'type': 'message.delta', 'data': {'chunk': {'role': 'assistant', 'content': 'a'}}})\n",
            Map.of());
    final ProcSession session = new ProcSession();

    runner.run(context(), session);

    assertThat(session.results)
        .extracting(AgentRunResult::getType)
        .containsExactly("message.delta", "run.failed");
    assertThat(failure(session).getCode()).isEqualTo("no_output");
  }

  @Test
  void shouldPassOnlyAllowlistedEnvironmentAndFixedValues() throws Exception {
    final ProcRunner runner =
        runner(
            READ_START
                + "import os\n"
                + "names = sorted(k for k in os.environ if k not in ('PWD', 'SHLVL', '_', 'LC_CTYPE') and 'PYENV' not in k)\n"
                + "out({'type': 'run.completed', 'data': {'finish_reason': ','.join(names)}})\n",
            Map.of("setenv.GREETING", "hi", "env", "PATH"));
    final ProcSession session = new ProcSession();

    runner.run(context(), session);

    assertThat(session.terminal().getPayload().toString())
        .contains("GREETING,PATH,RUNLEDGER_ATTEMPT,RUNLEDGER_PROTOCOL,RUNLEDGER_RUN_ID");
  }

  @Test
  void shouldTellTheRunnerAboutSteeringAndCancelAndKillItsProcessGroup() throws Exception {
    // given a runner that reports steering.available, then ignores run.cancel with a child process
    final Path pidFile = dir.resolve("child.pid");
    final ProcRunner runner =
        runner(
            READ_START
                + "import subprocess\n"
                + "child = subprocess.Popen(['sleep', '300'])\n"
                + "open('"
                + pidFile
                + "', 'w').write(str(child.pid))\n"
                + "out({'type': 'message.delta', 'data': {'chunk': {'role': 'assistant', 'content': 'ready'}}})\n"
                + "for line in sys.stdin:\n"
                + "    m = json.loads(line)\n"
                + "    out({'type': 'message.delta', 'data': {'chunk': {'role': 'assistant', 'content': m['type']}}})\n",
            Map.of("cancel_grace_ms", "300"));
    final ProcSession session = new ProcSession();
    final CompletableFuture<Void> running =
        CompletableFuture.runAsync(
            () -> {
              try {
                runner.run(context(), session);
              } catch (final Exception e) {
                throw new IllegalStateException(e);
              }
            });
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> session.results.size() == 1 && Files.exists(pidFile));
    final long child = Long.parseLong(Files.readString(pidFile).strip());

    // when
    session.steer();
    await().atMost(Duration.ofSeconds(10)).until(() -> session.results.size() == 2);
    session.cancel();
    running.get(10, TimeUnit.SECONDS);

    // then
    assertThat(session.results)
        .extracting(r -> r.getPayload().toString())
        .anySatisfy(p -> assertThat(p).contains("steering.available"));
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> ProcessHandle.of(child).map(h -> !h.isAlive()).orElse(true));
  }

  @Test
  void shouldDeclareProcRunnersFromConfiguration() {
    final LedgerConfig config =
        LedgerConfig.of(
            Map.of(
                "worker.runners.proc.py-example.command", "python3 -u runner.py",
                "worker.runners.proc.py-example.capabilities", "streaming,steering",
                "worker.runners.proc.py-example.permissions",
                    "history:page,state:conversation,storage:plugin"));

    final List<dev.runledger.worker.spi.AgentRunner> runners =
        new ExternalRunnerProvider().runners(config);

    assertThat(runners)
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.manifest().getRunnerId()).isEqualTo("proc:py-example");
              assertThat(r.manifest().getPool()).isEqualTo("default");
              assertThat(r.manifest().getCapabilities().getSteering()).isTrue();
              assertThat(r.manifest().getPermissions().getState()).hasSize(1);
              assertThat(((ProcRunner) r).settings().command())
                  .containsExactly("python3", "-u", "runner.py");
            });
  }

  private ProcRunner runner(final String script, final Map<String, String> settings)
      throws IOException {
    final Path file = Files.createTempFile(dir, "runner", ".py");
    Files.writeString(file, script);
    final Map<String, String> keys = new java.util.HashMap<>();
    keys.put("worker.runners.proc.t.command", "python3 -u " + file);
    keys.put("worker.runners.proc.t.workdir", dir.resolve("work").toString());
    settings.forEach((k, v) -> keys.put("worker.runners.proc.t." + k, v));
    final RunnerDeclaration d =
        RunnerDeclaration.all(LedgerConfig.of(keys), "proc", "command").get(0);
    return new ProcRunner(d.manifest("t"), ProcRunnerSettings.from(d), System.getenv());
  }

  private static dev.runledger.avro.AgentRunContext context() {
    return Fixtures.context("run-1", "hello", "{}", Fixtures.NOW.plusSeconds(60));
  }

  private static RunFailed failure(final ProcSession session) {
    assertThat(session.terminal()).isNotNull();
    assertThat(session.terminal().getPayload()).isInstanceOf(RunFailed.class);
    return (RunFailed) session.terminal().getPayload();
  }
}
