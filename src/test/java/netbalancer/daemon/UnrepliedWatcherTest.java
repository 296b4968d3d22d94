package netbalancer.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import netbalancer.config.Config;
import netbalancer.config.ConfigLoader;
import netbalancer.health.SynEvidence;
import netbalancer.observe.Family;
import netbalancer.observe.PendingSyn;
import netbalancer.plan.Uplink;
import netbalancer.system.CommandRunner;
import netbalancer.system.FakeTicker;
import netbalancer.system.RecordingRunner;
import org.junit.jupiter.api.Test;

class UnrepliedWatcherTest {
  private static final List<Uplink> UPLINKS = List.of(
      new Uplink("wan1", 1, Family.INET, "198.18.1.2", "198.18.1.1", List.of("198.18.1.0/24"), true),
      new Uplink("wan2", 2, Family.INET, "198.18.2.2", "198.18.2.1", List.of("198.18.2.0/24"), true));
  /** Two dual-stack uplinks and an IPv6-only one. */
  private static final List<Uplink> DUAL = List.of(
      new Uplink("wan1", 1, Family.INET, "198.18.1.2", "198.18.1.1", List.of("198.18.1.0/24"), true,
          new Uplink.Ipv6Side("2001:db8:1::2", 64, "fe80::1", List.of("2001:db8:1::/64"))),
      new Uplink("wan2", 2, Family.INET, "198.18.2.2", "198.18.2.1", List.of("198.18.2.0/24"), true,
          new Uplink.Ipv6Side("2001:db8:2::2", 64, "2001:db8:2::1", List.of("2001:db8:2::/64"))),
      Uplink.ipv6Only("wan3", 3, true, new Uplink.Ipv6Side("2001:db8:3::2", 64, "fe80::1", List.of())));

