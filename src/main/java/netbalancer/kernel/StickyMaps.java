package netbalancer.kernel;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import netbalancer.netlink.NftDumps;
import netbalancer.observe.KernelObserver;
import netbalancer.system.CommandRunner;

/**
 * Keeps the sticky policies' source maps honest: a source stays on its uplink only while that
 * uplink is one its policy would choose now, so the entries of every other uplink are deleted
 * (one read and one nft transaction per map that has any). Needed only when the uplinks a policy
 * may use change: the kernel times the rest out on its own. A map holds up to 65 536 sources, so
 * it is read element by element over nfnetlink, and where that cannot be had from {@code nft -j
 * list map} parsed streaming; only the stale keys are kept.
 */
final class StickyMaps {
  private static final JsonFactory JSON = new JsonFactory();

  private StickyMaps() {
  }

  /** @return how many entries were deleted; errors are added to {@code errors} */
  static int purge(CommandRunner runner, Map<String, Set<Long>> keep, List<String> errors) {
    int deleted = 0;
    for (Map.Entry<String, Set<Long>> e : keep.entrySet()) {
      List<String> stale = overNetlink(e.getKey(), e.getValue());
      if (stale == null) {
        CommandRunner.Result listed = runner.run("nft", "-j", "list", "map", KernelObserver.NFT_FAMILY,
            KernelObserver.NFT_TABLE, e.getKey());
        if (!listed.ok()) {
          errors.add("nft list map " + e.getKey() + ": " + listed.stderr().strip());
          continue;
        }
        stale = stale(listed.stdout(), e.getValue());
      }
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

  /** The stale keys of {@code map} read over nfnetlink; null when that cannot be had (then nft is asked). */
  private static List<String> overNetlink(String map, Set<Long> keep) {
    List<String> out = new ArrayList<>();
    try (NftDumps nft = NftDumps.open()) {
      boolean found = nft.elements(NftDumps.NFPROTO_INET, KernelObserver.NFT_TABLE, map, (key, data) -> {
        String address = NftDumps.address(key);
        if (address != null && !keep.contains(NftDumps.mark(data))) {
          out.add(address);
        }
      });
      return found ? out : null;
    } catch (IOException | RuntimeException | LinkageError e) {
      return null;
    }
  }

  /** The keys of {@code nft -j list map} whose value (an uplink mark) is not in {@code keep}. */
  static List<String> stale(String json, Set<Long> keep) {
    List<String> out = new ArrayList<>();
    try (JsonParser p = JSON.createParser(json)) {
      while (p.nextToken() != null) {
        if (p.currentToken() != JsonToken.FIELD_NAME || !"elem".equals(p.currentName())
            || p.nextToken() != JsonToken.START_ARRAY) {
          continue;
        }
        // [[key, mark], …]; a key with a timeout is {"elem": {"val": key, "expires": …}}
        while (p.nextToken() == JsonToken.START_ARRAY) {
          String address = key(p);
          p.nextToken();
          long mark = p.getValueAsLong(-1);
          p.skipChildren();
          while (p.nextToken() != JsonToken.END_ARRAY) {
            p.skipChildren();
          }
          if (address != null && !keep.contains(mark) && address.matches("[0-9a-fA-F.:]+")) {
            out.add(address);
          }
        }
      }
    } catch (IOException ex) {
      throw new UncheckedIOException("unreadable nft -j output", ex);
    }
    return out;
  }

  /** A key, plain or as {"elem": {"val": …}}; the parser left at its end. */
  private static String key(JsonParser p) throws IOException {
    if (p.nextToken() != JsonToken.START_OBJECT) {
      return p.currentToken() == JsonToken.VALUE_STRING ? p.getText() : null;
    }
    String val = null;
    int depth = 1;
    while (depth > 0) {
      JsonToken t = p.nextToken();
      if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
        depth++;
      } else if (t == JsonToken.END_OBJECT || t == JsonToken.END_ARRAY) {
        depth--;
      } else if (t == JsonToken.FIELD_NAME && "val".equals(p.currentName()) && depth == 2) {
        p.nextToken();
        if (p.currentToken().isScalarValue()) {
          val = p.getText();
        } else {
          p.skipChildren(); // not an address (a prefix, a range)
        }
      }
    }
    return val;
  }
}
