package netbalancer.harness;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.Set;
import java.util.TreeSet;
import netbalancer.system.CommandRunner;

/** Which uplinks the multipath default route in LB_TABLE spans: what the kernel balances over now. */
final class LbTable {
  private static final ObjectMapper JSON = new ObjectMapper();

  private LbTable() {
  }

  /** The devices of the default route(s) in {@code ip -j route show table T} output. */
  static Set<String> parse(String json) {
    Set<String> devs = new TreeSet<>();
    if (json == null || json.isBlank()) {
      return devs;
    }
    JsonNode routes;
    try {
      routes = JSON.readTree(json);
    } catch (IOException e) {
      throw new IllegalStateException("unreadable ip -j route output: " + e.getMessage());
    }
    for (JsonNode r : routes) {
      if (!"default".equals(r.path("dst").asText())) {
        continue;
      }
      if (r.has("nexthops")) {
        r.get("nexthops").forEach(h -> devs.add(h.path("dev").asText()));
      } else if (r.has("dev")) {
        devs.add(r.get("dev").asText());
      }
    }
    return devs;
  }

  /** The members now; null if {@code ip} failed (the namespace went away, say). */
  static Set<String> read(CommandRunner runner, int table) {
    CommandRunner.Result r = runner.run("ip", "-j", "route", "show", "table", Integer.toString(table));
    return r.ok() ? parse(r.stdout()) : null;
  }
}
