package netbalancer.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import netbalancer.config.Config;
import netbalancer.config.Policies;
import netbalancer.config.PolicyLoader;
import netbalancer.lab.Lab;
import netbalancer.lab.LabProcess;
import netbalancer.lab.LoadReport;
import netbalancer.observe.Family;
import netbalancer.plan.PolicyPlan;
import netbalancer.plan.PolicyPlanner;
import netbalancer.plan.Uplink;
import netbalancer.system.CommandRunner.Result;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The policies' kernel design on the real kernel, before the daemon applies it: net-balancer
 * applies the global balance, then this test adds what {@link PolicyPlanner} plans (its rules,
 * routes and nft chain) to the lab router, and plays the daemon's part on failover by applying a
 * new plan for the changed eligible set. Proves the marks, tables, first-packet classification,
 * tier failover by route change, {@code else unreachable} and the {@code main} bypass.
 */
@ExtendWith(HostGuard.class)
class PolicyPlanIT {
  static final int VOIP = 8081;
  static final int GUESTS = 8082;
  static final int OFFICE = 8083;

  static final String FILE = "voip   proto tcp dport " + VOIP + "               -> wan2 > wan3\n"
      + "office dst " + Lab.SERVER_ADDRESS + " proto tcp dport " + OFFICE + " -> main\n"
      + "guests src " + Lab.CLIENT_ADDRESS + " proto tcp dport " + GUESTS + " -> wan3 else unreachable\n";

  private static List<Uplink> uplinks(Lab lab) {
    List<Uplink> out = new ArrayList<>();
    for (int i = 1; i <= 3; i++) {
      out.add(new Uplink(lab.uplinkName(i), i, Family.INET, lab.uplinkAddress(i), lab.gatewayAddress(i), List.of(),
          true));
    }
    return out;
  }

  /** The plan's ip batch; on a re-plan (rules in place already) only its routes. */
  private static void applyRoutes(Lab lab, PolicyPlan plan, boolean rulesToo) {
    List<String> lines = plan.ipBatch().stream().filter(l -> rulesToo || l.startsWith("route ")).toList();
    Result r = lab.exec(lab.routerNs(), List.of("ip", "-batch", "-"), String.join("\n", lines) + "\n",
        java.time.Duration.ofSeconds(10));
    assertEquals(0, r.exitCode(), r.stderr());
  }

  /** The policies chain and its three hooks, added to the table apply made. */
  private static void applyNft(Lab lab, PolicyPlan plan) {
    String t = "inet net_balancer";
    StringBuilder script = new StringBuilder("add chain " + t + " policies\n");
    for (String line : plan.nftDefinitions().split("\n")) {
      String rule = line.strip();
      if (!rule.isEmpty() && !rule.startsWith("chain ") && !rule.equals("}")) {
        script.append("add rule ").append(t).append(" policies ").append(rule).append('\n');
      }
    }
    for (String hook : plan.nftHooks()) {
      String chain = hook.substring(0, hook.indexOf(':'));
      String rule = hook.substring(hook.indexOf(':') + 2);
      // After the restore vmap in prerouting/output; before pinning and SNAT in nat_postrouting.
      script.append(chain.equals("nat_postrouting") ? "insert" : "add").append(" rule ").append(t).append(' ')
          .append(chain).append(' ').append(rule).append('\n');
    }
    Result r = lab.exec(lab.routerNs(), List.of("nft", "-f", "-"), script.toString(), java.time.Duration.ofSeconds(10));
    assertEquals(0, r.exitCode(), r.stderr() + "\n" + script);
  }

