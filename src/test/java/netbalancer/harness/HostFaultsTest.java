package netbalancer.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import netbalancer.config.ProbeMethod;
import netbalancer.system.CommandRunner.Result;
import netbalancer.system.CommandRunner;
import netbalancer.system.RecordingRunner;
import org.junit.jupiter.api.Test;

/** The host faults against recorded iproute2 output: what is put back, and the exact nft rules. */
class HostFaultsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void routesToPutBackAreTheOnesNeitherTheKernelNorTheBalancerMakes() throws Exception {
    List<String> v4 = new ArrayList<>();
    for (var r : JSON.readTree(IpFixtures.ROUTES_V4)) {
      RouteSpec spec = RouteSpec.restorable(r, false, "v0", 213);
      if (spec != null) {
        v4.add(String.join(" ", spec.addArgv()));
      }
    }
    assertEquals(List.of(
        "ip route add 203.0.113.0/24 via 198.18.50.1 dev v0 proto 4 table 77 onlink",
        "ip route add default via 198.18.50.1 dev v0 proto 16 table 254 metric 101"), v4);
    List<String> v6 = new ArrayList<>();
    for (var r : JSON.readTree(IpFixtures.ROUTES_V6)) {
      RouteSpec spec = RouteSpec.restorable(r, true, "v0", 213);
      if (spec != null) {
        v6.add(String.join(" ", spec.addArgv()));
      }
    }
    assertEquals(List.of("ip -6 route add default via 2001:db8::1 dev v0 proto 3 table 254 metric 50"), v6);
  }

  @Test
  void addressesToPutBackAreTheStaticOnes() throws Exception {
    List<String> argv = AddrSpec.restorable(JSON.readTree(IpFixtures.ADDR).path(0), "v0").stream()
        .map(a -> String.join(" ", a.addArgv())).toList();
    assertEquals(List.of(
        "ip addr add 198.18.50.2/24 dev v0",
        "ip addr add 198.18.60.1 peer 198.18.60.2/32 dev v0",
        "ip -6 addr add 2001:db8::2/64 dev v0 nodad"), argv);
  }

  @Test
  void linkDownRecordsFirstAndAddsBackOnlyWhatIsMissing() {
    boolean[] wasDown = {false}; // the kernel's answers change once the link has been down
    RecordingRunner runner = new RecordingRunner(c -> {
      String cmd = c.command();
      boolean after = wasDown[0];
      if (cmd.equals("ip link set dev v0 down")) {
        wasDown[0] = true;
      }
      if (cmd.equals("ip -j link show dev v0")) {
        return ok(UP);
      }
      if (cmd.equals("ip -j addr show dev v0")) {
        return ok(after ? IpFixtures.ADDR_AFTER_UP : IpFixtures.ADDR);
      }
      if (cmd.startsWith("ip -4 -N -j route show")) {
        return ok(after ? IpFixtures.ROUTES_V4_AFTER_UP : IpFixtures.ROUTES_V4);
      }
      if (cmd.startsWith("ip -6 -N -j route show")) {
        return ok(after ? "[]" : IpFixtures.ROUTES_V6);
      }
      return ok("");
    });
    LinkDown f = new LinkDown(runner, "v0", 213);
    f.apply();
    f.revert();
    List<String> changes = runner.calls().stream().map(RecordingRunner.Call::command)
        .filter(cmd -> !cmd.contains(" show")).toList();
    assertEquals(List.of(
        "ip link set dev v0 down",
        "ip link set dev v0 up",
        "ip -6 addr add 2001:db8::2/64 dev v0 nodad",
        "ip route add 203.0.113.0/24 via 198.18.50.1 dev v0 proto 4 table 77 onlink",
        "ip route add default via 198.18.50.1 dev v0 proto 16 table 254 metric 101",
        "ip -6 route add default via 2001:db8::1 dev v0 proto 3 table 254 metric 50"), changes);
  }

  @Test
  void aRouteThatSomeoneElseAddedMeanwhileCountsAsPutBack() {
    RecordingRunner runner = new RecordingRunner(c -> c.command().startsWith("ip route add")
        ? new Result(2, "", "RTNETLINK answers: File exists\n") : ok(c.command().contains("link show") ? UP : "[]"));
    LinkDown f = new LinkDown(runner, "v0", 213);
    f.apply();
    f.revert(); // nothing recorded, nothing to add: no throw
    assertTrue(runner.calls().stream().noneMatch(c -> c.command().contains(" add ")));
  }

  @Test
  void aLinkThatIsAlreadyDownIsRefusedAndLeftDown() {
    RecordingRunner runner = new RecordingRunner(c -> ok(c.command().contains("link show")
        ? "[{\"ifname\":\"v0\",\"flags\":[\"BROADCAST\",\"MULTICAST\"]}]" : "[]"));
    LinkDown f = new LinkDown(runner, "v0", 213);
    assertThrows(Refused.class, f::apply);
    f.revert();
    assertEquals(List.of("ip -j link show dev v0"),
        runner.calls().stream().map(RecordingRunner.Call::command).toList(), "nothing changed, nothing brought up");
  }

  @Test
  void probeBlockDropsOnlyTheProbesByMethodAndPortInItsOwnTable() {
    RecordingRunner runner = new RecordingRunner();
    List<String> targets = List.of("1.1.1.1", "9.9.9.9", "2606:4700::1111");
    ProbeBlock tcp = new ProbeBlock(runner, targets, ProbeMethod.TCP, 53, null);
    tcp.apply();
    assertEquals("""
        add table inet net_balancer_harness
        delete table inet net_balancer_harness
        table inet net_balancer_harness {
          chain output {
            type filter hook output priority 0; policy accept;
            ip daddr { 1.1.1.1, 9.9.9.9 } tcp dport 53 drop
            ip6 daddr { 2606:4700::1111 } tcp dport 53 drop
          }
        }
        """, runner.calls().get(0).stdin());
    tcp.revert();
    assertEquals("nft delete table inet net_balancer_harness", runner.calls().get(1).command());
    String icmp = new ProbeBlock(runner, List.of("1.1.1.1"), ProbeMethod.ICMP, 53, "wlan0").ruleset();
    assertTrue(icmp.contains("oifname \"wlan0\" ip daddr { 1.1.1.1 } icmp type echo-request drop"), icmp);
  }

  @Test
  void arpBlockDropsTheGatewaysArpOnThatLinkAndFlushesItsEntryBothWays() {
    RecordingRunner runner = new RecordingRunner();
    NeighborBlock f = NeighborBlock.arp(runner, "eth0", "192.0.2.254");
    f.apply();
    f.revert();
    assertTrue(runner.calls().get(0).stdin().contains("table arp net_balancer_harness {"));
    assertTrue(runner.calls().get(0).stdin().contains("iifname \"eth0\" arp saddr ip 192.0.2.254 drop"));
    assertEquals(List.of("nft -f -", "ip neigh flush to 192.0.2.254 dev eth0",
        "nft delete table arp net_balancer_harness", "ip neigh flush to 192.0.2.254 dev eth0"),
        runner.calls().stream().map(RecordingRunner.Call::command).toList());
  }

  @Test
  void ndpBlockDropsTheIpv6GatewaysNeighborDiscoveryOnThatLinkAndFlushesItsEntryBothWays() {
    RecordingRunner runner = new RecordingRunner();
    NeighborBlock f = NeighborBlock.ndp(runner, "eth0", "fe80::1");
    f.apply();
    f.revert();
    assertTrue(runner.calls().get(0).stdin().contains("table ip6 net_balancer_harness {"));
    assertTrue(runner.calls().get(0).stdin().contains(
        "iifname \"eth0\" ip6 saddr fe80::1 icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert } drop"));
    assertEquals(List.of("nft -f -", "ip -6 neigh flush to fe80::1 dev eth0",
        "nft delete table ip6 net_balancer_harness", "ip -6 neigh flush to fe80::1 dev eth0"),
        runner.calls().stream().map(RecordingRunner.Call::command).toList());
  }

  @Test
  void leftoverHarnessTablesAreFoundByNameAndRemoved() {
    RecordingRunner runner = new RecordingRunner(c -> ok(c.command().equals("nft list tables")
        ? "table inet filter\ntable inet net_balancer\ntable arp net_balancer_harness\ntable ip6 net_balancer_harness\n"
        : ""));
    assertEquals(List.of("arp", "ip6"), HarnessTables.removeLeftovers(runner));
    assertEquals("nft delete table arp net_balancer_harness", runner.calls().get(1).command());
    assertEquals("nft delete table ip6 net_balancer_harness", runner.calls().get(2).command());
  }

  private static final String UP = "[{\"ifname\":\"v0\",\"flags\":[\"BROADCAST\",\"MULTICAST\",\"UP\",\"LOWER_UP\"]}]";

  private static Result ok(String out) {
    return new Result(0, out, "");
  }
}
