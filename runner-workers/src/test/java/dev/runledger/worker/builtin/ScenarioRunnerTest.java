package dev.runledger.worker.builtin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runledger.avro.ActionRequested;
import dev.runledger.avro.AgentRunResult;
import dev.runledger.avro.MessageDelta;
import dev.runledger.avro.RunCompleted;
import dev.runledger.avro.RunFailed;
import dev.runledger.avro.StateUpdated;
import dev.runledger.avro.UnknownResult;
import dev.runledger.schemas.json.AvroJson;
import dev.runledger.worker.Fixtures;
import dev.runledger.worker.spi.AgentApiException;
import dev.runledger.worker.spi.Results;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ScenarioRunnerTest {
  private final ScenarioRunner runner = new ScenarioRunner("test");

  @Test
  void shouldEmitEveryScriptedResultAndCompleteWhenTheStepsRunOut() throws Exception {
    // given
    final FakeSession session = new FakeSession();
    final String script =
        """
        {"steps":[
          {"emit":{"type":"message.delta","data":{"chunk":{"role":"assistant","content":"hi"}}}},
          {"emit":{"type":"state.updated","data":{"scope":"conversation","scope_id":"c1","key":"k","value":{"a":1}}}},
          {"emit":{"type":"custom.thing","data":{"x":1}}},
          {"sleep_ms":1}
        ]}""";

    // when
    runner.run(context(script), session);

    // then
    final List<AgentRunResult> results = session.results();
    assertThat(results)
        .extracting(AgentRunResult::getType)
        .containsExactly("message.delta", "state.updated", "custom.thing", "run.completed");
    assertThat(((MessageDelta) results.get(0).getPayload()).getChunk().getContent())
        .isEqualTo("hi");
    assertThat(((StateUpdated) results.get(1).getPayload()).getValueJson()).isEqualTo("{\"a\":1}");
    assertThat(results.get(2).getPayload()).isInstanceOf(UnknownResult.class);
    assertThat(results.get(3).getPayload()).isInstanceOf(RunCompleted.class);
  }

  @Test
  void shouldRecordEachCallOutcomeAndFailWhenAnOutcomeIsUnexpected() throws Exception {
    // given
    final FakeSession session =
        new FakeSession()
            .hostApi(
                (method, params) -> {
                  if (method.equals("state_get")) {
                    return AvroJson.mapper().createObjectNode().put("value", 1);
                  }
                  throw new AgentApiException(AgentApiException.UNAUTHORIZED, "not granted");
                });
    final String script =
        """
        {"steps":[
          {"call":{"method":"state_get","params":{"key":"k"}},"expect":"ok"},
          {"call":{"method":"history_page"},"expect":"unauthorized"},
          {"call":{"method":"event_get"},"expect":"ok"}
        ]}""";

    // when
    runner.run(context(script), session);

    // then
    final List<AgentRunResult> results = session.results();
    assertThat(results).hasSize(4);
    final JsonNode first = payload(results.get(0));
    assertThat(first.path("outcome").asText()).isEqualTo("ok");
    assertThat(first.path("result").path("value").asInt()).isEqualTo(1);
    assertThat(payload(results.get(1)).path("outcome").asText()).isEqualTo("unauthorized");
    assertThat(((ActionRequested) results.get(2).getPayload()).getTarget()).isEqualTo("event_get");
    final RunFailed failed = (RunFailed) results.get(3).getPayload();
    assertThat(failed.getCode()).isEqualTo(ScenarioRunner.UNEXPECTED);
    assertThat(failed.getError()).contains("event_get: expected ok, got unauthorized");
  }

  @Test
  void shouldEndWithTheScriptedFailureCodeWhenAStepFails() throws Exception {
    // given
    final FakeSession session = new FakeSession();

    // when
    runner.run(
        context("{\"steps\":[{\"fail\":{\"code\":\"x.y\"}},{\"emit\":{\"type\":\"nope\"}}]}"),
        session);

    // then
    assertThat(session.results()).hasSize(1);
    assertThat(((RunFailed) session.results().get(0).getPayload()).getCode()).isEqualTo("x.y");
  }

  @Test
  void shouldReturnWithoutATerminalWhenCancelledWhileHanging() throws Exception {
    // given
    final FakeSession session = new FakeSession();
    session.cancel();

    // when
    runner.run(context("{\"steps\":[{\"hang\":true},{\"complete\":{}}]}"), session);

    // then
    assertThat(session.results()).isEmpty();
  }

  @Test
  void shouldRepeatTheFinalTextWhenTheCompleteStepAsksTo() throws Exception {
    // given
    final FakeSession session = new FakeSession();

    // when
    runner.run(context("{\"steps\":[{\"complete\":{\"text\":\"ab\",\"repeat\":3}}]}"), session);

    // then
    assertThat(((RunCompleted) session.results().get(0).getPayload()).getMessage().getContent())
        .isEqualTo("ababab");
  }

  @Test
  void shouldRejectAStepItDoesNotUnderstand() {
    assertThatThrownBy(() -> runner.run(context("{\"steps\":[{\"dance\":1}]}"), new FakeSession()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("step 1");
  }

  @Test
  void shouldDeclareEveryPermissionSoTheBindingDecides() {
    assertThat(runner.manifest().getRunnerId()).isEqualTo(ScenarioRunner.RUNNER_ID);
    assertThat(runner.manifest().getPermissions().getState()).hasSize(5);
  }

  private static JsonNode payload(final AgentRunResult result) {
    assertThat(result.getType()).isEqualTo(Results.ACTION_REQUESTED);
    return AvroJson.parse(((ActionRequested) result.getPayload()).getPayloadJson(), "payload");
  }

  private static dev.runledger.avro.AgentRunContext context(final String script) {
    return Fixtures.context("run-1", "hi", script, Instant.parse("2030-01-01T00:00:00Z"));
  }
}
