package dev.runledger.deploy.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runledger.schemas.http.ApiPaths;
import dev.runledger.schemas.http.QueryParams;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads every item of a listing that pages with {@code limit} and {@code cursor} → {@code {items,
 * next_cursor}}, following {@code next_cursor} to the last page, so nothing stops at one page.
 */
final class Pages {
  private Pages() {}

  /**
   * Every item of the listing at {@code path} (without a query), pages of {@value
   * QueryParams#MAX_LIMIT}; {@code what} names it in an error.
   */
  static List<JsonNode> all(final ApiClient api, final String path, final String what) {
    final List<JsonNode> items = new ArrayList<>();
    String cursor = null;
    do {
      final JsonNode page =
          api.get(
                  path
                      + "?limit="
                      + QueryParams.MAX_LIMIT
                      + (cursor == null ? "" : "&cursor=" + ApiPaths.segment(cursor)))
              .orThrow(what);
      page.path("items").forEach(items::add);
      final JsonNode next = page.path("next_cursor");
      cursor = next.isTextual() && !page.path("items").isEmpty() ? next.asText() : null;
    } while (cursor != null);
    return items;
  }
}
