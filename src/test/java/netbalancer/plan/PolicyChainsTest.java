package netbalancer.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import netbalancer.config.Flow;
import netbalancer.config.Policies;
import netbalancer.config.Policy;
import netbalancer.config.Policy.PortRange;
import netbalancer.config.Policy.Proto;
import netbalancer.config.PolicyLoader;
import netbalancer.observe.Family;
import org.junit.jupiter.api.Test;

class PolicyChainsTest {

  private static List<PolicyChains.Target> targets(Policies policies) {
    List<PolicyChains.Target> out = new ArrayList<>();
    int position = 0;
    for (Policy p : policies.rules()) {
      String chain = "policy_" + ++position;
      PolicyChains.Selector.of(p.match()).forEach(s -> out.add(new PolicyChains.Target(s, chain, p.name())));
    }
    return out;
  }

  private static String render(String file) {
    return PolicyChains.render("policies", targets(PolicyLoader.parse(file, "p.conf")), "counter").text();
  }

  /** Each chain's groups as policy names, e.g. {tcp=[[a, d], [b], [c]]}. */
  private static Map<String, List<List<String>>> groups(String file) {
    Map<String, List<List<String>>> out = new java.util.LinkedHashMap<>();
    PolicyChains.chains(targets(PolicyLoader.parse(file, "p.conf"))).forEach((proto, gs) -> out.put(proto,
        gs.stream().map(g -> g.stream().map(PolicyChains.Target::policy).toList()).toList()));
    return out;
  }

  @Test
  void rulesOfOneShapeBecomeOneMapWithAConcatenatedKey() {
    String text = render("""
        a dst 198.51.100.1 proto tcp dport 1001 -> wan1
        b dst 198.51.100.2 proto tcp dport 1002,2000-2010 -> wan2
        c dst 198.51.100.0/30 proto tcp dport 1003 -> wan1
        """);
    assertEquals("""
        \tchain policies {
        \t\tmeta l4proto vmap { tcp : goto policies_tcp }
        \t\tcounter
        \t}
        \tchain policies_tcp {
        \t\tip daddr . th dport vmap { 198.51.100.1 . 1001 comment "a" : goto policy_1, 198.51.100.2 . 1002 comment "b" \
        : goto policy_2, 198.51.100.2 . 2000-2010 comment "b" : goto policy_2, 198.51.100.0/30 . 1003 comment "c" \
        : goto policy_3 }
        \t\tcounter
        \t}
        """, text);
  }

  @Test
  void anOverlapSplitsTheRunAndOrderIsKept() {
    // b overlaps a (198.51.100.1 is in the /24): b may not join a's map, and stays after it.
    assertEquals(Map.of("", List.of(List.of("a"), List.of("b"))), groups("""
        a dst 198.51.100.1 -> wan1
        b dst 198.51.100.0/24 -> wan2
        """));
    // c cannot move before b (a packet from 192.0.2.9 to 198.51.100.3 is b's), so it opens a map of its own.
    assertEquals(Map.of("", List.of(List.of("a"), List.of("b"), List.of("c", "d"))), groups("""
        a dst 198.51.100.1 -> wan1
        b src 192.0.2.9 -> wan2
        c dst 198.51.100.3 -> wan3
        d dst 198.51.100.4 -> wan1
        """));
    // A rule of another shape that overlaps nothing lets a later one join the map before it.
    assertEquals(Map.of("", List.of(List.of("a", "c"), List.of("b"))), groups("""
        a dst 198.51.100.1 -> wan1
        b dst 198.51.100.9 proto icmp -> wan2
        c dst 198.51.100.3 -> wan3
        """));
  }

  @Test
  void protocolsGetChainsOfTheirOwnThatAlsoHoldTheRulesWithoutOne() {
    Map<String, List<List<String>>> g = groups("""
        u1 src 192.0.2.129 proto udp -> wan2
        t1 proto tcp dport 20000-20005 -> wan3
        any dst 203.0.113.0/24 -> main
        t2 proto tcp dport 22 -> wan1
        u2 src 192.0.2.130 proto udp -> wan1
        ping proto icmp -> blackhole
        """);
    assertEquals(List.of(List.of("any"), List.of("ping", "ping")), g.get("")); // ICMP: one selector per family
    // t2 may not join t1's map: a TCP packet to 203.0.113.0/24 port 22 is any's, and any is between.
    assertEquals(List.of(List.of("t1"), List.of("any"), List.of("t2")), g.get("tcp"));
    assertEquals(List.of(List.of("u1"), List.of("any"), List.of("u2")), g.get("udp"));
    String text = render("""
        t1 proto tcp dport 20000-20005 -> wan3
        u1 src 192.0.2.129 proto udp -> wan2
        t2 proto tcp dport 22 -> wan1
        u2 src 192.0.2.130 proto udp -> wan1
        ping proto icmp -> blackhole
        """);
    assertTrue(text.contains("meta l4proto vmap { tcp : goto policies_tcp, udp : goto policies_udp }"), text);
    assertTrue(text.contains("th dport vmap { 20000-20005 comment \"t1\" : goto policy_1, 22 comment \"t2\" : goto"
        + " policy_3 }"), text);
    assertTrue(text.contains("ip saddr vmap { 192.0.2.129 comment \"u1\" : goto policy_2, 192.0.2.130 comment \"u2\""
        + " : goto policy_4 }"), text);
    // ICMP stays in policies, testing its protocol (one per family: a map of two).
    assertTrue(text.contains("meta l4proto vmap { icmp comment \"ping\" : goto policy_5, ipv6-icmp comment \"ping\""
        + " : goto policy_5 }"), text);
  }

