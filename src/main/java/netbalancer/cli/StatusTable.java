package netbalancer.cli;

import com.fasterxml.jackson.databind.JsonNode;

/** The status document as a table that fits 100 columns for a handful of uplinks. */
final class StatusTable {
  private static final String ROW = "%-15s %-9s %-15s %-15s %6s %5s %-6s %-3s %s%n";

  private StatusTable() {
  }

  static String render(JsonNode doc, boolean fromDaemon) {
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(ROW, "UPLINK", "STATE", "ADDRESS", "GATEWAY", "WEIGHT", "TABLE", "MARK", "LB", "REASON"));
    for (JsonNode u : doc.path("uplinks")) {
      String reason = u.path("reason").asText("");
      sb.append(String.format(ROW, u.path("name").asText(), u.path("state").asText(), u.path("address").asText(),
          u.path("gateway").isNull() ? "-" : u.path("gateway").asText(), u.path("weight").asText(),
          u.path("table").asText(), u.path("mark").asText(), u.path("balanced").asBoolean() ? "yes" : "no",
          reason.length() > 28 ? reason.substring(0, 27) + "…" : reason));
    }
    if (doc.path("uplinks").isEmpty()) {
      sb.append("(no uplinks: no default route in the main table and none in UPLINKS)\n");
    }
    if (!fromDaemon) {
      sb.append("(no daemon running: states from carrier alone)\n");
    } else if (doc.path("failOpen").asBoolean()) {
      sb.append("FAIL-OPEN: no uplink is healthy; balancing over every uplink with carrier\n");
    }
    return sb.toString();
  }
}
