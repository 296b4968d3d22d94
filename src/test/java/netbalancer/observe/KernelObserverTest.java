package netbalancer.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import netbalancer.system.CommandRunner;
import netbalancer.system.RecordingRunner;
import org.junit.jupiter.api.Test;

/** Parsing real {@code ip -j -d -N} and {@code nft -j} output captured from iproute2 6.1 / nft 1.0.6. */
class KernelObserverTest {
  static final String ADDRESSES = "[{\"ifindex\":3,\"link\":\"isp2\",\"ifname\":\"wan2\",\"flags\":[\"NO-CARRIER\",\"BROADCAST\","
      + "\"MULTICAST\",\"UP\",\"M-DOWN\"],\"mtu\":1500,\"operstate\":\"LOWERLAYERDOWN\",\"linkinfo\":{\"info_kind\":\"veth\"},"
      + "\"addr_info\":[{\"family\":\"inet\",\"local\":\"198.18.2.2\",\"prefixlen\":24,\"scope\":\"global\",\"label\":\"wan2\"},"
      + "{\"family\":\"inet6\",\"local\":\"fe80::1\",\"prefixlen\":64,\"scope\":\"link\"}]},"
      + "{\"ifindex\":4,\"ifname\":\"ppp0\",\"flags\":[\"POINTOPOINT\",\"UP\",\"LOWER_UP\"],\"addr_info\":[{\"family\":\"inet\","
      + "\"local\":\"198.18.9.2\",\"address\":\"198.18.9.1\",\"prefixlen\":32,\"scope\":\"global\"}]}]";
  /** {@code route show table 200 proto 213}: ip leaves out the table and the protocol it filtered on. */
  static final String OURS = "[{\"type\":\"1\",\"dst\":\"default\",\"scope\":\"0\","
      + "\"flags\":[],\"nexthops\":[{\"gateway\":\"198.18.1.1\",\"dev\":\"wan1\",\"weight\":3,\"flags\":[]},{\"gateway\":"
      + "\"198.18.2.1\",\"dev\":\"wan2\",\"weight\":1,\"flags\":[\"linkdown\"]}]},"
      + "{\"type\":\"2\",\"dst\":\"198.18.1.2\",\"dev\":\"wan1\",\"scope\":\"254\"}]";
  /** {@code route show table main default}. */
  static final String MAIN = "[{\"type\":\"1\",\"dst\":\"default\",\"gateway\":\"198.18.1.1\",\"dev\":\"wan1\","
      + "\"protocol\":\"16\",\"scope\":\"0\",\"metric\":101,\"flags\":[]}]";
  /** {@code route show table main proto 2}: ip leaves out the protocol it filtered on. */
  static final String CONNECTED = "[{\"type\":\"1\",\"dst\":\"198.18.1.0/24\",\"dev\":\"wan1\",\"scope\":\"253\","
      + "\"prefsrc\":\"198.18.1.2\",\"flags\":[]}]";
  static final String RULES = "[{\"priority\":0,\"src\":\"all\",\"table\":\"255\",\"protocol\":\"2\"},{\"priority\":70,\"src\":"
      + "\"all\",\"table\":\"254\",\"suppress_prefixlen\":0,\"protocol\":\"213\"},{\"priority\":80,\"src\":\"all\",\"fwmark\":"
      + "\"0x100\",\"fwmask\":\"0xff00\",\"table\":\"101\",\"protocol\":\"213\"},{\"priority\":85,\"src\":\"198.18.1.2\","
      + "\"table\":\"101\",\"protocol\":\"213\"}]";
  static final String NEIGH = "[{\"dst\":\"198.18.1.1\",\"state\":[\"FAILED\"]}]";
  static final String NFT = "{\"nftables\": [{\"metainfo\": {\"version\": \"1.0.6\"}}, {\"table\": {\"family\": \"inet\", "
      + "\"name\": \"net_balancer\", \"handle\": 1}}, {\"set\": {\"family\": \"inet\", \"name\": \"fingerprint\", \"table\": "
      + "\"net_balancer\", \"type\": \"ifname\", \"handle\": 2, \"elem\": [\"p0123456789abcd\"]}}, {\"map\": {\"family\": "
      + "\"inet\", \"name\": \"uplink_mark\", \"table\": \"net_balancer\", \"type\": \"ifname\", \"map\": \"mark\", \"elem\": "
      + "[[\"wan1\", 256], [\"wan-2.x\", 512]]}}, {\"rule\": {\"family\": \"inet\", \"table\": \"net_balancer\"}}, "
      + "{\"rule\": {\"family\": \"inet\", \"table\": \"net_balancer\"}}]}";

