package netbalancer.harness;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import netbalancer.daemon.DaemonClient;
import netbalancer.plan.UplinkState;

/** The running daemon's view of the uplinks, from its status over the control socket. */
record DaemonView(Map<String, Entry> uplinks, boolean failOpen) {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One uplink's state as the daemon names it (up, degraded, draining, down, hold-down). */
  record Entry(String state, String reason) {
    boolean eligible() {
      try {
        return UplinkState.fromWireName(state).eligible();
      } catch (IllegalArgumentException e) {
        return false;
      }
    }
  }

  DaemonView {
    uplinks = Map.copyOf(uplinks);
  }

  /** Asks the daemon; null when none answers. */
  static DaemonView request(Path socket) {
    String answer = DaemonClient.request(socket, "status");
    return answer == null ? null : parse(answer);
  }

  static DaemonView parse(String json) {
    JsonNode doc;
    try {
      doc = JSON.readTree(json);
    } catch (IOException e) {
      return null;
    }
    Map<String, Entry> uplinks = new LinkedHashMap<>();
    for (JsonNode u : doc.path("uplinks")) {
      uplinks.put(u.path("name").asText(), new Entry(u.path("state").asText(), u.path("reason").asText()));
    }
    return new DaemonView(uplinks, doc.path("failOpen").asBoolean());
  }

  String state(String uplink) {
    Entry e = uplinks.get(uplink);
    return e == null ? "absent" : e.state();
  }

  boolean eligible(String uplink) {
    Entry e = uplinks.get(uplink);
    return e != null && e.eligible();
  }

  boolean allEligible() {
    return !uplinks.isEmpty() && uplinks.values().stream().allMatch(Entry::eligible);
  }

  boolean noneEligible() {
    return !uplinks.isEmpty() && uplinks.values().stream().noneMatch(Entry::eligible);
  }

  /** What changed since {@code before} (null: nothing known before), one line per uplink. */
  List<String> changesSince(DaemonView before) {
    List<String> out = new ArrayList<>();
    Map<String, Entry> old = before == null ? Map.of() : before.uplinks;
    uplinks.forEach((name, e) -> {
      Entry o = old.get(name);
      if (o == null) {
        out.add(name + " " + e.state() + " (" + e.reason() + ")");
      } else if (!o.state().equals(e.state())) {
        out.add(name + " " + o.state() + " -> " + e.state() + " (" + e.reason() + ")");
      }
    });
    old.keySet().stream().filter(n -> !uplinks.containsKey(n)).forEach(n -> out.add(n + " gone"));
    if (before != null && before.failOpen != failOpen) {
      out.add(failOpen ? "FAIL-OPEN: no uplink healthy, balancing over all with carrier" : "fail-open over");
    }
    return out;
  }
}
