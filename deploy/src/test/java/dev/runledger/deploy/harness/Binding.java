package dev.runledger.deploy.harness;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.runledger.schemas.json.AvroJson;

/**
 * A binding as the end-to-end suites put it: a runner for {@code message.*} in one workspace, in
 * parallel mode unless told otherwise. {@link TestApi#bind} puts it.
 */
public final class Binding {
  private final ObjectNode json = AvroJson.mapper().createObjectNode();
  private final ObjectNode policy;

  private Binding(final String workspace, final String runnerId) {
    json.putObject("scope").put("workspace_id", workspace);
    json.putArray("event_types").add("message.*");
    json.put("runner_id", runnerId);
    policy = json.putObject("dispatch_policy").put("mode", "parallel");
  }

  /** {@code runnerId} for message.* in {@code workspace}, parallel dispatch. */
  public static Binding of(final String workspace, final String runnerId) {
    return new Binding(workspace, runnerId);
  }

  /** The dispatch mode, e.g. {@code enqueue}, {@code steer}. */
  public Binding mode(final String mode) {
    policy.put("mode", mode);
    return this;
  }

  /** No mode: the runner's default applies. */
  public Binding runnerDefaultMode() {
    policy.remove("mode");
    return this;
  }

  /** What happens to steered messages the run never pulled, e.g. {@code drop}. */
  public Binding onUnpulled(final String onUnpulled) {
    policy.put("on_unpulled", onUnpulled);
    return this;
  }

  public Binding priority(final int priority) {
    json.put("priority", priority);
    return this;
  }

  public Binding config(final JsonNode config) {
    json.set("runner_config", config);
    return this;
  }

  public Binding resourcePolicy(final JsonNode resourcePolicy) {
    json.set("resource_policy", resourcePolicy);
    return this;
  }

  public Binding timeoutMs(final long timeoutMs) {
    json.put("timeout_ms", timeoutMs);
    return this;
  }

  /** The workspace the binding applies in. */
  public String workspace() {
    return json.path("scope").path("workspace_id").asText();
  }

  /** The binding's JSON body. */
  public ObjectNode json() {
    return json;
  }
}
