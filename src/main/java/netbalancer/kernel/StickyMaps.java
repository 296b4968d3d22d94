package netbalancer.kernel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import netbalancer.observe.KernelObserver;
import netbalancer.system.CommandRunner;

/**
 * Keeps the sticky policies' source maps honest: a source stays on its uplink only while that
 * uplink is one its policy would choose now, so the entries of every other uplink are deleted
 * (one nft read and one nft transaction per map that has any). Needed only when the uplinks a
 * policy may use change: the kernel times the rest out on its own.
 */
final class StickyMaps {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private StickyMaps() {
  }

  /** @return how many entries were deleted; errors are added to {@code errors} */
  static int purge(CommandRunner runner, Map<String, Set<Long>> keep, List<String> errors) {
    int deleted = 0;
    for (Map.Entry<String, Set<Long>> e : keep.entrySet()) {
      CommandRunner.Result listed = runner.run("nft", "-j", "list", "map", KernelObserver.NFT_FAMILY,
          KernelObserver.NFT_TABLE, e.getKey());
      if (!listed.ok()) {
        errors.add("nft list map " + e.getKey() + ": " + listed.stderr().strip());
        continue;
      }
      List<String> stale = stale(listed.stdout(), e.getValue());
      if (stale.isEmpty()) {
        continue;
      }
      // One transaction: an entry that timed out in between fails it, and the caller retries.
      String script = "delete element " + KernelObserver.NFT_FAMILY + " " + KernelObserver.NFT_TABLE + " "
          + e.getKey() + " { " + String.join(", ", stale) + " }\n";
      CommandRunner.Result r = runner.run(List.of("nft", "-f", "-"), script);
      if (r.ok()) {
        deleted += stale.size();
      } else {
        errors.add("nft delete element " + e.getKey() + ": " + r.stderr().strip());
      }
    }
    return deleted;
  }

  /** The keys of {@code nft -j list map} whose value (an uplink mark) is not in {@code keep}. */
  static List<String> stale(String json, Set<Long> keep) {
    List<String> out = new ArrayList<>();
    try {
      for (JsonNode item : MAPPER.readTree(json).path("nftables")) {
        for (JsonNode elem : item.path("map").path("elem")) {
          JsonNode key = elem.get(0);
          String address = key.has("elem") ? key.get("elem").path("val").asText() : key.asText();
          if (!keep.contains(elem.get(1).asLong()) && address.matches("[0-9a-fA-F.:]+")) {
            out.add(address);
          }
        }
      }
    } catch (IOException ex) {
      throw new UncheckedIOException("unreadable nft -j output", ex);
    }
    return out;
  }
}
