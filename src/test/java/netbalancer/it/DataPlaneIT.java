package netbalancer.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import netbalancer.lab.HeldConnections;
import netbalancer.lab.Lab;
import netbalancer.lab.LabProcess;
import netbalancer.lab.LoadReport;
import netbalancer.system.CommandRunner.Result;
import netbalancer.system.CommandRunner;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The one-shot data plane (apply, cleanup) on the real kernel, in a namespace lab. */
@ExtendWith(HostGuard.class)
class DataPlaneIT {

  private static void assertShare(LoadReport r, Lab lab, int uplink, double target) {
    double share = 100.0 * r.from(lab.ispPublicAddress(uplink)) / r.succeeded();
    assertTrue(Math.abs(share - target) <= 3.0,
        "uplink " + uplink + " took " + share + " % (target " + target + " %): " + r);
  }

  private static final Pattern COUNTER_PACKETS = Pattern.compile("packets (\\d+)");

  private static long newConnections(Lab lab, int index) {
    String out = lab.execCheck(lab.routerNs(), "nft", "list counter inet net_balancer new_" + index).stdout();
    Matcher m = COUNTER_PACKETS.matcher(out);
    assertTrue(m.find(), out);
    return Long.parseLong(m.group(1));
  }

  @Test
  void weightedSharesForLanAndRouterTrafficAndConnectionsStayPinned() throws Exception {
    try (Lab lab = Lab.create(3); LabProcess servers = lab.startServers()) {
      Map<String, String> weights = Map.of("UPLINK_WEIGHTS", "wan1=3 wan2=2 wan3=1");
      Result applied = Nb.run(lab, weights, "apply");
      assertEquals(0, applied.exitCode(), applied.stderr());

      LoadReport lan = lab.loadCount(lab.clientNs(), Lab.SERVER_ADDRESS, Lab.SERVER_PORT, 3000);
      LoadReport own = lab.loadCount(lab.routerNs(), Lab.SERVER_ADDRESS, Lab.SERVER_PORT, 3000);
      for (LoadReport r : new LoadReport[] {lan, own}) {
        assertEquals(0, r.failed(), r.toString());
        assertShare(r, lab, 1, 50.0);
        assertShare(r, lab, 2, 100.0 / 3);
        assertShare(r, lab, 3, 100.0 / 6);
      }
      // Each connection was pinned and counted once, on the uplink it took (the NAT chain runs
      // for a connection's first packet only).
      for (int i = 1; i <= 3; i++) {
        long took = lan.from(lab.ispPublicAddress(i)) + own.from(lab.ispPublicAddress(i));
        assertEquals(took, newConnections(lab, i), "nft counter new_" + i);
      }

      // Pinned connections survive a change of the multipath route that re-hashes new flows.
      try (HeldConnections held = lab.hold(lab.clientNs(), Lab.SERVER_ADDRESS, Lab.SERVER_PORT, 300)) {
        assertEquals(300, held.opened().succeeded());
        Result reweighted = Nb.run(lab, Map.of("UPLINK_WEIGHTS", "wan1=1 wan2=1 wan3=8"), "apply");
        assertEquals(0, reweighted.exitCode(), reweighted.stderr());
        LoadReport after = held.check();
        assertEquals(300, after.succeeded(), "every held connection still answers: " + after);
        assertEquals(held.opened().bySource(), after.bySource(), "each stayed on its uplink");
      }
      assertEquals(0, Nb.run(lab, "cleanup").exitCode());
    }
  }

  @Test
  void inboundConnectionsAreAnsweredThroughTheUplinkTheyCameIn() throws Exception {
    try (Lab lab = Lab.create(3);
        LabProcess routerServer = lab.startServer(lab.routerNs(), Lab.SERVER_PORT);
        LabProcess lanServer = lab.startServer(lab.clientNs(), Lab.SERVER_PORT)) {
      // A port forward of the operator's own, in an nft table that is not ours.
      lab.execCheck(lab.routerNs(), "nft", "add table ip portfwd; add chain ip portfwd pre "
          + "{ type nat hook prerouting priority dstnat; }; add rule ip portfwd pre tcp dport 9090 dnat to "
          + Lab.CLIENT_ADDRESS + ":" + Lab.SERVER_PORT);

      // Control: without net-balancer the reply leaves by the main table's default (wan1), whose
      // ISP drops a source that is not its customer's, so the forward through uplink 2 fails.
      LoadReport before = lab.loadCount(lab.inetNs(), lab.uplinkAddress(2), 9090, 3, "--bind", Lab.SERVER_ADDRESS,
          "--timeout-ms", "700");
      assertEquals(3, before.failed(), "control: without the balancer the reply takes the wrong uplink");

      assertEquals(0, Nb.run(lab, "apply").exitCode());
      for (int i = 1; i <= 3; i++) {
        LoadReport direct = lab.loadCount(lab.inetNs(), lab.uplinkAddress(i), Lab.SERVER_PORT, 5, "--bind",
            Lab.SERVER_ADDRESS);
        assertEquals(5, direct.succeeded(), "server on the router via uplink " + i + ": " + direct);
        LoadReport forwarded = lab.loadCount(lab.inetNs(), lab.uplinkAddress(i), 9090, 5, "--bind",
            Lab.SERVER_ADDRESS);
        assertEquals(5, forwarded.succeeded(), "port forward via uplink " + i + ": " + forwarded);
        assertEquals(5, forwarded.from(Lab.SERVER_ADDRESS), "the LAN host sees the real client");
      }
      assertEquals(0, Nb.run(lab, "cleanup").exitCode());
    }
  }

