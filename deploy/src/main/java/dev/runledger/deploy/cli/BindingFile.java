package dev.runledger.deploy.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.RuntimeJsonMappingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.runledger.schemas.http.ApiPaths;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The bindings of a file for {@code bindings apply}: YAML or JSON (JSON is YAML), holding one
 * binding, a list of them, an object with {@code items} (as {@code GET .../bindings} answers), or
 * several YAML documents of those. Each binding needs {@code binding_id}; its workspace is {@code
 * scope.workspace_id}, else the one given. Every binding is checked before any is returned, so a
 * file with one unusable binding applies none.
 */
final class BindingFile {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private BindingFile() {}

  /**
   * One binding to PUT.
   *
   * @param workspace its workspace
   * @param bindingId its id
   * @param binding its body, as the file has it
   */
  record Entry(String workspace, String bindingId, ObjectNode binding) {}

  /**
   * The bindings of {@code file}, each in its {@code scope.workspace_id} or {@code workspace}.
   *
   * @throws IllegalArgumentException naming the file and the binding when it cannot be read, holds
   *     no binding, or one has no binding id or no workspace
   */
  static List<Entry> read(final Path file, final String workspace) {
    final List<JsonNode> bindings = new ArrayList<>();
    try (MappingIterator<JsonNode> documents =
        YAML.readerFor(JsonNode.class).readValues(file.toFile())) {
      while (documents.hasNext()) {
        collect(documents.next(), bindings, file);
      }
    } catch (final IOException | RuntimeJsonMappingException e) {
      if (!Files.isReadable(file)) {
        throw new IllegalArgumentException(file + ": cannot read it", e);
      }
      final String reason = String.valueOf(e.getMessage()).lines().findFirst().orElse("");
      throw new IllegalArgumentException(file + ": not YAML or JSON: " + reason, e);
    }
    if (bindings.isEmpty()) {
      throw new IllegalArgumentException(file + ": holds no binding");
    }
    final List<Entry> entries = new ArrayList<>();
    for (int i = 0; i < bindings.size(); i++) {
      entries.add(entry(file, i + 1, bindings.get(i), workspace));
    }
    return entries;
  }

  private static void collect(final JsonNode node, final List<JsonNode> into, final Path file) {
    if (node == null || node.isNull() || node.isMissingNode()) {
      return;
    }
    if (node.isArray()) {
      node.forEach(into::add);
    } else if (node.isObject() && node.path("items").isArray() && !node.has("runner_id")) {
      node.path("items").forEach(into::add);
    } else {
      into.add(node);
    }
  }

  private static Entry entry(
      final Path file, final int number, final JsonNode node, final String workspace) {
    final String which = file + ": binding " + number;
    if (!node.isObject()) {
      throw new IllegalArgumentException(which + " is not an object");
    }
    final JsonNode id = node.path("binding_id");
    if (!id.isTextual() || id.asText().isBlank()) {
      throw new IllegalArgumentException(which + " has no binding_id");
    }
    final JsonNode scoped = node.path("scope").path(ApiPaths.WORKSPACE_ID);
    final String ws =
        scoped.isTextual() && !scoped.asText().isBlank() ? scoped.asText() : workspace;
    if (ws == null || ws.isBlank()) {
      throw new IllegalArgumentException(
          which
              + " ('"
              + id.asText()
              + "') has no scope.workspace_id; give the workspace: --workspace ID (or"
              + " RUNLEDGER_WORKSPACE)");
    }
    return new Entry(ws, id.asText(), (ObjectNode) node);
  }
}
