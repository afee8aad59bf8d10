package dev.runledger.orchestrator.topology;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/** Record headers holding UTF-8 text. */
final class TextHeaders {
  private TextHeaders() {}

  /** Replaces {@code name} in {@code headers} with {@code value}. */
  static Headers put(final Headers headers, final String name, final String value) {
    headers.remove(name);
    headers.add(name, value.getBytes(StandardCharsets.UTF_8));
    return headers;
  }

  /** The last value of {@code name}, if any. */
  static Optional<String> get(final Headers headers, final String name) {
    final Header header = headers.lastHeader(name);
    if (header == null || header.value() == null) {
      return Optional.empty();
    }
    return Optional.of(new String(header.value(), StandardCharsets.UTF_8));
  }
}