  /** IPv6: wan2 has a global address beside the IPv4 one, and main an IPv6 default through it. */
  static final String ADDRESSES6 = "[{\"ifindex\":3,\"ifname\":\"wan2\",\"flags\":[\"UP\"],\"addr_info\":["
      + "{\"family\":\"inet6\",\"local\":\"2001:db8:2::2\",\"prefixlen\":64,\"scope\":\"global\",\"temporary\":true},"
      + "{\"family\":\"inet6\",\"local\":\"fe80::1\",\"prefixlen\":64,\"scope\":\"link\"}]}]";
  static final String MAIN6 = "[{\"type\":\"1\",\"dst\":\"default\",\"gateway\":\"fe80::1\",\"dev\":\"wan2\","
      + "\"protocol\":\"9\",\"scope\":\"0\",\"metric\":1024,\"flags\":[]}]";

  /**
   * ip answers each query of a batch with a list; ip -batch's stdin says which. Route queries come
   * one per call, as arguments.
   */
  private static RecordingRunner kernel(String main, String ours, String neighbors, String nft) {
    return new RecordingRunner(c -> {
      if (!c.argv().get(0).equals("ip")) {
        return nft == null ? new CommandRunner.Result(1, "", "Error: No such file or directory")
            : new CommandRunner.Result(0, nft, "");
      }
      boolean v6 = c.argv().contains("-6");
      if (c.stdin() == null) {
        String q = String.join(" ", c.argv().subList(5, c.argv().size()));
        String out = q.equals("route show table main default") && v6 ? MAIN6
            : q.equals("route show table main") && !v6 ? mainDump(main)
            : q.equals("route show table main proto 2") ? (v6 || main.equals("[]") ? "[]" : CONNECTED)
            : q.equals("route show table 101 proto 213") && !v6 ? ours : "[]";
        return new CommandRunner.Result(0, out, "");
      }
      StringBuilder out = new StringBuilder();
      for (String q : c.stdin().strip().split("\n")) {
        out.append(q.equals("address show") ? (v6 ? ADDRESSES6 : ADDRESSES) : q.equals("rule show") && !v6 ? RULES
            : q.startsWith("neigh show dev wan1") ? neighbors : v6 && q.equals("neigh show dev wan2")
            ? "[{\"dst\":\"fe80::1\",\"lladdr\":\"02:00:00:00:02:01\",\"router\":null,\"state\":[\"FAILED\"]}]"
            : "[]").append('\n');
      }
      return new CommandRunner.Result(0, out.toString(), "");
    });
  }

  /**
   * All of IPv4's main as the kernel dumps it: the routes to 0.0.0.0/x first (the trie's order),
   * then the rest — here cut off mid-way, which the read must never reach.
   */
  static String mainDump(String defaults) {
    String open = defaults.equals("[]") ? "[" : defaults.substring(0, defaults.length() - 1) + ",";
    return open + CONNECTED.substring(1, CONNECTED.length() - 1) + ",{\"type\":\"1\",\"dst\":\"240.0.0.0/28\",\"gatew";
  }

  /** Commands in sorted order: the reads of a pass run at the same time. */
  private static List<String> sorted(List<String> commands) {
    return commands.stream().sorted().toList();
  }

  private static List<String> commands(RecordingRunner runner) {
    return runner.calls().stream().map(c -> c.command() + (c.stdin() == null ? "" : " < " + c.stdin().strip()
        .replace('\n', ';'))).toList();
  }