  @Test
  void sharedGatewayPointToPointAndNamesWithDotsAndDashes() {
    try (Lab lab = Lab.builder().uplinks(3).uplinkNames("usb-0.1", "usb.1", "ppp-x").sharedGatewayPair()
        .pointToPoint(3).build(); LabProcess servers = lab.startServers()) {
      assertEquals(lab.gatewayAddress(1), lab.gatewayAddress(2), "two phones, one gateway address");
      Result applied = Nb.run(lab, "apply");
      assertEquals(0, applied.exitCode(), applied.stderr());
      assertEquals(java.util.Set.of("usb-0.1", "usb.1", "ppp-x"), Nb.balanced(lab), applied.stdout());
      LoadReport r = lab.loadCount(lab.clientNs(), Lab.SERVER_ADDRESS, Lab.SERVER_PORT, 600);
      assertEquals(0, r.failed(), r.toString());
      for (int i = 1; i <= 3; i++) {
        assertTrue(r.from(lab.ispPublicAddress(i)) > 100, "uplink " + lab.uplinkName(i) + " carries its share: " + r);
      }
      assertEquals(0, Nb.run(lab, "cleanup").exitCode());
    }
  }

  @Test
  void applyIsIdempotentAndCleanupRestoresExactlyWithForeignObjectsPresent() {
    try (Lab lab = Lab.create(3)) {
      String ns = lab.routerNs();
      lab.execCheck(ns, "ip", "rule", "add", "pref", "1000", "fwmark", "0x1", "lookup", "300");
      lab.execCheck(ns, "ip", "route", "add", "default", "via", lab.gatewayAddress(1), "table", "300");
      lab.execCheck(ns, "nft", "add table inet someone_else; add chain inet someone_else c "
          + "{ type filter hook forward priority 0; }; add rule inet someone_else c counter");
      String pristine = Nb.kernelDump(lab);

      Result dry = Nb.run(lab, "apply", "--dry-run");
      assertEquals(0, dry.exitCode(), dry.stderr());
      assertTrue(dry.stdout().contains("table inet net_balancer"), dry.stdout());
      assertEquals(pristine, Nb.kernelDump(lab), "--dry-run changes nothing");

      assertEquals(0, Nb.run(lab, "apply").exitCode());
      String first = Nb.kernelDump(lab);
      assertNotEquals(pristine, first);
      Result again = Nb.run(lab, "apply");
      assertTrue(again.stdout().contains("0 ip change(s), nft unchanged, 0 sysctl(s) set"), again.stdout());
      assertEquals(first, Nb.kernelDump(lab), "a second apply touches nothing");

      Result cleanup = Nb.run(lab, "cleanup");
      assertEquals(0, cleanup.exitCode(), cleanup.stderr());
      assertEquals(pristine, Nb.kernelDump(lab), "cleanup leaves the kernel exactly as it was");
    }
  }

  @ParameterizedTest(name = "{0}={1}")
  @CsvSource(delimiter = '|', value = {
      "LB_TABLE|abc", "LB_TABLE|254", "LB_PREF|5", "LB_TABLE_BASE|-1", "LB_MARK_MASK|0xf0f0",
      "LB_MARK_MASK|0x3", "LB_RT_PROTO|2", "UPLINK_WEIGHTS|wan1=0", "UPLINK_WEIGHTS|wan1", "UPLINK_TIERS|wan3=0",
      "BALANCE_MODE|random", "DEBOUNCE_TIME|-1", "HEALTH_CHECK_INTERVAL|abc", "HEALTH_CHECK_TIMEOUT|0",
      "HEALTH_CHECK_FAILURE_THRESHOLD|0", "HEALTH_PROBE_TARGET|one.one.one.one", "HEALTH_PROBE_PORT|70000",
      "HEALTH_PROBE_METHOD|udp", "HEALTH_PROBE_QUORUM|5", "FAILOVER_BACKOFF_MAX|10", "LOG_LEVEL|verbose",
      "METRICS_PORT|0", "METRICS_BIND|localhost", "SESSION_AFFINITY_ENABLED|maybe", "UPLINKS|a/b",
      "KEEP_STATE_ON_EXIT|perhaps"})
  void badConfigurationIsRefusedAndChangesNothing(String key, String value) {
    Lab lab = refusalLab();
    String before = Nb.kernelDump(lab);
    Result r = Nb.run(lab, Map.of(key, value), "apply");
    assertEquals(2, r.exitCode(), r.stdout() + r.stderr());
    assertTrue(r.stderr().contains(key) && r.stderr().contains(value), r.stderr());
    assertEquals(before, Nb.kernelDump(lab), "nothing applied");
  }

  /**
   * One lab for all the refused configurations (they were a lab each: 26 builds): each case
   * compares the kernel before and after its own run, so a case that did change something still
   * fails by itself, and the next compares from there.
   */
  private static Lab refusals;

  private static synchronized Lab refusalLab() {
    if (refusals == null) {
      refusals = Lab.create(2);
    }
    return refusals;
  }

  @AfterAll
  static void removeRefusalLab() {
    if (refusals != null) {
      refusals.close();
      refusals = null;
    }
  }

  @Test
  void unknownKeyInTheFileSuggestsTheNearestOne() throws Exception {
    try (Lab lab = Lab.create(1)) {
      Path file = Files.createTempFile("nb-bad", ".conf");
      try {
        Files.writeString(file, "HEALTH_CHEK_INTERVAL=5\n");
        String before = Nb.kernelDump(lab);
        Result r = Nb.run(lab, Map.of(), "apply", "--config", file.toString());
        assertEquals(2, r.exitCode());
        assertTrue(r.stderr().contains("HEALTH_CHECK_INTERVAL"), r.stderr());
        assertEquals(before, Nb.kernelDump(lab));
      } finally {
        Files.deleteIfExists(file);
      }
    }
  }
}
