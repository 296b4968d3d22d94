package netbalancer.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import netbalancer.config.Config;
import netbalancer.observe.Address;
import netbalancer.observe.Family;
import netbalancer.observe.KernelState;
import netbalancer.observe.Link;
import netbalancer.observe.Nexthop;
import netbalancer.observe.NftTable;
import netbalancer.observe.Route;
import netbalancer.plan.Plan;
import netbalancer.plan.Planner;
import netbalancer.plan.UplinkDiscovery;
import netbalancer.system.CommandRunner;
import netbalancer.system.RecordingRunner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KernelApplierTest {
  @TempDir
  Path dir;

  private static KernelState uplinks(int n) {
    List<Link> links = new java.util.ArrayList<>();
    List<Route> routes = new java.util.ArrayList<>();
    for (int i = 1; i <= n; i++) {
      String name = "wan" + i;
      links.add(new Link(name, i + 1, true, true, false, "veth",
          List.of(new Address(Family.INET, "198.18." + i + ".2", 24, null, "global"))));
      routes.add(new Route(Family.INET, 254, "198.18." + i + ".0/24", List.of(new Nexthop(null, name, 1)), 2, 253,
          "198.18." + i + ".2", null, false));
      routes.add(new Route(Family.INET, 254, "default", List.of(new Nexthop("198.18." + i + ".1", name, 1)), 16, 0,
          null, 100 + i, false));
    }
    return new KernelState(links, routes, List.of(), List.of(), NftTable.ABSENT);
  }

  @Test
  void oneBatchAndOneNftTransactionWhateverTheNumberOfUplinks() {
    for (int n : new int[] {1, 8, 63}) {
      RecordingRunner runner = new RecordingRunner();
      FakeSysctls sysctls = new FakeSysctls();
      KernelApplier applier = new KernelApplier(runner, sysctls, new StateStore(dir.resolve("s" + n + ".json")), 213);
      Config c = Config.defaults();
      KernelState state = uplinks(n);
      Plan plan = Planner.plan(c, UplinkDiscovery.discover(c, state), Map.of());
      ApplyResult r = applier.apply(plan, state);
      assertEquals(2, r.subprocesses());
      assertEquals(List.of("nft -f -", "ip -force -batch -"), runner.calls().stream().map(RecordingRunner.Call::command).toList());
      String nft = runner.calls().get(0).stdin();
      assertTrue(nft.startsWith("table inet net_balancer {"), "no table yet: created in one transaction: " + nft);
      assertEquals(plan.routes().size() + plan.rules().size(), runner.calls().get(1).stdin().lines().count());
    }
  }

  @Test
  void anExistingTableIsReplacedAtomicallyInOneTransaction() {
    RecordingRunner runner = new RecordingRunner();
    KernelApplier applier = new KernelApplier(runner, new FakeSysctls(), new StateStore(dir.resolve("t.json")), 213);
    Config c = Config.defaults();
    KernelState s = uplinks(2);
    KernelState stale = new KernelState(s.links(), s.routes(), s.rules(), s.neighbors(),
        new NftTable(true, "pold", 3, Map.of("wan1", 0x100L)));
    applier.apply(Planner.plan(c, UplinkDiscovery.discover(c, stale), Map.of()), stale);
    assertTrue(runner.calls().get(0).stdin().startsWith(
        "add table inet net_balancer\ndelete table inet net_balancer\ntable inet net_balancer {"));
  }

  @Test
  void sysctlsRememberTheirOriginalOnceAndCleanupRestoresThem() throws Exception {
    RecordingRunner runner = new RecordingRunner();
    FakeSysctls sysctls = new FakeSysctls();
    sysctls.values.put("net/ipv4/ip_forward", "0");
    sysctls.values.put("net/ipv4/fib_multipath_hash_policy", "0");
    sysctls.values.put("net/ipv4/fib_multipath_use_neigh", "0");
    sysctls.values.put("net/ipv4/conf/wan1/rp_filter", "1");
    StateStore store = new StateStore(dir.resolve("state.json"));
    KernelApplier applier = new KernelApplier(runner, sysctls, store, 213);
    Config c = Config.defaults();
    KernelState state = uplinks(1);
    Plan plan = Planner.plan(c, UplinkDiscovery.discover(c, state), Map.of());

    assertEquals(4, applier.apply(plan, state).sysctlChanges());
    assertEquals("2", sysctls.values.get("net/ipv4/conf/wan1/rp_filter"));
    assertEquals(0, applier.apply(plan, state).sysctlChanges(), "second apply: nothing to set");
    assertEquals("1", store.originals().get("net/ipv4/conf/wan1/rp_filter"), "the first original is kept");

    ApplyResult cleaned = applier.cleanup(state);
    assertEquals(4, cleaned.sysctlChanges());
    assertEquals(Map.of("net/ipv4/ip_forward", "0", "net/ipv4/fib_multipath_hash_policy", "0",
        "net/ipv4/fib_multipath_use_neigh", "0", "net/ipv4/conf/wan1/rp_filter", "1"), sysctls.values);
    assertFalse(Files.exists(store.file()), "state file removed once restored");
  }

  @Test
  void anUplinkThatLeavesGetsItsSysctlBack() {
    FakeSysctls sysctls = new FakeSysctls();
    sysctls.values.put("net/ipv4/ip_forward", "1");
    sysctls.values.put("net/ipv4/fib_multipath_hash_policy", "1");
    sysctls.values.put("net/ipv4/fib_multipath_use_neigh", "1");
    sysctls.values.put("net/ipv4/conf/wan1/rp_filter", "1");
    sysctls.values.put("net/ipv4/conf/wan2/rp_filter", "1");
    StateStore store = new StateStore(dir.resolve("leave.json"));
    KernelApplier applier = new KernelApplier(new RecordingRunner(), sysctls, store, 213);
    Config c = Config.defaults();
    KernelState two = uplinks(2);
    applier.apply(Planner.plan(c, UplinkDiscovery.discover(c, two), Map.of()), two);
    assertEquals("2", sysctls.values.get("net/ipv4/conf/wan2/rp_filter"));
    KernelState one = uplinks(1);
    applier.apply(Planner.plan(c, UplinkDiscovery.discover(c, one), Map.of()), one);
    assertEquals("1", sysctls.values.get("net/ipv4/conf/wan2/rp_filter"), "put back when wan2 left");
    assertEquals(Map.of("net/ipv4/conf/wan1/rp_filter", "1"), store.originals());
  }

  @Test
  void cleanupDeletesOnlyObjectsTaggedWithOurProtocol() {
    RecordingRunner runner = new RecordingRunner();
    KernelApplier applier = new KernelApplier(runner, new FakeSysctls(), new StateStore(dir.resolve("x.json")), 213);
    KernelState s = new KernelState(List.of(), List.of(
        new Route(Family.INET, 101, "default", List.of(new Nexthop("198.18.1.1", "wan1", 1)), 213, 0, null, null, false),
        new Route(Family.INET, 300, "default", List.of(new Nexthop("198.18.1.1", "wan1", 1)), 4, 0, null, null, false)),
        List.of(new netbalancer.observe.Rule(Family.INET, 90, null, null, null, 200, null, 213),
            new netbalancer.observe.Rule(Family.INET, 1000, null, 1L, 0xffL, 300, null, 4)),
        List.of(), new NftTable(true, "p1", 3, Map.of()));
    applier.cleanup(s);
    String batch = runner.calls().get(0).stdin();
    assertEquals("rule del pref 90 lookup 200 protocol 213\nroute del default table 101 proto 213\n", batch);
    assertEquals("nft delete table inet net_balancer", runner.calls().get(1).command());
  }

  @Test
  void aKernelRefusalIsReportedNotSwallowed() {
    RecordingRunner runner = new RecordingRunner(c -> c.argv().get(0).equals("ip")
        ? new CommandRunner.Result(1, "", "Error: Nexthop has invalid gateway.") : new CommandRunner.Result(0, "", ""));
    KernelApplier applier = new KernelApplier(runner, new FakeSysctls(), new StateStore(dir.resolve("y.json")), 213);
    Config c = Config.defaults();
    KernelState state = uplinks(2);
    ApplyResult r = applier.apply(Planner.plan(c, UplinkDiscovery.discover(c, state), Map.of()), state);
    assertFalse(r.ok());
    assertTrue(r.errors().get(0).contains("invalid gateway"), r.errors().toString());
  }
}