  @Test
  void readsOnlyWhatTheBalancerNeedsFilteredByTheKernel() {
    RecordingRunner runner = kernel(MAIN, OURS, NEIGH, NFT);
    KernelObserver observer = KernelObserver.keepingMain(runner, 213, List.of(200, 201, 202));
    observer.observe();
    observer.observe(); // the second read sweeps every table for ours
    runner.clear();
    observer.mainChanged();
    observer.oursChanged();
    KernelState s = observer.observe();
    // Route queries one per call: only then does ip 6.1 ask the kernel to filter (strict checking);
    // in -batch mode each was a dump of every route of every table. Only tables known to exist:
    // those our rules look up (the main table never); none of ours for IPv6. IPv4's defaults: the
    // start of main's dump (mainDump: the rest is never read).
    assertEquals(sorted(List.of(
        "ip -j -d -N -4 route show table main",
        "ip -j -d -N -4 route show table main proto 2",
        "ip -j -d -N -6 route show table main default",
        "ip -j -d -N -6 route show table main proto 2",
        "ip -j -d -N -4 -force -batch - < address show;rule show;neigh show dev wan1",
        "ip -j -d -N -4 route show table 101 proto 213",
        "ip -j -d -N -6 -force -batch - < address show;rule show;neigh show dev wan2",
        "nft -j list table inet net_balancer")), sorted(commands(runner)));
    assertEquals(new Address(Family.INET6, "2001:db8:2::2", 64, null, "global", false, false, true),
        s.link("wan2").orElseThrow().addresses().get(2), "IPv6 addresses join the link, flags and all");
    Route default6 = s.routes().stream().filter(r -> r.family() == Family.INET6).findFirst().orElseThrow();
    assertEquals(List.of(new Nexthop("fe80::1", "wan2", 1)), default6.nexthops());
    assertEquals(1024, default6.metric());
    assertTrue(s.neighbors().contains(new Neighbor("fe80::1", "wan2", List.of("FAILED"))), "the IPv6 gateway's (NDP)");
    s = new KernelState(s.links(), s.routes().stream().filter(r -> r.family() == Family.INET).toList(),
        s.rules(), s.neighbors(), s.nftTable());

    Link wan2 = s.link("wan2").orElseThrow();
    assertTrue(wan2.adminUp());
    assertFalse(wan2.carrier());
    assertEquals(List.of(new Address(Family.INET, "198.18.2.2", 24, null, "global"),
        new Address(Family.INET6, "fe80::1", 64, null, "link")), wan2.addresses().subList(0, 2));
    assertTrue(s.link("ppp0").orElseThrow().pointToPoint());
    assertEquals("198.18.9.1", s.link("ppp0").orElseThrow().addresses().get(0).peer());

    assertEquals(3, s.routes().size(), "local routes are not uplink routes");
    Route lb = s.routesInTable(101).get(0);
    assertEquals(213, lb.protocol(), "a filtered field is left out by ip: the query's value");
    assertEquals(List.of(new Nexthop("198.18.1.1", "wan1", 3), new Nexthop("198.18.2.1", "wan2", 1)), lb.nexthops());
    assertTrue(lb.linkdown());
    Route connected = s.routesInTable(254).stream().filter(r -> !r.isDefault()).findFirst().orElseThrow();
    assertEquals(2, connected.protocol());
    assertEquals(101, s.routesInTable(254).stream().filter(Route::isDefault).findFirst().orElseThrow().metric());

    Rule suppress = s.rules().get(1);
    assertEquals(0, suppress.suppressPrefixLength());
    assertNull(suppress.src());
    Rule mark = s.rules().get(2);
    assertEquals(0x100L, mark.fwmark());
    assertEquals(0xff00L, mark.fwmask());
    assertEquals("198.18.1.2", s.rules().get(3).src());

    assertTrue(s.neighbors().get(0).failed());
    assertEquals("wan1", s.neighbors().get(0).dev(), "the device the query filtered on");
    assertEquals("p0123456789abcd", s.nftTable().fingerprint());
    assertEquals(2, s.nftTable().ruleCount());
    assertEquals(512L, s.nftTable().uplinkMarks().get("wan-2.x"));
  }

  @Test
  void theDaemonsObserverKeepsTheMainTablesViewUntilToldItChanged() {
    RecordingRunner runner = kernel(MAIN, OURS, NEIGH, NFT);
    KernelObserver observer = KernelObserver.keepingMain(runner, 213, List.of(200));
    observer.observe();
    observer.observe();
    assertEquals(2, mainReads(runner), "the second pass reuses the main table's view: defaults and connected");
    observer.mainChanged();
    observer.observe();
    assertEquals(4, mainReads(runner));
    KernelObserver oneShot = KernelObserver.of(runner, 213, List.of(200));
    oneShot.observe();
    oneShot.observe();
    assertEquals(8, mainReads(runner), "the CLI's observer reads afresh every time");
  }

