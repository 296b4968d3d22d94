package netbalancer.observe;

import netbalancer.system.RecordingRunner;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import netbalancer.system.CommandRunner;
import org.junit.jupiter.api.Test;

/** Parsing real {@code ip -j -d -N} and {@code nft -j} output captured from iproute2 6.1 / nft 1.0.6. */
class KernelObserverTest {
  static final String ADDRESSES = "[{\"ifindex\":3,\"link\":\"isp2\",\"ifname\":\"wan2\",\"flags\":[\"NO-CARRIER\",\"BROADCAST\","
      + "\"MULTICAST\",\"UP\",\"M-DOWN\"],\"mtu\":1500,\"operstate\":\"LOWERLAYERDOWN\",\"linkinfo\":{\"info_kind\":\"veth\"},"
      + "\"addr_info\":[{\"family\":\"inet\",\"local\":\"198.18.2.2\",\"prefixlen\":24,\"scope\":\"global\",\"label\":\"wan2\"},"
      + "{\"family\":\"inet6\",\"local\":\"fe80::1\",\"prefixlen\":64,\"scope\":\"link\"}]},"
      + "{\"ifindex\":4,\"ifname\":\"ppp0\",\"flags\":[\"POINTOPOINT\",\"UP\",\"LOWER_UP\"],\"addr_info\":[{\"family\":\"inet\","
      + "\"local\":\"198.18.9.2\",\"address\":\"198.18.9.1\",\"prefixlen\":32,\"scope\":\"global\"}]}]";
  static final String ROUTES = "[{\"type\":\"1\",\"dst\":\"default\",\"table\":\"200\",\"protocol\":\"213\",\"scope\":\"0\","
      + "\"flags\":[],\"nexthops\":[{\"gateway\":\"198.18.1.1\",\"dev\":\"wan1\",\"weight\":3,\"flags\":[]},{\"gateway\":"
      + "\"198.18.2.1\",\"dev\":\"wan2\",\"weight\":1,\"flags\":[\"linkdown\"]}]},{\"type\":\"1\",\"dst\":\"198.18.1.0/24\","
      + "\"dev\":\"wan1\",\"table\":\"101\",\"protocol\":\"213\",\"scope\":\"253\",\"prefsrc\":\"198.18.1.2\",\"flags\":[]},"
      + "{\"type\":\"2\",\"dst\":\"198.18.1.2\",\"dev\":\"wan1\",\"table\":\"255\",\"protocol\":\"2\",\"scope\":\"254\"},"
      + "{\"type\":\"1\",\"dst\":\"default\",\"gateway\":\"198.18.1.1\",\"dev\":\"wan1\",\"table\":\"254\",\"protocol\":\"16\","
      + "\"scope\":\"0\",\"metric\":101,\"flags\":[]}]";
  static final String RULES = "[{\"priority\":0,\"src\":\"all\",\"table\":\"255\",\"protocol\":\"2\"},{\"priority\":70,\"src\":"
      + "\"all\",\"table\":\"254\",\"suppress_prefixlen\":0,\"protocol\":\"213\"},{\"priority\":80,\"src\":\"all\",\"fwmark\":"
      + "\"0x100\",\"fwmask\":\"0xff00\",\"table\":\"101\",\"protocol\":\"213\"},{\"priority\":85,\"src\":\"198.18.1.2\","
      + "\"table\":\"101\",\"protocol\":\"213\"}]";
  static final String NEIGH = "[{\"dst\":\"198.18.2.1\",\"dev\":\"wan2\",\"state\":[\"FAILED\"]}]";
  static final String NFT = "{\"nftables\": [{\"metainfo\": {\"version\": \"1.0.6\"}}, {\"table\": {\"family\": \"inet\", "
      + "\"name\": \"net_balancer\", \"handle\": 1}}, {\"set\": {\"family\": \"inet\", \"name\": \"fingerprint\", \"table\": "
      + "\"net_balancer\", \"type\": \"ifname\", \"handle\": 2, \"elem\": [\"p0123456789abcd\"]}}, {\"map\": {\"family\": "
      + "\"inet\", \"name\": \"uplink_mark\", \"table\": \"net_balancer\", \"type\": \"ifname\", \"map\": \"mark\", \"elem\": "
      + "[[\"wan1\", 256], [\"wan-2.x\", 512]]}}, {\"rule\": {\"family\": \"inet\", \"table\": \"net_balancer\"}}, "
      + "{\"rule\": {\"family\": \"inet\", \"table\": \"net_balancer\"}}]}";

