package netbalancer.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import netbalancer.config.Config;
import org.junit.jupiter.api.Test;

/** Limits from settings, result lines and the demo's table: what a user reads. */
class ReportingTest {
  @Test
  void limitsFollowTheBalancersOwnSettings() {
    Limits lab = Limits.of(Config.of(Map.of("HEALTH_CHECK_INTERVAL", "1", "HEALTH_CHECK_FAST_INTERVAL", "1",
        "HEALTH_CHECK_TIMEOUT", "1", "DEBOUNCE_TIME", "1", "FAILOVER_HOLD_DOWN", "2", "FAILOVER_BACKOFF_BASE", "1",
        "FAILOVER_BACKOFF_MAX", "4")));
    assertEquals(Duration.ofSeconds(3), lab.out());
    assertEquals(Duration.ofSeconds(7), lab.health()); // 1 s + 1 fast round + 2 timeouts + 3 s slack
    assertEquals(Duration.ofSeconds(8), lab.neighbor()); // a probe, its timeout, ARP's 3 s, slack
    assertEquals(Duration.ofSeconds(11), lab.back()); // debounce, slack, hold-down 4, a round, a gap
    Limits seed = Limits.of(Config.defaults());
    assertEquals(Duration.ofSeconds(30 + 1 + 6 + 3), seed.health());
    assertTrue(seed.back().compareTo(Duration.ofSeconds(300)) > 0, "hold-down with backoff up to 300 s");
    Limits noHealth = Limits.of(Config.of(Map.of("HEALTH_CHECK_ENABLED", "false")));
    assertEquals(Duration.ofSeconds(5), noHealth.back());
  }

  @Test
  void resultLinesShowVerdictTitleSummaryAndProblems() {
    assertEquals(String.format("PASS  %-28s reacted in 35 ms%n", "down-up wan2 3"),
        Result.of("down-up wan2 3", "reacted in 35 ms", List.of()).render());
    String fail = Result.of("flap wan2 5", "not back", List.of("wan2 not balanced again", "wan1 left")).render();
    assertTrue(fail.startsWith("FAIL  flap wan2 5"), fail);
    assertTrue(fail.contains("        - wan1 left\n"), fail);
    assertEquals(Result.Outcome.SKIP, Result.skip("health-block 5", "disabled").outcome());
  }

  @Test
  void scenariosThatNothingCouldReactToAreSkipped() {
    Config off = Config.of(Map.of("HEALTH_CHECK_ENABLED", "false", "NEIGHBOR_REACHABILITY_ENABLED", "false"));
    assertTrue(Scenarios.nothingWouldReact("health-block 5", off).contains("HEALTH_CHECK_ENABLED=false"));
    assertTrue(Scenarios.nothingWouldReact("neighbor-fail wan1 5", off) != null);
    assertEquals(null, Scenarios.nothingWouldReact("down-up wan1 5", off));
    assertEquals(null, Scenarios.nothingWouldReact("neighbor-fail wan1 5", Config.defaults()));
  }

  @Test
  void theDemoTableShowsStateMembershipAndShare() {
    DaemonView daemon = DaemonView.parse("""
        {"uplinks":[{"name":"wan1","state":"up"},{"name":"wan2","state":"down"},{"name":"wan3","state":"up"}]}""");
    String table = ShareTable.render(6.9, List.of("wan1", "wan2", "wan3"), Map.of("wan1", 2), daemon,
        Set.of("wan1", "wan3"), Map.of("wan1", 35, "wan3", 25), 0);
    assertEquals("""
          [  6.9 s] UPLINK  WEIGHT  STATE      LB_TABLE  SHARE of the last 60 connections
                    wan1    2       up         yes        58% ##############
                    wan2    1       down       no          0%\s
                    wan3    1       up         yes        42% ##########
        """, table);
    assertTrue(ShareTable.render(1, List.of("wan1"), Map.of(), null, Set.of(), Map.of("wan1", 9), 1)
        .contains("failed"));
  }

  @Test
  void timesReadAsMillisecondsOrSeconds() {
    assertEquals("35 ms", Scenarios.millis(35_400_000L));
    assertEquals("1.74 s", Scenarios.millis(1_740_000_000L));
  }
}
