package dev.runledger.projections.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runledger.schemas.http.ApiException;
import dev.runledger.schemas.http.BearerToken;
import dev.runledger.schemas.json.AvroJson;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Supplier;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.StreamsMetadata;
import org.apache.kafka.streams.state.HostInfo;

/**
 * Finds which projection instance owns a key ({@code queryMetadataForKey}) or hosts a store ({@code
 * streamsMetadataForStore}) and forwards GET requests to it. A forwarded request carries {@value
 * #FORWARDED_HEADER}, and a request that carries it is always answered locally, so a request is
 * forwarded at most once even while instances disagree about ownership; the header counts only on a
 * request the server authenticated as {@code Caller.INTERNAL}, so a forwarded request carries
 * {@code Authorization: Bearer <auth.internal.token>} when that setting is set. Without an
 * advertised URL (a single instance) everything is local.
 */
public final class InstanceRouter {
  /** Header of a request forwarded by another instance. */
  public static final String FORWARDED_HEADER = "X-Runledger-Forwarded";

  private final Supplier<KafkaStreams> streams;
  private final Optional<HostInfo> self;
  private final Duration timeout;
  private final Optional<String> internalToken;
  private final HttpClient http;

  /**
   * @param streams the running Kafka Streams (null until started)
   * @param self this instance's {@code application.server}, when one is advertised
   * @param timeout timeout of a forwarded request
   * @param internalToken the {@code auth.internal.token} forwarded requests carry, when set
   */
  public InstanceRouter(
      final Supplier<KafkaStreams> streams,
      final Optional<HostInfo> self,
      final Duration timeout,
      final Optional<String> internalToken) {
    this.streams = streams;
    this.self = self;
    this.timeout = timeout;
    this.internalToken = internalToken;
    this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
  }

  /** A router that answers everything locally. */
  public static InstanceRouter local() {
    return new InstanceRouter(
        () -> null, Optional.empty(), Duration.ofSeconds(1), Optional.empty());
  }

  /** The base URL of the instance that owns {@code key} in {@code store}, if not this one. */
  public Optional<String> owner(final String store, final String key) {
    final KafkaStreams current = streams.get();
    if (self.isEmpty() || current == null) {
      return Optional.empty();
    }
    final KeyQueryMetadata metadata =
        current.queryMetadataForKey(store, key, Serdes.String().serializer());
    if (metadata == null || KeyQueryMetadata.NOT_AVAILABLE.equals(metadata)) {
      throw new ApiException(
          503,
          "unavailable",
          "no projection instance owns '" + key + "' right now (rebalancing); retry in a moment");
    }
    final HostInfo host = metadata.activeHost();
    return host.equals(self.get()) ? Optional.empty() : Optional.of(url(host));
  }

  /** The base URLs of the other instances that host {@code store}. */
  public List<String> others(final String store) {
    final KafkaStreams current = streams.get();
    final List<String> urls = new ArrayList<>();
    if (self.isEmpty() || current == null) {
      return urls;
    }
    for (final StreamsMetadata metadata : current.streamsMetadataForStore(store)) {
      if (!metadata.hostInfo().equals(self.get())
          && !metadata.topicPartitions().isEmpty()
          && !urls.contains(url(metadata.hostInfo()))) {
        urls.add(url(metadata.hostInfo()));
      }
    }
    return urls;
  }

  /**
   * GETs {@code pathAndQuery} (already encoded) from another instance; its error answers are
   * rethrown as the same {@link ApiException}.
   */
  public JsonNode get(final String baseUrl, final String pathAndQuery) {
    return getAll(List.of(baseUrl), pathAndQuery).get(0);
  }

  /**
   * GETs {@code pathAndQuery} (already encoded) from each of {@code baseUrls} at once (a listing's
   * fan-out waits for the slowest instance, not for the sum of them): their answers in the order of
   * {@code baseUrls}. The first error answer is rethrown as the same {@link ApiException}.
   */
  public List<JsonNode> getAll(final List<String> baseUrls, final String pathAndQuery) {
    return send(baseUrls, pathAndQuery).get();
  }

  /**
   * Sends {@link #getAll}'s requests now and answers them when asked, so the caller can do its own
   * part of the work meanwhile.
   */
  public Supplier<List<JsonNode>> send(final List<String> baseUrls, final String pathAndQuery) {
    final List<CompletableFuture<HttpResponse<String>>> sent = new ArrayList<>();
    for (final String baseUrl : baseUrls) {
      final HttpRequest.Builder builder =
          HttpRequest.newBuilder(URI.create(baseUrl + pathAndQuery))
              .header(FORWARDED_HEADER, "1")
              .timeout(timeout)
              .GET();
      BearerToken.authorize(builder, internalToken.orElse(null));
      sent.add(
          http.sendAsync(
              builder.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8)));
    }
    return () -> {
      final List<JsonNode> bodies = new ArrayList<>();
      for (int i = 0; i < baseUrls.size(); i++) {
        bodies.add(answer(baseUrls.get(i), await(baseUrls.get(i), sent.get(i))));
      }
      return bodies;
    };
  }

  private static HttpResponse<String> await(
      final String baseUrl, final CompletableFuture<HttpResponse<String>> response) {
    try {
      return response.get();
    } catch (final ExecutionException e) {
      final Throwable cause = e.getCause() == null ? e : e.getCause();
      throw unreachable(baseUrl, String.valueOf(cause.getMessage()));
    } catch (final InterruptedException e) {
      Thread.currentThread().interrupt();
      throw unreachable(baseUrl, "interrupted");
    }
  }

  private static JsonNode answer(final String baseUrl, final HttpResponse<String> response) {
    final JsonNode body = parse(response.body());
    if (response.statusCode() / 100 == 2) {
      return body;
    }
    final JsonNode error = body.path("error");
    throw new ApiException(
        response.statusCode(),
        error.path("code").asText("unavailable"),
        error.path("message").asText("instance " + baseUrl + " answered " + response.statusCode()),
        error.path("field").isTextual() ? error.path("field").asText() : null);
  }

  private static JsonNode parse(final String text) {
    try {
      return text == null || text.isBlank()
          ? AvroJson.mapper().createObjectNode()
          : AvroJson.mapper().readTree(text);
    } catch (final IOException e) {
      return AvroJson.mapper().createObjectNode();
    }
  }

  private static ApiException unreachable(final String baseUrl, final String why) {
    return new ApiException(
        503,
        "unavailable",
        "the projection instance at "
            + baseUrl
            + " that owns this data cannot be reached ("
            + why
            + "); retry in a moment");
  }

  private static String url(final HostInfo host) {
    return "http://" + host.host() + ":" + host.port();
  }
}