  @Test
  void familiesShapesAndIifKeepTheirOwnKeys() {
    Map<String, List<List<String>>> g = groups("""
        a dst 198.51.100.1 -> wan1
        b dst 2001:db8:1::/48 -> wan2
        c dst 198.51.100.2 -> wan1
        d dst 2001:db8:2::/48 -> wan1
        e iif lan0 dst 198.51.100.3 -> wan2
        f iif lan1 dst 198.51.100.3 -> wan2
        """);
    assertEquals(List.of(List.of("a", "c"), List.of("b", "d"), List.of("e", "f")), g.get(""));
    String text = render("""
        e iif lan0 dst 198.51.100.3 -> wan2
        f iif lan1 dst 198.51.100.3 -> wan2
        b dst 2001:db8:1::/48 -> wan2
        d dst 2001:db8:2::/48 -> wan1
        """);
    assertTrue(text.contains("iifname . ip daddr vmap { \"lan0\" . 198.51.100.3 comment \"e\" : goto policy_1, "
        + "\"lan1\" . 198.51.100.3 comment \"f\" : goto policy_2 }"), text);
    assertTrue(text.contains("ip6 daddr vmap { 2001:db8:1::/48 comment \"b\""), text);
  }

  @Test
  void aRulesOwnOverlappingItemsAreJoinedSoThatTheMapTakesThem() {
    String text = render("""
        a dst 10.0.0.0/8,10.1.0.0/16 proto tcp dport 1000-2000,1500,2001 -> wan1
        b dst 11.0.0.1 proto tcp dport 80 -> wan2
        """);
    assertTrue(text.contains("ip daddr . th dport vmap { 10.0.0.0/8 . 1000-2001 comment \"a\" : goto policy_1, "
        + "11.0.0.1 . 80 comment \"b\" : goto policy_2 }"), text);
  }

  @Test
  void aRuleWithTooManyElementsOrNoFieldStaysARule() {
    StringBuilder ports = new StringBuilder();
    for (int i = 0; i < 40; i++) {
      ports.append(i == 0 ? "" : ",").append(1000 + 2 * i);
    }
    StringBuilder nets = new StringBuilder();
    for (int i = 0; i < 30; i++) {
      nets.append(i == 0 ? "" : ",").append("198.51.100.").append(i + 1);
    }
    String file = "big dst " + nets + " proto tcp dport " + ports + " -> wan1\n"
        + "small dst 203.0.113.1 proto tcp dport 80 -> wan2\n"
        + "all -> wan3\n"
        + "after dst 203.0.113.2 proto tcp dport 80 -> wan2\n";
    assertEquals(List.of(List.of("big"), List.of("small"), List.of("all"), List.of("after")), groups(file).get("tcp"));
    assertTrue(render(file).contains("\t\tgoto policy_3 comment \"all\"\n"), render(file));
  }

  /**
   * The property that matters: for any file and any connection, the chains decide as the file's
   * first match does ({@link Flow#firstMatch}, which explain uses), and one map never holds two
   * elements one packet could match. Random files over a few overlapping networks and ports.
   */
  @Test
  void theChainsDecideAsFirstMatchForRandomFilesAndFlows() {
    for (long seed = 1; seed <= 300; seed++) {
      Random rnd = new Random(seed);
      String file = randomFile(rnd);
      Policies policies = PolicyLoader.parse(file, "p.conf");
      Map<String, List<List<PolicyChains.Target>>> chains = PolicyChains.chains(targets(policies));
      for (List<List<PolicyChains.Target>> gs : chains.values()) {
        for (List<PolicyChains.Target> g : gs) {
          for (int i = 0; i < g.size(); i++) {
            for (int j = i + 1; j < g.size(); j++) {
              assertFalse(g.get(i).selector().overlaps(g.get(j).selector()), "seed " + seed + ":\n" + file);
            }
          }
        }
      }
      for (int k = 0; k < 200; k++) {
        Flow flow = randomFlow(rnd);
        Policy expected = flow.firstMatch(policies);
        String got = decide(chains, flow);
        assertEquals(expected == null ? null : expected.name(), got, "seed " + seed + ", " + flow + ":\n" + file
            + "\n" + PolicyChains.render("policies", targets(policies), "counter").text());
      }
    }
  }