  @Test
  void tiersElseUnreachableAndMainBypassOnTheKernel() throws Exception {
    try (Lab lab = Lab.create(3); LabProcess servers = lab.startServers(Lab.SERVER_PORT, VOIP, GUESTS, OFFICE)) {
      Result applied = Nb.run(lab, "apply");
      assertEquals(0, applied.exitCode(), applied.stderr());
      Config config = Config.defaults();
      Policies policies = PolicyLoader.parse(FILE, "policies.conf");
      List<Uplink> uplinks = uplinks(lab);
      PolicyPlan allUp = PolicyPlanner.plan(config, policies, uplinks, Set.of("wan1", "wan2", "wan3"));
      applyRoutes(lab, allUp, true);
      applyNft(lab, allUp);

      // The first tier takes every connection of the rule; everything else stays balanced.
      LoadReport voip = lab.loadCount(lab.clientNs(), Lab.SERVER_ADDRESS, VOIP, 300);
      assertEquals(300, voip.from(lab.ispPublicAddress(2)), voip.toString());
      LoadReport guests = lab.loadCount(lab.clientNs(), Lab.SERVER_ADDRESS, GUESTS, 50);
      assertEquals(50, guests.from(lab.ispPublicAddress(3)), guests.toString());
      LoadReport other = lab.loadCount(lab.clientNs(), Lab.SERVER_ADDRESS, Lab.SERVER_PORT, 300);
      assertEquals(0, other.failed(), other.toString());
      for (int i = 1; i <= 3; i++) {
        assertTrue(other.from(lab.ispPublicAddress(i)) > 50, "uplink " + i + " keeps its share: " + other);
      }

      // main: the connection is neither pinned (ct mark 0) nor translated (its reply goes to the
      // client's own address), whatever becomes of it beyond the router.
      lab.loadCount(lab.clientNs(), Lab.SERVER_ADDRESS, OFFICE, 1, "--timeout-ms", "500");
      String ct = lab.execCheck(lab.routerNs(), "conntrack", "-L", "-p", "tcp", "--dport", Integer.toString(OFFICE))
          .stdout();
      assertTrue(ct.contains("dst=" + Lab.CLIENT_ADDRESS + " sport=" + OFFICE), "not translated: " + ct);
      assertTrue(ct.contains("mark=0 "), "not marked: " + ct);

      // wan2 and wan3 out (the daemon's reaction): the rule's second tier, and the guests' last resort.
      PolicyPlan wan1Only = PolicyPlanner.plan(config, policies, uplinks, Set.of("wan1"));
      assertEquals(allUp.nftDefinitions(), wan1Only.nftDefinitions(), "a failover changes routes only");
      applyRoutes(lab, PolicyPlanner.plan(config, policies, uplinks, Set.of("wan1", "wan3")), false);
      LoadReport failedOver = lab.loadCount(lab.clientNs(), Lab.SERVER_ADDRESS, VOIP, 100);
      assertEquals(100, failedOver.from(lab.ispPublicAddress(3)), failedOver.toString());
      applyRoutes(lab, wan1Only, false);
      // The kernel answers an unreachable route with a burst of 5 ICMP errors per host, then 1/s
      // (ip_error's rate limit), so three connections, each against a 10 s timeout, timed
      // against one working connection (the client's JVM start is most of either).
      long start = System.nanoTime();
      assertEquals(1, lab.loadCount(lab.clientNs(), Lab.SERVER_ADDRESS, VOIP, 1).succeeded());
      long baselineMs = (System.nanoTime() - start) / 1_000_000;
      start = System.nanoTime();
      LoadReport refused = lab.loadCount(lab.clientNs(), Lab.SERVER_ADDRESS, GUESTS, 3, "--timeout-ms", "10000");
      long ms = (System.nanoTime() - start) / 1_000_000;
      assertEquals(3, refused.failed(), "never leaks out of another uplink: " + refused);
      // Not asserted yet: these connections fail only at their timeout (8 s here against 0.75 s),
      // so the kernel's ICMP answer is not reaching or not ending them; see the report for #14.
      System.out.println("PolicyPlanIT: 3 refused connections took " + ms + " ms, one working " + baselineMs
          + " ms; router " + lab.execCheck(lab.routerNs(), "nstat", "-az", "IcmpOutDestUnreachs",
          "IcmpOutRateLimitHost", "IcmpOutRateLimitGlobal").stdout().replace('\n', ' ')
          + "; client " + lab.execCheck(lab.clientNs(), "nstat", "-az", "IcmpInDestUnreachs").stdout()
          .replace('\n', ' '));
      LoadReport more = lab.loadCount(lab.clientNs(), Lab.SERVER_ADDRESS, GUESTS, 10, "--timeout-ms", "1500");
      assertEquals(10, more.failed(), "never leaks, also beyond the ICMP burst: " + more);

      // Recovery: back to the first tier and the guests' own uplink.
      applyRoutes(lab, allUp, false);
      LoadReport back = lab.loadCount(lab.clientNs(), Lab.SERVER_ADDRESS, VOIP, 100);
      assertEquals(100, back.from(lab.ispPublicAddress(2)), back.toString());
      LoadReport guestsBack = lab.loadCount(lab.clientNs(), Lab.SERVER_ADDRESS, GUESTS, 20);
      assertEquals(20, guestsBack.from(lab.ispPublicAddress(3)), guestsBack.toString());
    }
  }
}
