package netbalancer.harness;

import java.util.ArrayList;
import java.util.List;
import netbalancer.system.CommandRunner;

/**
 * The harness's own nftables tables, {@code inet net_balancer_harness} (blocked probes),
 * {@code arp net_balancer_harness} (a dead gateway) and {@code ip6 net_balancer_harness} (a dead
 * IPv6 gateway): nothing else of the host's ruleset is
 * touched, and deleting them by name undoes every harness rule, even after a crash.
 */
final class HarnessTables {
  static final String NAME = "net_balancer_harness";
  static final List<String> FAMILIES = List.of("inet", "arp", "ip6");

  private HarnessTables() {
  }

  /** The script that replaces table {@code family NAME} with {@code body} in one transaction. */
  static String replace(String family, String body) {
    return "add table " + family + " " + NAME + "\n"
        + "delete table " + family + " " + NAME + "\n"
        + "table " + family + " " + NAME + " {\n" + body + "}\n";
  }

  static void delete(CommandRunner r, String family) {
    r.run("nft", "delete", "table", family, NAME); // absent is fine: deleting is idempotent here
  }

  /** The harness tables that exist now ("inet", "arp", "ip6"). */
  static List<String> present(CommandRunner r) {
    List<String> out = new ArrayList<>();
    CommandRunner.Result res = r.run("nft", "list", "tables");
    for (String line : res.stdout().split("\n")) {
      String[] w = line.trim().split("\\s+");
      if (w.length == 3 && w[0].equals("table") && w[2].equals(NAME)) {
        out.add(w[1]);
      }
    }
    return out;
  }

  /** Removes whatever a previous run left (it was killed with -9); returns what it removed. */
  static List<String> removeLeftovers(CommandRunner r) {
    List<String> found = present(r);
    found.forEach(f -> delete(r, f));
    return found;
  }
}