  private static final String[] NETS4 = {"10.0.0.0/8", "10.1.0.0/16", "10.1.2.0/24", "10.1.2.3", "10.2.0.0/16",
      "192.0.2.0/25"};
  private static final String[] NETS6 = {"2001:db8::/32", "2001:db8:1::/48", "2001:db8:1::5"};
  private static final String[] PORTS = {"80", "443", "1000-2000", "1500", "22", "1999-2001"};
  private static final String[] ADDRS4 = {"10.1.2.3", "10.1.2.4", "10.1.5.5", "10.2.0.1", "10.9.9.9", "192.0.2.7"};
  private static final String[] ADDRS6 = {"2001:db8:1::5", "2001:db8:1::6", "2001:db8:2::1", "2001:db9::1"};
  private static final int[] FLOW_PORTS = {80, 443, 1500, 1999, 2001, 22, 5000};

  private static String randomFile(Random rnd) {
    StringBuilder sb = new StringBuilder();
    int n = 1 + rnd.nextInt(12);
    for (int i = 0; i < n; i++) {
      sb.append("r").append(i);
      boolean v6 = rnd.nextInt(4) == 0;
      String[] nets = v6 ? NETS6 : NETS4;
      if (rnd.nextInt(3) == 0) {
        sb.append(" iif lan").append(rnd.nextInt(2));
      }
      if (rnd.nextInt(2) == 0) {
        sb.append(" src ").append(list(rnd, nets));
      }
      if (rnd.nextInt(2) == 0) {
        sb.append(" dst ").append(list(rnd, nets));
      }
      Proto proto = Proto.values()[rnd.nextInt(Proto.values().length)];
      if (proto != Proto.ANY || rnd.nextBoolean()) {
        sb.append(" proto ").append(proto.word());
      }
      if (proto == Proto.TCP || proto == Proto.UDP) {
        if (rnd.nextInt(3) == 0) {
          sb.append(" sport ").append(list(rnd, PORTS));
        }
        if (rnd.nextInt(3) > 0) {
          sb.append(" dport ").append(list(rnd, PORTS));
        }
      }
      sb.append(" -> wan").append(1 + rnd.nextInt(3)).append('\n');
    }
    return sb.toString();
  }

  private static String list(Random rnd, String[] items) {
    List<String> pool = new ArrayList<>(List.of(items));
    java.util.Collections.shuffle(pool, rnd);
    return String.join(",", pool.subList(0, 1 + rnd.nextInt(2)));
  }

  private static Flow randomFlow(Random rnd) {
    String[] addrs = rnd.nextInt(3) == 0 ? ADDRS6 : ADDRS4;
    Proto proto = List.of(Proto.TCP, Proto.UDP, Proto.ICMP).get(rnd.nextInt(3));
    boolean ports = proto != Proto.ICMP;
    return new Flow(addrs[rnd.nextInt(addrs.length)], addrs[rnd.nextInt(addrs.length)], proto,
        ports ? FLOW_PORTS[rnd.nextInt(FLOW_PORTS.length)] : null, ports ? FLOW_PORTS[rnd.nextInt(FLOW_PORTS.length)] : null,
        "lan" + rnd.nextInt(2));
  }

  /** What the kernel does with the chains: the protocol's chain if it has one, then the first group that matches. */
  private static String decide(Map<String, List<List<PolicyChains.Target>>> chains, Flow flow) {
    Family family = Family.of(flow.src());
    String l4 = flow.proto() == Proto.ICMP ? (family == Family.INET ? "icmp" : "ipv6-icmp") : flow.proto().word();
    List<List<PolicyChains.Target>> chain = chains.getOrDefault(l4, chains.get(""));
    for (List<PolicyChains.Target> group : chain) {
      List<String> hit = group.stream().filter(t -> matches(t.selector(), flow, family, l4))
          .map(PolicyChains.Target::policy).toList();
      assertTrue(hit.size() <= 1, "two elements of one map match " + flow + ": " + hit);
      if (!hit.isEmpty()) {
        return hit.get(0);
      }
    }
    return null;
  }

  private static boolean matches(PolicyChains.Selector s, Flow f, Family family, String l4) {
    return (s.family() == null || s.family() == family)
        && (s.iif() == null || s.iif().equals(f.iif()))
        && (s.src().isEmpty() || s.src().stream().anyMatch(n -> Policy.within(f.src(), n)))
        && (s.dst().isEmpty() || s.dst().stream().anyMatch(n -> Policy.within(f.dst(), n)))
        && (s.proto() == null || s.proto().equals(l4))
        && (s.sport().isEmpty() || s.sport().stream().anyMatch(r -> r.overlaps(new PortRange(f.sport(), f.sport()))))
        && (s.dport().isEmpty() || s.dport().stream().anyMatch(r -> r.overlaps(new PortRange(f.dport(), f.dport()))));
  }
}
