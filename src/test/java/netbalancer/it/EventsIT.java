package netbalancer.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import netbalancer.lab.Lab;
import netbalancer.lab.LabProcess;
import netbalancer.system.CommandRunner.Result;
import netbalancer.system.ProcessRunner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The event history on the real kernel: a carrier loss and the recovery are both in
 * `net-balancer events` with their reasons, from the running daemon, from STATE_DIR once it has
 * stopped, and from a restarted daemon, which keeps appending to the same history.
 */
@ExtendWith(HostGuard.class)
class EventsIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static Map<String, String> env() {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("DEBOUNCE_TIME", "1");
    env.put("HEALTH_CHECK_ENABLED", "false");
    return env;
  }

  /** "uplink from->to (reason)" for each event `events --json` prints. */
  private static List<String> events(Lab lab, String... extra) throws Exception {
    List<String> args = new ArrayList<>(List.of("events", "--json"));
    args.addAll(List.of(extra));
    Result r = Nb.run(lab, env(), args.toArray(String[]::new));
    assertEquals(0, r.exitCode(), r.stderr());
    List<String> out = new ArrayList<>();
    for (JsonNode e : JSON.readTree(r.stdout()).get("events")) {
      out.add(e.get("uplink").asText() + " " + e.get("from").asText() + "->" + e.get("to").asText() + " ("
          + e.get("reason").asText() + ")");
    }
    return out;
  }

  private static List<String> of(List<String> events, String uplink) {
    return events.stream().filter(e -> e.startsWith(uplink + " ")).toList();
  }

  private static void stop(LabProcess daemon) {
    assertEquals(0, new ProcessRunner().run("kill", "-TERM", Long.toString(daemon.pid())).exitCode());
    assertEquals(0, daemon.waitFor(Duration.ofSeconds(15)), "daemon exits cleanly on SIGTERM");
  }

  @Test
  void carrierLossAndRecoveryAreRecordedWithReasonsAndSurviveARestart() throws Exception {
    try (Lab lab = Lab.create(2)) {
      try (LabProcess daemon = Nb.daemon(lab, env())) {
        List<String> start = events(lab);
        assertTrue(start.stream().anyMatch(e -> e.startsWith("wan1 ->up")), "the start finds wan1: " + start);
        assertTrue(start.stream().anyMatch(e -> e.startsWith("wan2 ->up")), "the start finds wan2: " + start);

        lab.carrierDown(2);
        Await.until(Duration.ofSeconds(3), "wan2 leaves LB_TABLE", () -> Nb.balanced(lab).equals(Set.of("wan1")));
        lab.carrierUp(2);
        Await.until(Duration.ofSeconds(5), "wan2 back", () -> Nb.balanced(lab).equals(Set.of("wan1", "wan2")));
        Await.until(Duration.ofSeconds(3), "the recovery recorded", () -> {
          try {
            return of(events(lab), "wan2").size() >= 3;
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        });
        List<String> wan2 = of(events(lab), "wan2");
        assertEquals(3, wan2.size(), "found, lost, back: " + wan2);
        assertTrue(wan2.get(1).matches("wan2 up->down \\(.*carrier.*\\)"), "the loss with its reason: " + wan2);
        assertTrue(wan2.get(2).matches("wan2 down->(up|recovering) \\(.+\\)"), "the recovery with its reason: " + wan2);

        Result status = Nb.run(lab, env(), "status");
        assertTrue(status.stdout().contains("recent changes") && status.stdout().contains("up -> down"),
            "status shows the last changes:\n" + status.stdout());
        Result table = Nb.run(lab, env(), "events", "--since", "10m");
        assertTrue(table.stdout().lines().anyMatch(l -> l.contains("wan2") && l.contains("up -> down")), table.stdout());
        System.out.print("$ net-balancer events --since 10m\n" + table.stdout());
        stop(daemon);
      }
      // No daemon: the history comes from STATE_DIR.
      List<String> stopped = events(lab);
      assertTrue(stopped.containsAll(of(stopped, "wan2")) && of(stopped, "wan2").size() == 3, "from STATE_DIR: " + stopped);
      assertEquals(List.of(), events(lab, "--since", "PT0S"), "--since 0 shows nothing older than now");

      try (LabProcess again = Nb.daemon(lab, env())) {
        List<String> restarted = events(lab);
        assertTrue(restarted.size() >= stopped.size() + 2, "the restart keeps the history and adds its own: " + restarted);
        assertEquals(stopped, restarted.subList(0, stopped.size()), "the old events come first, unchanged");
        stop(again);
      }
    }
  }
}
