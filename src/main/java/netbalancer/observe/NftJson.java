package netbalancer.observe;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads our table from {@code nft -j list table}, streaming: a sticky map of 65 536 sources is
 * 4 MB of that answer, and as one tree it took more than the daemon's whole heap (-Xmx64m: an
 * OutOfMemoryError with two of them), so every set and map but the two read here is skipped
 * unparsed. nft prints a set's name before its elements, which is what the skip relies on.
 */
final class NftJson {
  private static final JsonFactory JSON = new JsonFactory();

  private NftJson() {
  }

  static NftTable table(String json) {
    String[] fingerprint = {""};
    int rules = 0;
    Map<String, Long> marks = new LinkedHashMap<>();
    Map<String, Long> packets = new LinkedHashMap<>();
    try (JsonParser p = JSON.createParser(json)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        p.skipChildren(); // an answer without "nftables": a table with nothing read in it, as before
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        p.nextToken();
        if (!"nftables".equals(p.currentName()) || p.currentToken() != JsonToken.START_ARRAY) {
          p.skipChildren();
          continue;
        }
        while (p.nextToken() == JsonToken.START_OBJECT) {
          while (p.nextToken() == JsonToken.FIELD_NAME) {
            String kind = p.currentName();
            p.nextToken();
            switch (kind) {
              case "rule" -> {
                rules++;
                p.skipChildren();
              }
              case "counter" -> counter(p, packets);
              case "set", "map" -> set(p, fingerprint, marks);
              default -> p.skipChildren();
            }
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("unreadable nft -j output", e);
    }
    return new NftTable(true, fingerprint[0], rules, marks, packets);
  }

  private static void counter(JsonParser p, Map<String, Long> packets) throws IOException {
    String name = null;
    long count = 0;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      p.nextToken();
      if (field.equals("name")) {
        name = p.getText();
      } else if (field.equals("packets")) {
        count = p.getValueAsLong();
      } else {
        p.skipChildren();
      }
    }
    if (name != null) {
      packets.put(name, count);
    }
  }

  /** A set or map: the fingerprint's element, the mark map's elements; any other's skipped. */
  private static void set(JsonParser p, String[] fingerprint, Map<String, Long> marks) throws IOException {
    String name = null;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      p.nextToken();
      if (field.equals("name")) {
        name = p.getText();
      } else if (field.equals("elem") && NftTable.FINGERPRINT_SET.equals(name)) {
        // elements: ["text", …] (one, of ours)
        while (p.nextToken() != JsonToken.END_ARRAY) {
          if (p.currentToken() == JsonToken.VALUE_STRING) {
            fingerprint[0] = p.getText();
          } else {
            p.skipChildren();
          }
        }
      } else if (field.equals("elem") && NftTable.MARK_MAP.equals(name)) {
        // elements: [["wan1", 256], …]
        while (p.nextToken() == JsonToken.START_ARRAY) {
          p.nextToken();
          String key = p.getText();
          p.skipChildren();
          p.nextToken();
          long mark = p.getValueAsLong();
          p.skipChildren();
          while (p.nextToken() != JsonToken.END_ARRAY) {
            p.skipChildren();
          }
          marks.put(key, mark);
        }
      } else {
        p.skipChildren();
      }
    }
  }
}
