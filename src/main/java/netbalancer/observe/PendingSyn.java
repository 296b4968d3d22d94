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

  /**
   * One element as nfnetlink gives it: the set's concatenated key (each field in a multiple of 4
   * bytes: address, port in its first 2 bytes big-endian, address, port, ifname of 16) and what
   * is left of its timeout in ms, whole seconds taken as nft's JSON gives them (rounded down).
   *
   * @throws IllegalArgumentException a key of neither family's length
   */
  public static PendingSyn ofKey(byte[] key, long expiresMillis) {
    int a = key.length == 32 ? 4 : key.length == 56 ? 16 : -1;
    if (a < 0) {
      throw new IllegalArgumentException("a key of " + key.length + " bytes, not 32 (IPv4) or 56 (IPv6)");
    }
    byte[] src = java.util.Arrays.copyOfRange(key, 0, a);
    byte[] dst = java.util.Arrays.copyOfRange(key, a + 4, 2 * a + 4);
    return new PendingSyn(netbalancer.netlink.NftDumps.address(src), port(key, a),
        netbalancer.netlink.NftDumps.address(dst), port(key, 2 * a + 4),
        netbalancer.netlink.NftDumps.ifname(java.util.Arrays.copyOfRange(key, 2 * a + 8, key.length)),
        Math.max(0, expiresMillis) / 1000);
  }

  private static int port(byte[] key, int at) {
    return (key[at] & 0xff) << 8 | key[at + 1] & 0xff;
  }

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
