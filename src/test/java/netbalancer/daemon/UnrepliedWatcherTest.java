package netbalancer.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import netbalancer.config.Config;
import netbalancer.config.ConfigLoader;
import netbalancer.health.SynEvidence;
import netbalancer.observe.Family;
import netbalancer.observe.PendingSyn;
import netbalancer.plan.Uplink;
import netbalancer.system.FakeTicker;
import org.junit.jupiter.api.Test;

class UnrepliedWatcherTest {
  private static final List<Uplink> UPLINKS = List.of(
      new Uplink("wan1", 1, Family.INET, "198.18.1.2", "198.18.1.1", List.of("198.18.1.0/24"), true),
      new Uplink("wan2", 2, Family.INET, "198.18.2.2", "198.18.2.1", List.of("198.18.2.0/24"), true));

  @Test
  void keepsTheUnansweredSynsOfOurUplinksButNotTheProbesOwn() {
    Config config = ConfigLoader.fromMap(java.util.Map.of("HEALTH_PROBE_TARGET", "203.0.113.10",
        "HEALTH_PROBE_PORT", "8080"));
    UnrepliedWatcher w = new UnrepliedWatcher(config, null, null, () -> UPLINKS, () -> { }, new FakeTicker());
    List<PendingSyn> pending = List.of(
        new PendingSyn("192.0.2.10", 52040, "203.0.113.10", 8080, "wan1", 8),
        new PendingSyn("192.0.2.10", 52041, "203.0.113.11", 443, "wan2", 9),
        // the health probe from wan1's own address
        new PendingSyn("198.18.1.2", 33000, "203.0.113.10", 8080, "wan1", 9),
        // an uplink that is gone
        new PendingSyn("192.0.2.10", 52042, "203.0.113.12", 80, "wan9", 9));
    assertEquals(List.of(
        new SynEvidence.Syn("wan1", "192.0.2.10", 52040, "203.0.113.10", 8080, 2, 8),
        new SynEvidence.Syn("wan2", "192.0.2.10", 52041, "203.0.113.11", 443, 1, 9)),
        w.syns(pending, UPLINKS));
  }
}