  @Test
  void anIpv6EventReReadsOnlyTheIpv6MainTable() {
    RecordingRunner runner = kernel(MAIN, OURS, NEIGH, NFT);
    KernelObserver observer = KernelObserver.keepingMain(runner, 213, List.of(200));
    observer.observe();
    observer.awaitBackgroundReads();
    runner.clear();
    observer.mainChanged(EnumSet.of(Family.INET6), EnumSet.allOf(MainPart.class));
    observer.observe();
    assertEquals(0, mainReads(runner), "IPv4's main (a routing feed, perhaps) is kept");
    assertEquals(List.of("ip -j -d -N -6 route show table main default", "ip -j -d -N -6 route show table main proto 2"),
        sorted(commands(runner).stream().filter(c -> c.contains("table main")).toList()), "IPv6's main is read again");
  }

  @Test
  void aConnectedRouteEventNeverCostsTheDefaultsFullDump() {
    RecordingRunner runner = kernel(MAIN, OURS, NEIGH, NFT);
    KernelObserver observer = KernelObserver.keepingMain(runner, 213, List.of(200));
    KernelState first = observer.observe();
    observer.awaitBackgroundReads();
    runner.clear();
    observer.mainChanged(EnumSet.of(Family.INET), EnumSet.of(MainPart.CONNECTED));
    KernelState s = observer.observe();
    assertEquals(List.of("ip -j -d -N -4 route show table main proto 2"),
        commands(runner).stream().filter(c -> c.contains("table main")).toList(),
        "only the kernel-filtered read of main's connected routes");
    assertEquals(first.routesInTable(254).stream().filter(Route::isDefault).toList(),
        s.routesInTable(254).stream().filter(Route::isDefault).toList(), "the kept defaults are still there");
    runner.clear();
    observer.mainChanged(EnumSet.of(Family.INET), EnumSet.of(MainPart.DEFAULTS));
    observer.observe();
    assertEquals(List.of("ip -j -d -N -4 route show table main"),
        commands(runner).stream().filter(c -> c.contains("table main")).toList());
  }

