package netbalancer.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import netbalancer.config.Config;
import netbalancer.config.ConfigLoader;
import netbalancer.health.SynEvidence;
import netbalancer.observe.Family;
import netbalancer.plan.Uplink;
import netbalancer.system.FakeTicker;
import org.junit.jupiter.api.Test;

class UnrepliedWatcherTest {
  private static final List<Uplink> UPLINKS = List.of(
      new Uplink("wan1", 1, Family.INET, "198.18.1.2", "198.18.1.1", List.of("198.18.1.0/24"), true),
      new Uplink("wan2", 2, Family.INET, "198.18.2.2", "198.18.2.1", List.of("198.18.2.0/24"), true));

  @Test
  void keepsUnrepliedSynSentEntriesOfOurUplinksButNotTheProbesOwn() {
    Config config = ConfigLoader.fromMap(java.util.Map.of("HEALTH_PROBE_TARGET", "203.0.113.10",
        "HEALTH_PROBE_PORT", "8080"));
    UnrepliedWatcher w = new UnrepliedWatcher(config, null, null, () -> UPLINKS, () -> { }, new FakeTicker());
    String listing = String.join("\n",
        "tcp      6 118 SYN_SENT src=192.0.2.10 dst=203.0.113.10 sport=52040 dport=8080 [UNREPLIED] "
            + "src=203.0.113.10 dst=198.18.1.2 sport=8080 dport=52040 mark=256 use=1",
        // another program's mark bits around ours
        "tcp      6 119 SYN_SENT src=192.0.2.10 dst=203.0.113.11 sport=52041 dport=443 [UNREPLIED] "
            + "src=203.0.113.11 dst=198.18.2.2 sport=443 dport=52041 mark=16908800 use=1",
        // the health probe from wan1's own address
        "tcp      6 119 SYN_SENT src=198.18.1.2 dst=203.0.113.10 sport=33000 dport=8080 [UNREPLIED] "
            + "src=203.0.113.10 dst=198.18.1.2 sport=8080 dport=33000 mark=256 use=1",
        // not pinned, replied, or no mark at all
        "tcp      6 119 SYN_SENT src=192.0.2.10 dst=203.0.113.12 sport=1 dport=80 [UNREPLIED] "
            + "src=203.0.113.12 dst=192.0.2.10 sport=80 dport=1 mark=0 use=1",
        "tcp      6 119 SYN_SENT src=192.0.2.10 dst=203.0.113.12 sport=2 dport=80 "
            + "src=203.0.113.12 dst=198.18.1.2 sport=80 dport=2 mark=256 use=1",
        "tcp      6 119 SYN_SENT src=192.0.2.10 dst=203.0.113.12 sport=3 dport=80 [UNREPLIED] "
            + "src=203.0.113.12 dst=198.18.1.2 sport=80 dport=3 use=1",
        "garbage [UNREPLIED]");
    assertEquals(List.of(
        new SynEvidence.Syn("wan1", "192.0.2.10", 52040, "203.0.113.10", 8080, 2, 118),
        new SynEvidence.Syn("wan2", "192.0.2.10", 52041, "203.0.113.11", 443, 1, 119)),
        w.parse(listing, UPLINKS, 120));
  }
}
