package netbalancer.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import netbalancer.config.Config;
import netbalancer.observe.KernelState;
import netbalancer.plan.Fixtures;
import netbalancer.plan.Plan;
import netbalancer.plan.Planner;
import netbalancer.plan.UplinkDiscovery;
import netbalancer.system.RecordingRunner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** accept_ra on IPv6 uplinks: raised from 1 to 2 before forwarding, restored exactly, a 0 left alone. */
class AcceptRaTest {
  @TempDir
  Path dir;

  /** Sysctls that remember the order of writes. */
  private static final class Ordered implements Sysctls {
    final FakeSysctls values = new FakeSysctls();
    final List<String> writes = new ArrayList<>();

    @Override
    public Optional<String> read(String path) {
      return values.read(path);
    }

    @Override
    public void write(String path, String value) {
      writes.add(path + "=" + value);
      values.write(path, value);
    }
  }

  @Test
  void acceptRa1BecomesTwoBeforeForwardingAndCleanupPutsItBack() {
    Ordered sysctls = new Ordered();
    sysctls.values.values.putAll(Map.of("net/ipv6/conf/all/forwarding", "0", "net/ipv6/conf/wan1/accept_ra", "1",
        "net/ipv6/conf/wan2/accept_ra", "0", "net/ipv6/conf/wan3/accept_ra", "2"));
    KernelState s = new Fixtures().uplink("wan1", 1, true).uplink("wan2", 2, true).ipv6OnlyUplink("wan3", 3)
        .ipv6("wan1", "2001:db8:1::2", "2001:db8:1::/64", "fe80::1", 1024)
        .ipv6("wan2", "2001:db8:2::2", "2001:db8:2::/64", "fe80::1", 1024).build();
    Config c = Config.defaults();
    Plan plan = Planner.plan(c, UplinkDiscovery.discover(c, s), Map.of());
    StateStore store = new StateStore(dir.resolve("ra.json"));
    KernelApplier applier = new KernelApplier(new RecordingRunner(), sysctls, store, 213);

    applier.apply(plan, s);
    assertEquals("2", sysctls.values.values.get("net/ipv6/conf/wan1/accept_ra"));
    assertEquals("0", sysctls.values.values.get("net/ipv6/conf/wan2/accept_ra"), "0 is the operator's: left");
    assertTrue(sysctls.writes.indexOf("net/ipv6/conf/wan1/accept_ra=2")
        < sysctls.writes.indexOf("net/ipv6/conf/all/forwarding=1"), "accept_ra first: " + sysctls.writes);
    assertEquals("1", store.originals().get("net/ipv6/conf/wan1/accept_ra"));
    assertFalse(store.originals().containsKey("net/ipv6/conf/wan2/accept_ra"));
    assertFalse(store.originals().containsKey("net/ipv6/conf/wan3/accept_ra"), "already 2");
    sysctls.writes.clear();
    applier.apply(plan, s);
    assertEquals(List.of(), sysctls.writes, "a second apply changes nothing");

    applier.cleanup(s);
    assertEquals(Map.of("net/ipv6/conf/all/forwarding", "0", "net/ipv6/conf/wan1/accept_ra", "1",
        "net/ipv6/conf/wan2/accept_ra", "0", "net/ipv6/conf/wan3/accept_ra", "2"),
        Map.copyOf(sysctls.values.values).entrySet().stream().filter(e -> e.getKey().startsWith("net/ipv6/conf"))
            .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue)));
  }

  @Test
  void theStateFileAcceptsAnAcceptRaRecordAndNoOtherIpv6ConfKey() {
    StateStore store = new StateStore(dir.resolve("keys.json"));
    store.rememberOriginals(Map.of("net/ipv6/conf/wan1/accept_ra", "1"));
    assertEquals("1", store.originals().get("net/ipv6/conf/wan1/accept_ra"));
    try {
      store.rememberOriginals(Map.of("net/ipv6/conf/wan1/disable_ipv6", "1"));
      throw new AssertionError("a sysctl we never set was recorded");
    } catch (IllegalArgumentException expected) {
      assertTrue(expected.getMessage().contains("not a sysctl net-balancer sets"), expected.getMessage());
    }
  }
}