  @Test
  void aTableOfOursIsAskedForOnceARuleLooksItUpAndOneThatVanishedIsEmpty() {
    RecordingRunner runner = new RecordingRunner(c -> {
      if (!c.argv().get(0).equals("ip")) {
        return new CommandRunner.Result(1, "", "");
      }
      if (c.stdin() != null) {
        boolean v6 = c.argv().contains("-6");
        return new CommandRunner.Result(0, v6 ? "[]\n[]\n" : "[]\n" + RULES + "\n", "");
      }
      if (c.command().endsWith("table 101 proto 213")) {
        // ip 6.1, strict checking: the kernel refuses a dump of a table that does not exist.
        return new CommandRunner.Result(2, "[", "Error: ipv4: FIB table does not exist.\nDump terminated\n");
      }
      return new CommandRunner.Result(0, "[]", "");
    });
    KernelObserver observer = KernelObserver.keepingMain(runner, 213, List.of(200));
    KernelState s = observer.observe();
    assertTrue(commands(runner).contains("ip -j -d -N -4 route show table 101 proto 213"),
        "our rules (read in the same pass) look up 101");
    assertTrue(s.routes().isEmpty());
    observer.observe(); // the sweep
    runner.clear();
    observer.oursChanged();
    s = observer.observe();
    assertTrue(commands(runner).contains("ip -j -d -N -4 route show table 101 proto 213"),
        "asked with the rules, at the same time, as the last read's rules looked it up");
    assertTrue(s.routes().isEmpty());
    RecordingRunner broken = new RecordingRunner(c -> c.stdin() != null
        ? new CommandRunner.Result(0, "[]\n[]\n", "")
        : new CommandRunner.Result(c.command().contains("table all") ? 1 : 0, "[]", "Cannot open netlink socket"));
    IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
        () -> KernelObserver.of(broken, 213, List.of(200)).observe());
    assertTrue(e.getMessage().contains("Cannot open netlink socket"), e.getMessage());
  }

  @Test
  void aGatewayDeviceThatVanishedBetweenTheReadsMeansOneMoreRead() {
    int[] mainCalls = {0};
    RecordingRunner runner = new RecordingRunner(c -> {
      if (!c.argv().get(0).equals("ip")) {
        return new CommandRunner.Result(1, "", "");
      }
      if (c.stdin() == null) {
        boolean v4Defaults = !c.argv().contains("-6") && c.command().endsWith("table main");
        return new CommandRunner.Result(0, v4Defaults && mainCalls[0]++ == 0 ? MAIN : "[]", "");
      }
      // ip prints nothing for "neigh show dev wan1" when wan1 is gone.
      int lists = (int) c.stdin().lines().filter(q -> !q.startsWith("neigh")).count();
      return new CommandRunner.Result(c.stdin().contains("neigh") ? 1 : 0, "[]\n".repeat(lists),
          "Cannot find device \"wan1\"");
    });
    KernelState s = KernelObserver.keepingMain(runner, 213, List.of(200)).observe();
    assertEquals(2, mainCalls[0]);
    assertTrue(s.routes().isEmpty());
  }

  @Test
  void theFirstReadTakesIpv4ConnectedRoutesFromTheAddressesAndTheNextTheDump() throws Exception {
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    RecordingRunner kernel = kernel(MAIN, OURS, NEIGH, NFT);
    CommandRunner runner = (argv, stdin, timeout) -> {
      if (stdin == null && !argv.contains("-6") && String.join(" ", argv).endsWith("route show table main proto 2")) {
        try {
          release.await(); // a million routes: the kernel's walk of all of main
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      return kernel.run(argv, stdin, timeout);
    };
    KernelObserver observer = KernelObserver.keepingMain(runner, 213, List.of(200));
    KernelState first = observer.observe(); // does not wait for the dump: it would hang here
    assertEquals(List.of("198.18.2.0/24 wan2 198.18.2.2", "198.18.9.1 ppp0 198.18.9.2"), connected4(first),
        "the routes the kernel makes for ADDRESSES (wan2's /24; ppp0's peer)");
    release.countDown();
    KernelState second = observer.observe();
    assertEquals(List.of("198.18.1.0/24 wan1 198.18.1.2"), connected4(second), "the dump's, whatever the addresses say");
    assertEquals(1, kernel.calls().stream().filter(c -> c.stdin() == null && !c.argv().contains("-6")
        && c.command().endsWith("route show table main proto 2")).count(), "the second read waited for the first's dump");
    KernelObserver cli = KernelObserver.of(kernel, 213, List.of(200));
    assertEquals(List.of("198.18.1.0/24 wan1 198.18.1.2"), connected4(cli.observe()), "the CLI reads the dump");
  }

  @Test
  void theFirstReadsConnectedDumpStartsAfterTheApplyNotBesideIt() throws InterruptedException {
    RecordingRunner runner = kernel(MAIN, OURS, NEIGH, NFT);
    KernelObserver observer = KernelObserver.keepingMain(runner, 213, List.of(200));
    observer.observe();
    Thread.sleep(200); // a dump started in the background would have been made by now
    java.util.function.Supplier<Long> dumps = () -> runner.calls().stream().filter(c -> c.stdin() == null
        && !c.argv().contains("-6") && c.command().endsWith("route show table main proto 2")).count();
    assertEquals(0L, dumps.get(), "not beside the first pass: its walk of main holds up the apply's changes");
    observer.refreshOurs(); // the daemon's, after the first apply
    observer.awaitBackgroundReads();
    assertEquals(1L, dumps.get());
    observer.observe();
    assertEquals(1L, dumps.get(), "the next read uses it");
  }

  private static List<String> connected4(KernelState s) {
    return s.routes().stream().filter(r -> r.family() == Family.INET && r.table() == 254 && r.protocol() == 2)
        .map(r -> r.dst() + " " + r.nexthops().get(0).dev() + " " + r.prefsrc()).toList();
  }

  @Test
  void onlyTheSecondReadLooksForOurRoutesInEveryTable() {
    RecordingRunner runner = kernel(MAIN, OURS, NEIGH, NFT);
    KernelObserver observer = KernelObserver.keepingMain(runner, 213, List.of(200));
    observer.observe();
    assertEquals(List.of(), commands(runner).stream().filter(c -> c.contains("table all")).toList(),
        "the first apply does not wait for a walk of every table");
    observer.observe();
    observer.oursChanged();
    observer.observe();
    assertEquals(List.of("ip -j -d -N -4 route show table all proto 213", "ip -j -d -N -6 route show table all proto 213"),
        sorted(commands(runner).stream().filter(c -> c.contains("table all")).toList()));
    assertEquals(2, mainReads(runner));
  }

  @Test
  void withAnEarlierRunsStateTheFirstReadLooksInEveryTableAndTheSecondDoesNot() {
    RecordingRunner runner = kernel(MAIN, OURS, NEIGH, NFT);
    KernelObserver observer = KernelObserver.keepingMain(runner, 213, List.of(200));
    observer.sweepOnFirstRead();
    observer.observe();
    assertEquals(List.of("ip -j -d -N -4 route show table all proto 213", "ip -j -d -N -6 route show table all proto 213"),
        sorted(commands(runner).stream().filter(c -> c.contains("table all")).toList()),
        "routes of a crashed run in a table no rule points to are seen before the first apply");
    observer.observe();
    assertEquals(2, commands(runner).stream().filter(c -> c.contains("table all")).count());
  }

  @Test
  void cleanupLooksForOurRoutesInEveryTable() {
    RecordingRunner runner = kernel("[]", OURS, NEIGH, null);
    KernelState s = KernelObserver.of(runner, 213, List.of(200)).observeEverythingOurs();
    assertEquals(List.of("ip -j -d -N -4 route show table all proto 213", "ip -j -d -N -6 route show table all proto 213"),
        sorted(commands(runner).stream().filter(c -> c.contains("proto 213")).toList()));
    assertFalse(s.nftTable().exists());
  }

  @Test
  void ourRoutesAndNftTableAreKeptUntilToldTheyChangedAndReadBackAfterAnApply() {
    RecordingRunner runner = kernel(MAIN, OURS, NEIGH, NFT);
    KernelObserver observer = KernelObserver.keepingMain(runner, 213, List.of(200));
    observer.observe();
    KernelState swept = observer.observe();
    runner.clear();
    KernelState s = observer.observe(); // a carrier loss, say
    assertEquals(List.of("ip -j -d -N -4 -force -batch - < address show;rule show;neigh show dev wan1",
        "ip -j -d -N -6 -force -batch - < address show;rule show;neigh show dev wan2"), sorted(commands(runner)),
        "links, addresses, rules and neighbors only");
    assertEquals(swept.routes(), s.routes(), "ours as kept");
    assertEquals(swept.nftTable(), s.nftTable());
    runner.clear();
    observer.oursChanged(); // our apply wrote something
    observer.refreshOurs();
    assertEquals(List.of("ip -j -d -N -4 route show table 101 proto 213", "nft -j list table inet net_balancer"),
        sorted(commands(runner)), "read back after the pass, not by the next one");
    runner.clear();
    observer.refreshOurs();
    observer.observe();
    assertEquals(2, commands(runner).size(), "nothing of ours again: " + commands(runner));
    runner.clear();
    observer.nftChanged(); // the periodic resync
    observer.observe();
    assertEquals(List.of("ip -j -d -N -4 -force -batch - < address show;rule show;neigh show dev wan1",
        "ip -j -d -N -6 -force -batch - < address show;rule show;neigh show dev wan2",
        "nft -j list table inet net_balancer"), sorted(commands(runner)), "our nft table again, not our routes");
    runner.clear();
    observer.nftChanged();
    observer.refreshOurs();
    assertEquals(List.of("nft -j list table inet net_balancer"), commands(runner));
  }

  @Test
  void ipv4DefaultsAreTheStartOfMainsDumpWhateverRoutesToZeroComeFirst() {
    // The trie's leaf for 0.0.0.0 holds every prefix of that address, the longest first.
    String dump = "[{\"type\":\"blackhole\",\"dst\":\"0.0.0.0/8\",\"protocol\":\"12\",\"scope\":\"0\",\"flags\":[]},"
        + "{\"type\":\"1\",\"dst\":\"0.0.0.0/1\",\"gateway\":\"198.18.3.1\",\"dev\":\"wan3\",\"protocol\":\"3\","
        + "\"scope\":\"0\",\"flags\":[]}," + MAIN.substring(1, MAIN.length() - 1)
        + ",{\"type\":\"1\",\"dst\":\"1.0.0.0/24\",\"gateway\":\"198.18.1.1\",\"dev\":\"wan1\",\"protocol\":\"12\","
        + "\"flags\":[]},{\"type\":\"1\",\"dst\":\"default\",\"gateway\":\"198.18.9.9\",\"dev\":\"never\"},{\"broken";
    RecordingRunner runner = new RecordingRunner(c -> new CommandRunner.Result(0,
        c.stdin() == null && c.command().endsWith("-4 route show table main") ? dump : c.stdin() == null ? "[]"
        : "[]\n".repeat((int) c.stdin().lines().count()), ""));
    KernelState s = KernelObserver.of(runner, 213, List.of(200)).observe();
    assertEquals(List.of("wan1"), s.routesInTable(254).stream().filter(Route::isDefault)
        .flatMap(r -> r.nexthops().stream()).map(Nexthop::dev).toList(), "read up to the first other address");
  }

  private static long mainReads(RecordingRunner runner) {
    return runner.calls().stream().filter(c -> c.stdin() == null && !c.argv().contains("-6")
        && c.command().contains("route show table main")).count();
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
    RecordingRunner runner = new RecordingRunner(c -> new CommandRunner.Result(0, OURS, ""));
    assertEquals(Set.of("wan1", "wan2"), KernelObserver.defaultRouteDevices(runner, 200));
    assertEquals(List.of("ip -j -d -N -4 route show table 200"),
        runner.calls().stream().map(RecordingRunner.Call::command).toList());
    assertNull(KernelObserver.defaultRouteDevices(new RecordingRunner(c -> new CommandRunner.Result(1, "", "Cannot open network"
        + " namespace")), 200));
  }

  @Test
  void theUnansweredSynsAreOneSmallNftCallPerFamily() {
    String json = "{\"nftables\": [{\"metainfo\": {\"version\": \"1.0.6\"}}, {\"set\": {\"family\": \"inet\", "
        + "\"name\": \"syn_sent\", \"table\": \"net_balancer\", \"type\": [\"ipv4_addr\", \"inet_service\", \"ipv4_addr\", "
        + "\"inet_service\", \"ifname\"], \"handle\": 3, \"size\": 4096, \"flags\": [\"timeout\"], \"timeout\": 10, "
        + "\"elem\": [{\"elem\": {\"val\": {\"concat\": [\"192.0.2.10\", 1234, \"203.0.113.10\", 80, \"wan1\"]}, "
        + "\"expires\": 9}}]}}]}";
    RecordingRunner runner = new RecordingRunner(c -> new CommandRunner.Result(0, json, ""));
    assertEquals(List.of(new PendingSyn("192.0.2.10", 1234, "203.0.113.10", 80, "wan1", 9)),
        KernelObserver.pendingSyns(runner, Family.INET));
    assertEquals("nft -j list set inet net_balancer syn_sent", runner.calls().get(0).command());
    assertNull(KernelObserver.pendingSyns(new RecordingRunner(c -> new CommandRunner.Result(1, "", "No such file")),
        Family.INET));
  }

  /** As nft 1.0.6 prints the IPv6 set: the same concatenation with compressed IPv6 addresses. */
  @Test
  void theUnansweredIpv6SynsComeFromTheirOwnSet() {
    String json = "{\"nftables\": [{\"metainfo\": {\"version\": \"1.0.6\"}}, {\"set\": {\"family\": \"inet\", "
        + "\"name\": \"syn_sent6\", \"table\": \"net_balancer\", \"type\": [\"ipv6_addr\", \"inet_service\", "
        + "\"ipv6_addr\", \"inet_service\", \"ifname\"], \"handle\": 4, \"size\": 4096, \"flags\": [\"timeout\"], "
        + "\"timeout\": 10, \"elem\": [{\"elem\": {\"val\": {\"concat\": [\"2001:db8:ff00::10\", 40000, "
        + "\"2001:db8:ffff::20\", 8080, \"wan2\"]}, \"expires\": 7}}]}}]}";
    RecordingRunner runner = new RecordingRunner(c -> new CommandRunner.Result(0, json, ""));
    assertEquals(List.of(new PendingSyn("2001:db8:ff00::10", 40000, "2001:db8:ffff::20", 8080, "wan2", 7)),
        KernelObserver.pendingSyns(runner, Family.INET6));
    assertEquals("nft -j list set inet net_balancer syn_sent6", runner.calls().get(0).command());
  }
}