  @Test
  void oneIpBatchAndOneNftCallGiveTheWholeState() {
    RecordingRunner runner = new RecordingRunner(c -> c.argv().get(0).equals("ip")
        ? new CommandRunner.Result(0, ADDRESSES + "\n" + ROUTES + "\n" + RULES + "\n" + NEIGH + "\n", "")
        : new CommandRunner.Result(0, NFT, ""));
    KernelState s = new KernelObserver(runner).observe();
    assertEquals(2, runner.calls().size());

    Link wan2 = s.link("wan2").orElseThrow();
    assertTrue(wan2.adminUp());
    assertFalse(wan2.carrier());
    assertEquals(List.of(new Address(Family.INET, "198.18.2.2", 24, null, "global"),
        new Address(Family.INET6, "fe80::1", 64, null, "link")), wan2.addresses());
    assertTrue(s.link("ppp0").orElseThrow().pointToPoint());
    assertEquals("198.18.9.1", s.link("ppp0").orElseThrow().addresses().get(0).peer());

    assertEquals(3, s.routes().size(), "local routes are not uplink routes");
    Route lb = s.routesInTable(200).get(0);
    assertEquals(List.of(new Nexthop("198.18.1.1", "wan1", 3), new Nexthop("198.18.2.1", "wan2", 1)), lb.nexthops());
    assertTrue(lb.linkdown());
    assertEquals(101, s.routes().stream().filter(r -> r.table() == 254).findFirst().orElseThrow().metric());

    Rule suppress = s.rules().get(1);
    assertEquals(0, suppress.suppressPrefixLength());
    assertNull(suppress.src());
    Rule mark = s.rules().get(2);
    assertEquals(0x100L, mark.fwmark());
    assertEquals(0xff00L, mark.fwmask());
    assertEquals("198.18.1.2", s.rules().get(3).src());

    assertTrue(s.neighbors().get(0).failed());
    assertEquals("p0123456789abcd", s.nftTable().fingerprint());
    assertEquals(2, s.nftTable().ruleCount());
    assertEquals(512L, s.nftTable().uplinkMarks().get("wan-2.x"));
  }

  @Test
  void absentTableIsNotAnError() {
    RecordingRunner runner = new RecordingRunner(c -> c.argv().get(0).equals("ip")
        ? new CommandRunner.Result(0, "[]\n[]\n[]\n[]\n", "")
        : new CommandRunner.Result(1, "", "Error: No such file or directory"));
    assertFalse(new KernelObserver(runner).observe().nftTable().exists());
  }

  @Test
  void lbTableMembersAreTheDevicesOfTheDefaultRoute() {
    assertEquals(Set.of("wan1", "wan3"), KernelObserver.defaultRouteDevices("""
        [{"type":"1","dst":"default","protocol":"213","flags":[],"nexthops":[{"gateway":"198.18.1.1","dev":"wan1",
        "weight":2,"flags":[]},{"gateway":"198.18.3.1","dev":"wan3","weight":1,"flags":[]}]}]"""));
    assertEquals(Set.of("ppp0"), KernelObserver.defaultRouteDevices("[{\"dst\":\"default\",\"dev\":\"ppp0\",\"flags\":[]}]"));
    assertEquals(Set.of(), KernelObserver.defaultRouteDevices("[{\"dst\":\"198.18.1.0/24\",\"dev\":\"wan1\"}]"));
    assertEquals(Set.of(), KernelObserver.defaultRouteDevices(""));
  }

  @Test
  void lbTableIsReadWithOneIpCallAndAFailureIsNull() {
    RecordingRunner runner = new RecordingRunner(c -> new CommandRunner.Result(0, ROUTES, ""));
    assertEquals(Set.of("wan1", "wan2"), new KernelObserver(runner).defaultRouteDevices(200));
    assertEquals(List.of("ip -j -d -N -4 route show table 200"),
        runner.calls().stream().map(RecordingRunner.Call::command).toList());
    assertNull(new KernelObserver(new RecordingRunner(c -> new CommandRunner.Result(1, "", "Cannot open network"
        + " namespace"))).defaultRouteDevices(200));
  }
}
