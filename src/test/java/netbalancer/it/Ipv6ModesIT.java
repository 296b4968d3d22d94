package netbalancer.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import netbalancer.lab.Lab;
import netbalancer.lab.LabProcess;
import netbalancer.lab.LoadReport;
import netbalancer.system.CommandRunner.Result;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * IPV6_TRANSLATION=nptv6 and none, an IPv6-only uplink, and a SLAAC uplink whose default route
 * comes from real router advertisements, through apply and cleanup in dual-stack labs whose ISPs
 * drop foreign IPv6 sources (BCP 38).
 */
@ExtendWith(HostGuard.class)
class Ipv6ModesIT {
  private static final int N = 400;

  @Test
  void nptv6GivesEachLanHostAStableDistinctAddressPerUplinkBothWays() {
    Map<String, String> npt = Map.of("IPV6_TRANSLATION", "nptv6", "IPV6_LAN_PREFIX", Lab.LAN_PREFIX6,
        "IPV6_NPT_PREFIXES", "wan1=2001:db8:1:1::/64 wan2=2001:db8:2:1::/64");
    try (Lab lab = Lab.builder().uplinks(2).dualStack().build(); LabProcess servers = lab.startServers();
        LabProcess lanServer = lab.startServer(lab.clientNs(), 9000)) {
      String second = "2001:db8:ff00::11";
      lab.execCheck(lab.clientNs(), "ip", "addr", "add", second + "/64", "dev", "eth0", "nodad");
      String before = Nb.kernelDump(lab);
      Result applied = Nb.run(lab, npt, "apply");
      assertEquals(0, applied.exitCode(), applied.stderr());

      for (int run = 0; run < 2; run++) { // stable: the same addresses every time
        LoadReport a = lab.loadCount(lab.clientNs(), Lab.SERVER_ADDRESS6, Lab.SERVER_PORT, N, "--bind",
            Lab.CLIENT_ADDRESS6);
        LoadReport b = lab.loadCount(lab.clientNs(), Lab.SERVER_ADDRESS6, Lab.SERVER_PORT, N, "--bind", second);
        System.out.println("Ipv6ModesIT nptv6 run " + run + ": ::10 " + a.bySource() + ", ::11 " + b.bySource());
        assertEquals(0, a.failed() + b.failed(), a.toJson() + b.toJson());
        assertEquals(Set.of("2001:db8:1:1::10", "2001:db8:2:1::10"), a.bySource().keySet(), a.toJson());
        assertEquals(Set.of("2001:db8:1:1::11", "2001:db8:2:1::11"), b.bySource().keySet(), b.toJson());
      }
      // the router's own connections keep NAT66 (its own addresses)
      LoadReport own = lab.loadCount(lab.routerNs(), Lab.SERVER_ADDRESS6, Lab.SERVER_PORT, 100);
      assertEquals(Set.of(lab.uplinkAddress6(1), lab.uplinkAddress6(2)), own.bySource().keySet(), own.toJson());
      // the mapped address reaches its host from outside, and the answer leaves the way it came
      for (String mapped : new String[] {"2001:db8:1:1::10", "2001:db8:2:1::10"}) {
        LoadReport in = lab.loadCount(lab.inetNs(), mapped, 9000, 5);
        assertEquals(Map.of(Lab.SERVER_ADDRESS6, 5), in.bySource(), mapped + ": " + in.toJson());
      }
      assertEquals(0, lab.leakedIpv6(1) + lab.leakedIpv6(2), "no LAN source left untranslated");

      assertEquals(0, Nb.run(lab, npt, "cleanup").exitCode());
      assertEquals(before, Nb.kernelDump(lab), "cleanup = as before");
    }
  }

  @Test
  void nptv6WithoutAPrefixForAnUplinkSaysSoAndGivesItNat66() {
    Map<String, String> npt = Map.of("IPV6_TRANSLATION", "nptv6", "IPV6_LAN_PREFIX", Lab.LAN_PREFIX6,
        "IPV6_NPT_PREFIXES", "wan1=2001:db8:1:1::/64");
    try (Lab lab = Lab.builder().uplinks(2).dualStack().build(); LabProcess servers = lab.startServers()) {
      Result applied = Nb.run(lab, npt, "apply");
      assertEquals(0, applied.exitCode(), applied.stderr());
      assertTrue(applied.stderr().contains("warning: no NPTv6 on uplink wan2: IPV6_NPT_PREFIXES has no prefix"),
          applied.stderr());
      LoadReport a = lab.loadCount(lab.clientNs(), Lab.SERVER_ADDRESS6, Lab.SERVER_PORT, N);
      assertEquals(0, a.failed(), a.toJson());
      assertEquals(Set.of("2001:db8:1:1::10", lab.uplinkAddress6(2)), a.bySource().keySet(), a.toJson());
      assertEquals(0, Nb.run(lab, npt, "cleanup").exitCode());
    }
  }

