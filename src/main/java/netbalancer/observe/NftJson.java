package netbalancer.observe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads our table from {@code nft -j list table}. nft 1.0.6 leaves table comments out of its
 * JSON, so the plan fingerprint lives in a one-element set instead.
 */
final class NftJson {
  static final String FINGERPRINT_SET = "fingerprint";
  static final String MARK_MAP = "uplink_mark";
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private NftJson() {
  }

  static NftTable table(String json) {
    JsonNode root;
    try {
      root = MAPPER.readTree(json);
    } catch (IOException e) {
      throw new UncheckedIOException("unreadable nft -j output", e);
    }
    String fingerprint = "";
    int rules = 0;
    Map<String, Long> marks = new LinkedHashMap<>();
    Map<String, Long> packets = new LinkedHashMap<>();
    for (JsonNode item : root.path("nftables")) {
      if (item.has("rule")) {
        rules++;
      } else if (item.has("counter")) {
        packets.put(item.get("counter").path("name").asText(), item.get("counter").path("packets").asLong());
      } else if (item.has("set") && FINGERPRINT_SET.equals(item.get("set").path("name").asText())) {
        for (JsonNode e : item.get("set").path("elem")) {
          fingerprint = e.asText();
        }
      } else if (item.has("map") && MARK_MAP.equals(item.get("map").path("name").asText())) {
        for (JsonNode e : item.get("map").path("elem")) {
          marks.put(e.get(0).asText(), e.get(1).asLong());
        }
      }
    }
    return new NftTable(true, fingerprint, rules, marks, packets);
  }
}
