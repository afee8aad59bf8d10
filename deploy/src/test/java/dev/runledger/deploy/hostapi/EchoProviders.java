package dev.runledger.deploy.hostapi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.runledger.schemas.json.AvroJson;
import dev.runledger.worker.hostapi.KnowledgeProvider;
import dev.runledger.worker.hostapi.ModelProvider;
import dev.runledger.worker.hostapi.ToolProvider;
import dev.runledger.worker.spi.RunAccess;

/**
 * Providers for the end-to-end tests (listed in this module's test {@code META-INF/services}): they
 * answer with what they were asked, so an authorized model, tool or knowledge call succeeds.
 */
public final class EchoProviders {
  private EchoProviders() {}

  private static ObjectNode answer(final String kind, final String id, final JsonNode params) {
    final ObjectNode answer = AvroJson.mapper().createObjectNode();
    answer.put(kind, id);
    answer.set("echo", params);
    return answer;
  }

  /** Echoes model calls. */
  public static final class Models implements ModelProvider {
    @Override
    public JsonNode invoke(final String model, final JsonNode params, final RunAccess run) {
      return answer("model", model, params);
    }
  }

  /** Echoes tool calls. */
  public static final class Tools implements ToolProvider {
    @Override
    public JsonNode call(final String tool, final JsonNode params, final RunAccess run) {
      return answer("tool", tool, params);
    }
  }

  /** Echoes knowledge retrievals. */
  public static final class Knowledge implements KnowledgeProvider {
    @Override
    public JsonNode retrieve(final String kb, final JsonNode params, final RunAccess run) {
      return answer("knowledge_base", kb, params);
    }
  }
}
