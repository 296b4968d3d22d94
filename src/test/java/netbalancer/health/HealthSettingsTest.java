package netbalancer.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import netbalancer.config.Config;
import netbalancer.config.ProbeMethod;
import org.junit.jupiter.api.Test;

class HealthSettingsTest {

  private static Duration s(long seconds) {
    return Duration.ofSeconds(seconds);
  }

  @Test
  void eachFamilyProbesItsOwnTargetsWithTheQuorumCappedAndNoneMeansNotProbed() {
    HealthSettings mixed = TestSettings.defaults().targets(2, "198.51.100.7", "203.0.113.9", "2001:db8:ffff::10")
        .build();
    HealthSettings v4 = mixed.forFamily(false);
    HealthSettings v6 = mixed.forFamily(true);
    assertEquals(List.of("198.51.100.7", "203.0.113.9"), v4.targets());
    assertEquals(2, v4.quorum());
    assertEquals(List.of("2001:db8:ffff::10"), v6.targets());
    assertEquals(1, v6.quorum(), "capped at the family's targets");
    assertTrue(v4.enabled() && v6.enabled());
    HealthSettings only4 = TestSettings.defaults().targets(1, "198.51.100.7").build();
    assertFalse(only4.forFamily(true).enabled(), "no IPv6 target: IPv6 is not probed on its own");
    assertTrue(only4.forFamily(false).enabled());
    assertFalse(TestSettings.defaults().enabled(false).targets(1, "2001:db8::1").build().forFamily(true).enabled());
  }

  @Test
  void holdDownGrowsFromTheBaseAndStopsAtTheMax() {
    HealthSettings h = HealthSettings.defaults(); // hold-down 60, base 30, max 300
    List<Duration> got = List.of(h.holdDownFor(1), h.holdDownFor(2), h.holdDownFor(3), h.holdDownFor(4),
        h.holdDownFor(5), h.holdDownFor(6), h.holdDownFor(1_000));
    assertEquals(List.of(s(60), s(90), s(120), s(180), s(300), s(300), s(300)), got);
  }

  @Test
  void aHoldDownLongerThanTheMaxIsKeptButNeverExceeded() {
    HealthSettings h = TestSettings.defaults().backoff(600, 30, 300).build();
    assertEquals(s(600), h.maxHoldDown());
    assertEquals(s(600), h.holdDownFor(1));
    assertEquals(s(600), h.holdDownFor(50));
  }

  @Test
  void zeroBaseMeansNoBackoff() {
    HealthSettings h = TestSettings.defaults().backoff(60, 0, 0).build();
    assertEquals(s(60), h.holdDownFor(1));
    assertEquals(s(60), h.holdDownFor(Integer.MAX_VALUE));
  }

  @Test
  void probeGapsNeverGoBelowOneSecond() {
    HealthSettings h = TestSettings.defaults().fast(Duration.ofMillis(100)).build();
    assertEquals(s(1), h.probeGap(true));
    assertEquals(s(30), h.probeGap(false));
  }

  @Test
  void fromConfigCopiesTheSeedDefaults() {
    assertEquals(HealthSettings.defaults(), HealthSettings.from(Config.defaults()));
  }

  @Test
  void fromConfigUsesTheTargetListAndItsQuorum() {
    Config c = Config.of(Map.of("HEALTH_PROBE_TARGETS", "9.9.9.9 8.8.8.8 1.0.0.1", "HEALTH_PROBE_QUORUM", "2",
        "HEALTH_PROBE_METHOD", "icmp", "HEALTH_CHECK_ENABLED", "false", "FAILOVER_HOLD_DOWN", "10"));
    HealthSettings h = HealthSettings.from(c);
    assertEquals(List.of("9.9.9.9", "8.8.8.8", "1.0.0.1"), h.targets());
    assertEquals(2, h.quorum());
    assertEquals(ProbeMethod.ICMP, h.method());
    assertEquals(false, h.enabled());
    assertEquals(s(10), h.holdDown());
  }

  @Test
  void rejectsAQuorumLargerThanTheTargets() {
    assertThrows(IllegalArgumentException.class, () -> TestSettings.defaults().targets(2, "t1").build());
  }
}