  @Test
  void noneRoutesLanSourcesUnchanged() {
    // A prefix out of ISP 1's /48 on the LAN (as a delegated one would be): routable as it is.
    // wan2 is IPv4-only, so IPv6 has one way out.
    try (Lab lab = Lab.builder().uplinks(2).ipv4Only(2).build(); LabProcess servers = lab.startServers()) {
      String delegated = "2001:db8:1:ff::10";
      lab.execCheck(lab.routerNs(), "ip", "addr", "add", "2001:db8:1:ff::1/64", "dev", Lab.LAN_INTERFACE, "nodad");
      lab.execCheck(lab.clientNs(), "ip", "addr", "add", delegated + "/64", "dev", "eth0", "nodad");
      Map<String, String> none = Map.of("IPV6_TRANSLATION", "none");
      Result applied = Nb.run(lab, none, "apply");
      assertEquals(0, applied.exitCode(), applied.stderr());
      assertFalse(Nb.run(lab, none, "apply", "--dry-run").stdout().contains("snat ip6"));

      LoadReport routed = lab.loadCount(lab.clientNs(), Lab.SERVER_ADDRESS6, Lab.SERVER_PORT, 100, "--bind", delegated);
      assertEquals(Map.of(delegated, 100), routed.bySource(), routed.toJson());
      // the LAN's own prefix is not ISP 1's: untranslated, it is dropped there (BCP 38), as it should be
      LoadReport foreign = lab.loadCount(lab.clientNs(), Lab.SERVER_ADDRESS6, Lab.SERVER_PORT, 3, "--timeout-ms", "700");
      assertEquals(3, foreign.failed(), foreign.toJson());
      assertTrue(lab.leakedIpv6(1) > 0, "ISP 1 saw the LAN source itself");
      // IPv4 is translated as always
      LoadReport v4 = lab.loadCount(lab.clientNs(), Lab.SERVER_ADDRESS, Lab.SERVER_PORT, 100);
      assertEquals(0, v4.failed(), v4.toJson());
      assertEquals(0, Nb.run(lab, none, "cleanup").exitCode());
    }
  }

  @Test
  void anIpv6OnlyUplinkIsBalancedForIpv6AndLeftOutOfIpv4() {
    try (Lab lab = Lab.builder().uplinks(2).ipv6Only(2).build(); LabProcess servers = lab.startServers()) {
      String before = Nb.kernelDump(lab);
      Result applied = Nb.run(lab, "apply");
      assertEquals(0, applied.exitCode(), applied.stderr());
      assertTrue(applied.stdout().contains("applied: 2 uplink(s), balanced over wan1,wan2"), applied.stdout());
      String v4rules = lab.execCheck(lab.routerNs(), "ip", "rule").stdout();
      assertFalse(v4rules.contains("lookup 102"), "no IPv4 rule for wan2: " + v4rules);

      LoadReport six = lab.loadCount(lab.clientNs(), Lab.SERVER_ADDRESS6, Lab.SERVER_PORT, N);
      System.out.println("Ipv6ModesIT IPv6-only wan2: IPv6 " + six.bySource());
      assertEquals(0, six.failed(), six.toJson());
      assertEquals(Set.of(lab.uplinkAddress6(1), lab.uplinkAddress6(2)), six.bySource().keySet(), six.toJson());
      LoadReport four = lab.loadCount(lab.clientNs(), Lab.SERVER_ADDRESS, Lab.SERVER_PORT, 100);
      assertEquals(Map.of(lab.ispPublicAddress(1), 100), four.bySource(), "IPv4 through wan1 alone: " + four.toJson());

      Result again = Nb.run(lab, "apply");
      assertEquals(0, again.exitCode(), again.stderr());
      assertTrue(again.stdout().contains("0 ip change(s), nft unchanged"), again.stdout());
      assertEquals(0, Nb.run(lab, "cleanup").exitCode());
      assertEquals(before, Nb.kernelDump(lab), "cleanup = as before");
    }
  }

