package dev.runledger.worker.runners;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.runledger.schemas.json.AvroJson;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Replaces secret values with {@value #MASK} in anything an external runner writes before it is
 * logged or stored. Secrets are the configured {@code secret.*} values, every passed-through
 * environment variable whose name looks like a credential ({@code *TOKEN*}, {@code *SECRET*},
 * {@code *PASSWORD*}, {@code *KEY*}, {@code *CREDENTIAL*}) and whatever {@link #with} adds (an
 * {@code http:*} run's host-API token). Values shorter than 4 characters are not masked (they would
 * mask ordinary text).
 *
 * <p>It works on decoded values: a runner's JSON is parsed first and {@link #redact(JsonNode)}
 * masks its strings and field names, so JSON escapes (&#92;u0073, &#92;/) hide nothing. A secret's
 * base64 (standard or URL-safe, at any byte offset) is masked inside text, and a value that is
 * base64 as a whole is decoded, masked and encoded again, so it stays valid base64. {@link
 * #heldTail} says how much of a streamed text may still be the start of a secret.
 */
final class Redactor {
  /** What a secret is replaced with. */
  public static final String MASK = "[REDACTED]";

  private static final Pattern SECRET_NAME =
      Pattern.compile(".*(TOKEN|SECRET|PASSWORD|PASSWD|KEY|CREDENTIAL).*");
  private static final int MIN_LENGTH = 4;

  /** The shortest base64 run that is masked, so short secrets do not mask ordinary words. */
  private static final int MIN_ENCODED = 8;

  private static final Pattern BASE64_VALUE = Pattern.compile("[A-Za-z0-9+/_-]{8,}={0,2}");
  private static final byte[] MASK_BYTES = MASK.getBytes(StandardCharsets.UTF_8);

  private final List<String> secrets;

  /** The secrets and their base64 forms, longest first. */
  private final List<String> needles;

  private final List<byte[]> secretBytes;

  public Redactor(final Collection<String> secrets) {
    this.secrets =
        secrets.stream()
            .filter(s -> s != null && s.length() >= MIN_LENGTH)
            .distinct()
            .sorted(Comparator.comparingInt(String::length).reversed())
            .toList();
    final Set<String> forms = new LinkedHashSet<>(this.secrets);
    this.secrets.forEach(s -> forms.addAll(base64Forms(s.getBytes(StandardCharsets.UTF_8))));
    this.needles =
        forms.stream().sorted(Comparator.comparingInt(String::length).reversed()).toList();
    this.secretBytes = this.secrets.stream().map(s -> s.getBytes(StandardCharsets.UTF_8)).toList();
  }

  /** The secrets among an environment: values of credential-like names. */
  public static List<String> secretValues(final Map<String, String> env) {
    return env.entrySet().stream()
        .filter(e -> SECRET_NAME.matcher(e.getKey().toUpperCase(Locale.ROOT)).matches())
        .map(Map.Entry::getValue)
        .toList();
  }

  /** This redactor with one more secret, e.g. a run's host-API token. */
  Redactor with(final String secret) {
    final List<String> all = new ArrayList<>(secrets);
    all.add(secret);
    return new Redactor(all);
  }

  /** The text with every secret, and every base64 form of one, masked. */
  public String redact(final String text) {
    if (text == null || needles.isEmpty()) {
      return text;
    }
    String result = maskedBase64Value(text);
    for (final String needle : needles) {
      result = result.replace(needle, MASK);
    }
    return result;
  }

  /** A copy of {@code node} with every string value and field name {@linkplain #redact masked}. */
  JsonNode redact(final JsonNode node) {
    if (node == null || needles.isEmpty()) {
      return node;
    }
    if (node.isTextual()) {
      final String text = node.textValue();
      final String masked = redact(text);
      return masked.equals(text) ? node : TextNode.valueOf(masked);
    }
    if (node.isObject()) {
      final ObjectNode copy = AvroJson.mapper().createObjectNode();
      for (final Map.Entry<String, JsonNode> field : node.properties()) {
        copy.set(redact(field.getKey()), redact(field.getValue()));
      }
      return copy;
    }
    if (node.isArray()) {
      final ArrayNode copy = AvroJson.mapper().createArrayNode();
      node.forEach(item -> copy.add(redact(item)));
      return copy;
    }
    return node;
  }

  /**
   * How many characters at the end of {@code text} could be the start of a secret (or of a base64
   * form of one) that the next chunk completes: the longest suffix that is a proper prefix of one.
   * At most the longest secret form's length minus one.
   */
  int heldTail(final String text) {
    final int longest = needles.isEmpty() ? 0 : needles.get(0).length() - 1;
    for (int length = Math.min(text.length(), longest); length > 0; length--) {
      final String suffix = text.substring(text.length() - length);
      for (final String needle : needles) {
        if (needle.length() > length && needle.startsWith(suffix)) {
          return length;
        }
      }
    }
    return 0;
  }

  /**
   * A value that is base64 as a whole and decodes to bytes containing a secret: the secret's bytes
   * masked, encoded again with the same alphabet (padded unless the value was unpadded). Anything
   * else as it is.
   */
  private String maskedBase64Value(final String text) {
    if (!BASE64_VALUE.matcher(text).matches()) {
      return text;
    }
    final boolean url = text.indexOf('-') >= 0 || text.indexOf('_') >= 0;
    if (url && (text.indexOf('+') >= 0 || text.indexOf('/') >= 0)) {
      return text;
    }
    final byte[] decoded;
    try {
      decoded = (url ? Base64.getUrlDecoder() : Base64.getDecoder()).decode(text);
    } catch (final IllegalArgumentException e) {
      return text;
    }
    final byte[] masked = masked(decoded);
    if (masked == decoded) {
      return text;
    }
    Base64.Encoder encoder = url ? Base64.getUrlEncoder() : Base64.getEncoder();
    if (text.length() % 4 != 0) {
      encoder = encoder.withoutPadding();
    }
    return encoder.encodeToString(masked);
  }

  /** {@code bytes} with every secret's bytes replaced by the mask; the same array when none. */
  private byte[] masked(final byte[] bytes) {
    byte[] result = bytes;
    for (final byte[] secret : secretBytes) {
      int at = indexOf(result, secret, 0);
      if (at < 0) {
        continue;
      }
      final ByteArrayOutputStream out = new ByteArrayOutputStream(result.length);
      int from = 0;
      while (at >= 0) {
        out.write(result, from, at - from);
        out.writeBytes(MASK_BYTES);
        from = at + secret.length;
        at = indexOf(result, secret, from);
      }
      out.write(result, from, result.length - from);
      result = out.toByteArray();
    }
    return result;
  }

  private static int indexOf(final byte[] bytes, final byte[] part, final int from) {
    outer:
    for (int i = from; i <= bytes.length - part.length; i++) {
      for (int j = 0; j < part.length; j++) {
        if (bytes[i + j] != part[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  /**
   * The base64 forms of a secret: its whole encoding (padded and not), and, for each of the three
   * byte offsets it can start at inside longer data, the run of characters only its bits decide;
   * each in the standard and the URL-safe alphabet. Runs shorter than {@value #MIN_ENCODED} are
   * left out.
   */
  private static List<String> base64Forms(final byte[] secret) {
    final List<String> forms = new ArrayList<>();
    forms.add(Base64.getEncoder().encodeToString(secret));
    forms.add(Base64.getEncoder().withoutPadding().encodeToString(secret));
    for (int offset = 0; offset < 3; offset++) {
      final byte[] shifted = new byte[offset + secret.length];
      System.arraycopy(secret, 0, shifted, offset, secret.length);
      final String encoded = Base64.getEncoder().withoutPadding().encodeToString(shifted);
      final int first = (offset * 8 + 5) / 6;
      final int end = shifted.length * 8 / 6;
      forms.add(encoded.substring(first, end));
    }
    final List<String> all = new ArrayList<>();
    for (final String form : forms) {
      if (form.length() >= MIN_ENCODED) {
        all.add(form);
        all.add(form.replace('+', '-').replace('/', '_'));
      }
    }
    return all;
  }
}