  @Test
  void keepsTheUnansweredSynsOfOurUplinksButNotTheProbesOwn() {
    Config config = ConfigLoader.fromMap(Map.of("HEALTH_PROBE_TARGET", "203.0.113.10",
        "HEALTH_PROBE_PORT", "8080"));
    UnrepliedWatcher w = new UnrepliedWatcher(config, null, (UnrepliedWatcher.FamilyHealth) null, null, () -> UPLINKS,
        () -> { }, new FakeTicker());
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
        w.syns(pending, UPLINKS, Family.INET));
  }

  /** The IPv6 probes' own SYNs are known by the IPv6 side's address, whatever the target's spelling. */
  @Test
  void keepsTheUnansweredIpv6SynsButNotTheIpv6ProbesOwn() {
    Config config = ConfigLoader.fromMap(Map.of("HEALTH_PROBE_TARGETS", "203.0.113.10 2001:DB8:FFFF:0:0::10",
        "HEALTH_PROBE_PORT", "8080"));
    UnrepliedWatcher w = new UnrepliedWatcher(config, null, (UnrepliedWatcher.FamilyHealth) null, null, () -> DUAL,
        () -> { }, new FakeTicker());
    List<PendingSyn> pending = List.of(
        new PendingSyn("2001:db8:ff00::10", 40000, "2001:db8:ffff::10", 8080, "wan2", 8),
        new PendingSyn("2001:db8:2::2", 40001, "2001:db8:ffff::10", 8080, "wan2", 9), // wan2's IPv6 probe
        new PendingSyn("2001:db8:3::2", 40002, "2001:db8:ffff::10", 8080, "wan3", 9), // wan3's
        new PendingSyn("2001:db8:3::2", 40003, "2001:db8:ffff::20", 443, "wan3", 9)); // the router's own traffic
    assertEquals(List.of(
        new SynEvidence.Syn("wan2", "2001:db8:ff00::10", 40000, "2001:db8:ffff::10", 8080, 2, 8),
        new SynEvidence.Syn("wan3", "2001:db8:3::2", 40003, "2001:db8:ffff::20", 443, 1, 9)),
        w.syns(pending, DUAL, Family.INET6));
  }

  /**
   * An IPv6-only blackhole on wan2 under traffic: its IPv6 SYNs stay unanswered in syn_sent6
   * while its IPv4 ones are answered (gone from syn_sent). The IPv6 side's monitor hears of it,
   * first as a reason to probe, then as a counted failure; the IPv4 monitor hears nothing.
   */
  @Test
  void ipv6SuspicionsGoToTheIpv6MonitorAndIpv4OnesToTheIpv4One() {
    FakeTicker ticker = new FakeTicker();
    long start = ticker.read();
    // SYNs sent at 0 s to two IPv6 servers over wan2, never answered; syn_sent empty (answered).
    List<String[]> v6 = List.of(new String[] {"2001:db8:ff00::10", "40000", "2001:db8:ffff::20", "8080", "wan2"},
        new String[] {"2001:db8:ff00::10", "40001", "2001:db8:ffff::21", "8080", "wan2"});
    List<String[]> v4 = new ArrayList<>();
    RecordingRunner runner = new RecordingRunner(c -> {
      List<String[]> elems = c.argv().get(c.argv().size() - 1).equals("syn_sent6") ? v6 : v4;
      long left = 10 - (ticker.read() - start) / 1_000_000_000L;
      return new CommandRunner.Result(0, set(c.argv().get(c.argv().size() - 1), elems, left), "");
    });
    Heard health = new Heard(Set.of("wan1", "wan2"));
    Heard health6 = new Heard(Set.of("wan1", "wan2", "wan3"));
    UnrepliedWatcher w = new UnrepliedWatcher(ConfigLoader.fromMap(Map.of("HEALTH_PROBE_TARGETS",
        "203.0.113.10 2001:db8:ffff::10")), runner, health, health6, () -> DUAL, () -> { }, ticker);
    for (int i = 0; i < 5; i++) { // 0 .. 2 s
      w.tick();
      ticker.advance(Duration.ofMillis(500));
    }
    assertEquals(List.of(), health.heard, "IPv4 saw nothing wrong");
    assertEquals(2, health6.heard.size(), health6.heard.toString());
    assertTrue(health6.heard.get(0).startsWith("wan2 probe: 2 connection(s)"), health6.heard.toString());
    assertTrue(health6.heard.get(1).startsWith("wan2 counts: 2 connection(s) to 2 servers"), health6.heard.toString());
    assertTrue(runner.calls().stream().anyMatch(c -> c.command().equals("nft -j list set inet net_balancer syn_sent")));
    assertTrue(runner.calls().stream().anyMatch(c -> c.command().equals("nft -j list set inet net_balancer syn_sent6")));

    // now an IPv4 blackhole on wan1: its suspicion goes to the IPv4 monitor
    v4.add(new String[] {"192.0.2.10", "50000", "203.0.113.20", "8080", "wan1"});
    v4.add(new String[] {"192.0.2.10", "50001", "203.0.113.21", "8080", "wan1"});
    health6.heard.clear();
    for (int i = 0; i < 5; i++) {
      w.tick();
      ticker.advance(Duration.ofMillis(500));
    }
    assertTrue(health.heard.stream().anyMatch(h -> h.startsWith("wan1 counts:")), health.heard.toString());
    assertTrue(health.heard.stream().allMatch(h -> h.startsWith("wan1 ")), health.heard.toString());
    assertTrue(health6.heard.stream().noneMatch(h -> h.startsWith("wan1 ")), health6.heard.toString());
  }

  /** A family with no eligible uplink costs nothing: its set is not read. */
  @Test
  void aFamilyWithNothingInServiceIsNotRead() {
    FakeTicker ticker = new FakeTicker();
    RecordingRunner runner = new RecordingRunner(c -> new CommandRunner.Result(0, set("syn_sent", List.of(), 10), ""));
    UnrepliedWatcher w = new UnrepliedWatcher(ConfigLoader.fromMap(Map.of()), runner, new Heard(Set.of("wan1")),
        new Heard(Set.of()), () -> DUAL, () -> { }, ticker);
    w.tick();
    assertEquals(List.of("nft -j list set inet net_balancer syn_sent"),
        runner.calls().stream().map(RecordingRunner.Call::command).toList());
  }

  /** nft's JSON for one set, every element with {@code expires} seconds left. */
  private static String set(String name, List<String[]> elems, long expires) {
    StringBuilder sb = new StringBuilder("{\"nftables\": [{\"metainfo\": {\"version\": \"1.0.6\"}}, {\"set\": {"
        + "\"family\": \"inet\", \"name\": \"" + name + "\", \"table\": \"net_balancer\", \"elem\": [");
    for (int i = 0; i < elems.size(); i++) {
      String[] e = elems.get(i);
      sb.append(i == 0 ? "" : ", ").append("{\"elem\": {\"val\": {\"concat\": [\"").append(e[0]).append("\", ")
          .append(e[1]).append(", \"").append(e[2]).append("\", ").append(e[3]).append(", \"").append(e[4])
          .append("\"]}, \"expires\": ").append(expires).append("}}");
    }
    return sb.append("]}}]}").toString();
  }

  /** A monitor that only records what it is told. */
  private static final class Heard implements UnrepliedWatcher.FamilyHealth {
    final Set<String> eligible;
    final List<String> heard = new ArrayList<>();

    Heard(Set<String> eligible) {
      this.eligible = eligible;
    }

    @Override
    public Set<String> eligible() {
      return eligible;
    }

    @Override
    public void suspect(String uplink, String reason, boolean counts) {
      heard.add(uplink + (counts ? " counts: " : " probe: ") + reason);
    }
  }
}
