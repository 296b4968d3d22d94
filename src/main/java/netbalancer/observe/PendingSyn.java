package netbalancer.observe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * One element of our {@code syn_sent} (or, IPv6, {@code syn_sent6}) nft set: an outbound TCP connection (its original tuple)
 * whose first SYN left by {@code uplink} and has had no SYN-ACK or RST yet. {@code expiresSeconds}:
 * what is left of the set's timeout, in whole seconds as nft's JSON gives it.
 */
public record PendingSyn(String source, int sourcePort, String destination, int destinationPort, String uplink,
    long expiresSeconds) {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  /** Reads {@code nft -j list set inet net_balancer syn_sent} (or {@code syn_sent6}). */
  public static List<PendingSyn> parse(String json) {
    if (!json.contains("\"elem\"")) {
      return List.of(); // an empty set (the usual answer, twice a second): nothing to parse
    }
    JsonNode root;
    try {
      root = MAPPER.readTree(json);
    } catch (IOException e) {
      throw new UncheckedIOException("unreadable nft -j output", e);
    }
    List<PendingSyn> out = new ArrayList<>();
    for (JsonNode item : root.path("nftables")) {
      for (JsonNode e : item.path("set").path("elem")) {
        JsonNode elem = e.path("elem");
        JsonNode concat = elem.path("val").path("concat");
        if (concat.size() != 5) {
          continue; // not an element of ours
        }
        out.add(new PendingSyn(concat.get(0).asText(), concat.get(1).asInt(), concat.get(2).asText(),
            concat.get(3).asInt(), concat.get(4).asText(), elem.path("expires").asLong(0)));
      }
    }
    return out;
  }
}
