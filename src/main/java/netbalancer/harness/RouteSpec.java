package netbalancer.harness;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * One route through an interface, read from {@code ip -N -j route show table all dev X} (numeric:
 * protocols, tables and scopes are numbers), so that a route the kernel dropped with the link can
 * be added back exactly. The kernel's own routes come back by themselves; the balancer's are
 * the daemon's business; everything else (DHCP's default, static routes, other tables) is ours to
 * put back.
 */
record RouteSpec(boolean v6, String dst, String gateway, String dev, String protocol, String metric,
    String scope, String prefsrc, String table, boolean onlink) {

  /** redirect, kernel, ra: made by the kernel (or the router), and made again by it. */
  private static final Set<String> KERNEL_PROTOCOLS = Set.of("1", "2", "9");
  private static final String LOCAL_TABLE = "255";

  /** The route, or null if it is not one to put back. */
  static RouteSpec restorable(JsonNode r, boolean v6, String dev, int ownProto) {
    String type = r.path("type").asText("unicast");
    String protocol = r.path("protocol").asText("3"); // ip omits boot (3)
    String table = r.path("table").asText("254");
    if ((!type.equals("unicast") && !type.equals("1")) || r.has("nexthops") || r.has("expires")
        || table.equals(LOCAL_TABLE) || KERNEL_PROTOCOLS.contains(protocol)
        || protocol.equals(Integer.toString(ownProto))) {
      return null;
    }
    boolean onlink = false;
    for (JsonNode f : r.path("flags")) {
      onlink |= f.asText().equals("onlink");
    }
    return new RouteSpec(v6, r.path("dst").asText(), text(r, "gateway"), dev, protocol, text(r, "metric"),
        text(r, "scope"), text(r, "prefsrc"), table, onlink);
  }

  private static String text(JsonNode r, String field) {
    return r.hasNonNull(field) ? r.get(field).asText() : null;
  }

  /** What makes two routes the same route to the kernel. */
  String key() {
    return (v6 ? "6" : "4") + " " + table + " " + dst + " " + metric;
  }

  List<String> addArgv() {
    List<String> argv = new ArrayList<>(List.of("ip"));
    if (v6) {
      argv.add("-6");
    }
    argv.addAll(List.of("route", "add", dst));
    if (gateway != null) {
      argv.addAll(List.of("via", gateway));
    }
    argv.addAll(List.of("dev", dev, "proto", protocol, "table", table));
    add(argv, "metric", metric);
    add(argv, "scope", scope);
    add(argv, "src", prefsrc);
    if (onlink) {
      argv.add("onlink");
    }
    return argv;
  }

  private static void add(List<String> argv, String word, String value) {
    if (value != null) {
      argv.add(word);
      argv.add(value);
    }
  }

  @Override
  public String toString() {
    return String.join(" ", addArgv().subList(v6 ? 4 : 3, addArgv().size()));
  }
}
