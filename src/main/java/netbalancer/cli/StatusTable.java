package netbalancer.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Locale;

/**
 * The status document as a table an operator reads at a glance: one line per uplink (at most
 * 99 columns), then its reason and since when. Colour only when asked (on a terminal).
 */
final class StatusTable {
  private static final String ROW = "%-10s %-13s %3s %6s %-15s %-15s %7s %4s %6s %11s%n";
  private static final String RESET = "\u001b[0m";

  private StatusTable() {
  }

  static String render(JsonNode doc, boolean fromDaemon, boolean colour) {
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(ROW, "UPLINK", "STATE", "W", "SHARE", "ADDRESS", "GATEWAY", "RTT", "LOSS", "CONNS",
        "TX/RX"));
    for (JsonNode u : doc.path("uplinks")) {
      String state = u.path("state").asText();
      if (u.hasNonNull("holdDownSeconds")) {
        state += " " + u.get("holdDownSeconds").asLong() + "s";
      }
      String name = u.path("name").asText() + (u.path("balanced").asBoolean() ? "*" : "");
      String line = String.format(ROW, name, state, u.path("weight").asText(),
          u.hasNonNull("share") ? String.format(Locale.ROOT, "%.1f%%", u.get("share").asDouble()) : "-",
          u.path("address").asText(), u.path("gateway").isNull() ? "(p2p)" : u.path("gateway").asText(),
          u.hasNonNull("rttMillis") ? String.format(Locale.ROOT, "%.1fms", u.get("rttMillis").asDouble()) : "-",
          u.hasNonNull("loss") ? Math.round(100 * u.get("loss").asDouble()) + "%" : "-",
          u.has("connections") ? u.get("connections").asText() : "-",
          u.has("txBytes") ? bytes(u.get("txBytes").asLong()) + "/" + bytes(u.get("rxBytes").asLong()) : "-");
      sb.append(colour ? paint(u.path("state").asText(), line) : line);
      JsonNode v6 = u.path("ipv6");
      if (v6.isObject()) { // the uplink's IPv6 side, under it: its own state, address and gateway
        String line6 = String.format(ROW, " ipv6" + (v6.path("balanced").asBoolean() ? "*" : ""),
            v6.path("state").asText() + (v6.hasNonNull("holdDownSeconds") ? " " + v6.get("holdDownSeconds").asLong()
                + "s" : ""), "", "", v6.path("address").asText(),
            v6.path("gateway").isNull() ? "(p2p)" : v6.path("gateway").asText(),
            v6.hasNonNull("rttMillis") ? String.format(Locale.ROOT, "%.1fms", v6.get("rttMillis").asDouble()) : "-",
            v6.hasNonNull("loss") ? Math.round(100 * v6.get("loss").asDouble()) + "%" : "-", "", "");
        sb.append(colour ? paint(v6.path("state").asText(), line6) : line6);
        if (!v6.path("state").asText().equals(u.path("state").asText())) {
          sb.append("           ipv6: ").append(v6.path("reason").asText("")).append('\n');
        }
      }
      String since = u.path("since").asText("null");
      int tier = u.path("tier").asInt(1);
      sb.append("           ").append(u.path("reason").asText("")).append(tier > 1 ? "; failover tier " + tier : "")
          .append("null".equals(since) || since.isEmpty() ? "" : ", since " + since).append('\n');
    }
    if (doc.path("uplinks").isEmpty()) {
      sb.append("(no uplinks: no default route in the main table and none in UPLINKS)\n");
    }
    sb.append("* = in LB_TABLE (takes new connections); ipv6: the uplink's IPv6 side, in LB_TABLE's IPv6 route\n");
    if (!doc.path("policies").isEmpty()) {
      sb.append("policies: share of new connections (since the ruleset was last replaced), uplinks in use now\n");
    }
    for (JsonNode p : doc.path("policies")) {
      List<String> absent = new java.util.ArrayList<>();
      p.path("absent").forEach(u -> absent.add(u.asText()));
      JsonNode v6 = p.path("ipv6");
      sb.append(String.format("policy %-15s %6s  %s%s%s%n", p.path("name").asText(),
          p.hasNonNull("share") ? String.format(Locale.ROOT, "%.1f%%", p.get("share").asDouble()) : "-", uses(p),
          v6.isObject() ? "; ipv6 " + uses(v6) : "",
          absent.isEmpty() ? "" : "  (not uplinks now: " + String.join(",", absent) + ")"));
    }
    if (!fromDaemon) {
      sb.append("(no daemon running: state from carrier alone)\n");
    } else if (doc.path("failOpen").asBoolean()) {
      sb.append("FAIL-OPEN: no uplink is healthy; balancing over every uplink with carrier\n");
    }
    return sb.toString();
  }

  /** A policy's (or its IPv6 side's) uplinks in use now, in words. */
  private static String uses(JsonNode p) {
    List<String> ups = new java.util.ArrayList<>();
    p.path("uplinks").forEach(u -> ups.add(u.asText()));
    String route = p.path("route").asText();
    return (route.equals("uplinks") ? String.join(",", ups) : route.equals("balanced") ? "balanced ("
        + (ups.isEmpty() ? "none" : String.join(",", ups)) + ")" : route)
        + (p.path("fallback").asBoolean() ? " (fallback: its uplinks are not eligible)" : "");
  }

  private static String paint(String state, String line) {
    String c = switch (state) {
      case "up" -> "\u001b[32m";
      case "degraded", "draining" -> "\u001b[33m";
      default -> "\u001b[31m";
    };
    return c + line.stripTrailing() + RESET + "\n";
  }

  /** 1536 → "1.5K": short enough for the column. */
  static String bytes(long n) {
    if (n < 1024) {
      return Long.toString(n);
    }
    String units = "KMGTPE";
    double v = n;
    int i = -1;
    while (v >= 1024 && i < units.length() - 1) {
      v /= 1024;
      i++;
    }
    return String.format(Locale.ROOT, v < 10 ? "%.1f%c" : "%.0f%c", v, units.charAt(i));
  }
}
