package netbalancer.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import netbalancer.config.ConfigLoader;
import netbalancer.lab.Lab;

/** LB_TABLE as the bench's daemons have it: the default, since the bench never sets it. */
final class LbTable {
  static final int ID = ConfigLoader.fromMap(Map.of()).lbTable();

  private LbTable() {
  }

  /** The devices in LB_TABLE's default route in the lab's router now. */
  static Set<String> balanced(Lab lab) {
    Set<String> devs = new TreeSet<>();
    for (JsonNode r : lab.ipJson(lab.routerNs(), "route", "show", "table", Integer.toString(ID))) {
      if (r.has("nexthops")) {
        r.get("nexthops").forEach(h -> devs.add(h.path("dev").asText()));
      } else if (r.has("dev")) {
        devs.add(r.get("dev").asText());
      }
    }
    return devs;
  }

  /** Waits until {@code count} uplinks are balanced; a sample must start from a whole balance. */
  static void awaitBalanced(Lab lab, int count, Duration limit) throws InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    while (balanced(lab).size() < count) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("LB_TABLE holds " + balanced(lab) + ", not all " + count + " uplinks");
      }
      Thread.sleep(50);
    }
  }
}