  @Test
  void aSlaacUplinkKeepsItsRouterAdvertisedDefaultWithForwardingOnAndCleanupRestoresAcceptRa() throws Exception {
    try (Lab lab = Lab.builder().uplinks(2).dualStack().build(); LabProcess servers = lab.startServers()) {
      String r = lab.routerNs();
      // wan1 as a SLAAC host has it: not forwarding, accept_ra=1, its default from advertisements
      lab.execCheck(r, "sysctl", "-q", "-w", "net.ipv6.conf.all.forwarding=0", "net.ipv6.conf.wan1.accept_ra=1");
      lab.execCheck(r, "ip", "-6", "route", "del", "default", "dev", "wan1");
      try (LabProcess radvd = lab.routerAdvertisements(1)) {
        String ra = awaitRaDefault(lab, true, Duration.ofSeconds(15));
        assertTrue(ra.contains("proto ra"), ra);
        // control: the trap itself. Forwarding on with accept_ra=1 drops the advertised default.
        lab.execCheck(r, "sysctl", "-q", "-w", "net.ipv6.conf.all.forwarding=1");
        awaitRaDefault(lab, false, Duration.ofSeconds(5));
        lab.execCheck(r, "sysctl", "-q", "-w", "net.ipv6.conf.all.forwarding=0");
        awaitRaDefault(lab, true, Duration.ofSeconds(15));
        String before = Nb.kernelDump(lab);

        Result applied = Nb.run(lab, "apply");
        assertEquals(0, applied.exitCode(), applied.stderr());
        assertEquals("1", sysctl(lab, "net/ipv6/conf/all/forwarding"));
        assertEquals("2", sysctl(lab, "net/ipv6/conf/wan1/accept_ra"));
        // two advertisements later (3-4 s apart; was a fixed 9 s): still taken, the default still there
        long ras = raReceived(lab);
        Await.until(Duration.ofSeconds(12), "two more router advertisements on wan1", () -> raReceived(lab) >= ras + 2);
        String after = awaitRaDefault(lab, true, Duration.ofSeconds(1));
        assertTrue(after.contains("proto ra"), after);
        LoadReport six = lab.loadCount(lab.clientNs(), Lab.SERVER_ADDRESS6, Lab.SERVER_PORT, 200);
        assertEquals(0, six.failed(), six.toJson());
        assertTrue(six.bySource().keySet().stream().anyMatch(a -> lab.uplinkOfAddress6(a) == 1), six.toJson());

        assertEquals(0, Nb.run(lab, "cleanup").exitCode());
        assertEquals("1", sysctl(lab, "net/ipv6/conf/wan1/accept_ra"));
        assertEquals("0", sysctl(lab, "net/ipv6/conf/all/forwarding"));
        assertEquals(withoutRaDetails(before), withoutRaDetails(Nb.kernelDump(lab)), "cleanup = as before");
      }
    }
  }

  @Test
  void badIpv6SettingsAreRefusedNamingTheKeyWithExit2AndTheKernelUnchanged() {
    try (Lab lab = Lab.builder().uplinks(2).dualStack().build()) {
      String before = Nb.kernelDump(lab);
      Map<String, Map<String, String>> bad = Map.of(
          "IPV6_LAN_PREFIX=2001:db8:ff00::1/64", Map.of("IPV6_LAN_PREFIX", "2001:db8:ff00::1/64"),
          "IPV6_LAN_PREFIX=\"\"", Map.of("IPV6_TRANSLATION", "nptv6"),
          "IPV6_TRANSLATION=nat46", Map.of("IPV6_TRANSLATION", "nat46"),
          "IPV6_NPT_PREFIXES=wan1=2001:db8:1:1::/56", Map.of("IPV6_TRANSLATION", "nptv6",
              "IPV6_LAN_PREFIX", Lab.LAN_PREFIX6, "IPV6_NPT_PREFIXES", "wan1=2001:db8:1:1::/56"),
          "\"2001:db8:ffff::10::1\" is not an IP address literal", Map.of("HEALTH_PROBE_TARGETS",
              Lab.SERVER_ADDRESS + " 2001:db8:ffff::10::1"));
      bad.forEach((named, env) -> {
        Result r = Nb.run(lab, env, "apply");
        assertEquals(2, r.exitCode(), named + ": " + r.stderr());
        assertTrue(r.stderr().contains(named), "names " + named + ": " + r.stderr());
      });
      assertEquals(before, Nb.kernelDump(lab), "kernel unchanged");
    }
  }

  private static String sysctl(Lab lab, String path) {
    return lab.execCheck(lab.routerNs(), "cat", "/proc/sys/" + path).stdout().strip();
  }

  /** Router advertisements wan1 has received (the kernel's per-interface ICMPv6 counter). */
  private static long raReceived(Lab lab) {
    String stats = lab.execCheck(lab.routerNs(), "cat", "/proc/net/dev_snmp6/wan1").stdout();
    var m = java.util.regex.Pattern.compile("(?m)^Icmp6InRouterAdvertisements\\s+(\\d+)").matcher(stats);
    if (!m.find()) {
      throw new AssertionError("no Icmp6InRouterAdvertisements in " + stats);
    }
    return Long.parseLong(m.group(1));
  }

  /** Waits until wan1 has (or has not) a default route; returns its line. */
  private static String awaitRaDefault(Lab lab, boolean present, Duration limit) throws InterruptedException {
    long end = System.nanoTime() + limit.toNanos();
    while (true) {
      String line = lab.execCheck(lab.routerNs(), "ip", "-6", "route", "show", "default", "dev", "wan1").stdout().strip();
      if (line.isEmpty() != present) {
        return line;
      }
      if (System.nanoTime() > end) {
        throw new AssertionError("wan1's IPv6 default " + (present ? "never came" : "stayed") + ": " + line);
      }
      Thread.sleep(200);
    }
  }

  /** Advertised routes and addresses count down their lifetimes ("expires 598sec"): not state. */
  private static String withoutRaDetails(String dump) {
    return dump.replaceAll(" expires \\d+sec", "");
  }
}
