package netbalancer.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import netbalancer.lab.Lab;
import netbalancer.lab.LabProcess;
import netbalancer.netlink.RouteWatch;
import netbalancer.netlink.TableFilter;
import netbalancer.netlink.TableWatch;
import netbalancer.system.ProcessRunner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The event monitors' filtered netlink sockets on the real kernel (routes; nft tables). Each
 * socket lives in a process started in the lab's router namespace ({@link RouteWatch},
 * {@link TableWatch}): one opened in this JVM would be in the host's namespace.
 */
@ExtendWith(HostGuard.class)
class NetlinkRouteIT {
  private static final Duration WAIT = Duration.ofSeconds(10);

  private static String message(int type, int dstLen, int table, int proto) {
    return "RouteMessage[type=" + type + ", error=0, family=2, dstLen=" + dstLen + ", table=" + table + ", protocol="
        + proto + ", linkLocal=false]";
  }

  /** A {@link RouteWatch} in the lab's router namespace (its socket must not be in the host's). */
  private static LabProcess routeWatch(Lab lab, String... args) {
    return watch(lab, RouteWatch.class, args);
  }

  private static LabProcess watch(Lab lab, Class<?> main, String... args) {
    List<String> argv = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), main.getName()));
    argv.addAll(List.of(args));
    return lab.start(lab.routerNs(), argv.toArray(String[]::new));
  }

  @Test
  void theKernelDropsAFeedAndOtherTablesAndPassesWhatTheDaemonActsOn() {
    try (Lab lab = Lab.create(1)) {
      String ns = lab.routerNs();
      try (LabProcess watch = routeWatch(lab, "213", "200,101,1000")) {
        assertEquals("ready", watch.readLine(Duration.ofSeconds(30)));
        String gw = lab.gatewayAddress(1);
        lab.execCheck(ns, "ip", "route", "add", "240.0.0.16/28", "via", gw, "proto", "12"); // a feed's
        lab.execCheck(ns, "ip", "route", "replace", "240.0.0.16/28", "via", gw, "proto", "12", "metric", "5");
        lab.execCheck(ns, "ip", "route", "del", "240.0.0.16/28", "via", gw, "proto", "12");
        lab.execCheck(ns, "ip", "route", "add", "240.0.0.32/28", "via", gw, "table", "7"); // another table
        lab.execCheck(ns, "ip", "route", "add", "default", "via", gw, "table", "101", "proto", "213"); // our echo
        lab.execCheck(ns, "ip", "route", "del", "default", "table", "101"); // a deletion of ours
        lab.execCheck(ns, "ip", "route", "add", "240.0.0.48/28", "via", gw, "table", "1000", "proto", "12");
        lab.execCheck(ns, "ip", "address", "add", "198.19.250.1/24", "dev", lab.uplinkName(1)); // a connected route
        lab.execCheck(ns, "ip", "route", "add", "default", "via", gw, "metric", "4242", "proto", "16");
        lab.execCheck(ns, "ip", "route", "add", "240.0.0.64/28", "via", gw, "table", "200", "proto", "12"); // the end
        List<String> got = new ArrayList<>();
        String end = message(24, 28, 200, 12);
        while (got.isEmpty() || !got.get(got.size() - 1).equals(end)) {
          got.add(watch.readLine(WAIT));
        }
        assertEquals(List.of(message(25, 0, 101, 213), message(24, 28, 1000, 12), message(24, 24, 254, 2),
            message(24, 0, 254, 16), end), got);
      }
    }
  }

  /**
   * Another program's set elements and each transaction's generation message never reach the
   * socket; a table added or deleted does, also when it is the last message of a transaction that
   * changed elements first (the kernel packs them in one datagram).
   */
  @Test
  void theKernelDropsSetElementsAndPassesTablesAlsoAfterElementsOfTheSameTransaction() {
    try (Lab lab = Lab.create(1)) {
      String ns = lab.routerNs();
      try (LabProcess watch = watch(lab, TableWatch.class)) {
        assertEquals("ready", watch.readLine(Duration.ofSeconds(30)));
        lab.execCheck(ns, "nft", "add", "table", "inet", "blocklist");
        assertEquals("tables a00", watch.readLine(WAIT));
        lab.execCheck(ns, "nft", "add", "set", "inet", "blocklist", "deny", "{ type ipv4_addr; }");
        StringBuilder churn = new StringBuilder();
        for (int i = 0; i < 200; i++) { // 200 transactions of elements only: nothing passes
          churn.append("add element inet blocklist deny { 240.0.").append(i).append(".1 }\n");
        }
        assertTrue(lab.exec(ns, List.of("nft", "-f", "-"), churn.toString(), WAIT).ok());
        for (int i = 0; i < 200; i++) {
          lab.execCheck(ns, "nft", "add", "element", "inet", "blocklist", "deny", "{ 241.0.0." + i + " }");
        }
        assertTrue(lab.exec(ns, List.of("nft", "-f", "-"), "add element inet blocklist deny { 242.0.0.1 }\n"
            + "delete table inet blocklist\n", WAIT).ok());
        String line = watch.readLine(WAIT);
        while (line.startsWith("other ")) { // only a datagram of more messages than the filter looks at
          assertTrue(line.split(" ").length - 1 > TableFilter.SCANNED, "passed: " + line);
          line = watch.readLine(WAIT);
        }
        assertTrue(line.startsWith("tables ") && line.endsWith(" a02") && line.contains("a0c"), line);
      }
    }
  }

  @Test
  void messagesTheKernelDroppedForASlowReaderAreReportedAsAnOverrun() {
    try (Lab lab = Lab.create(1)) {
      String ns = lab.routerNs();
      // The smallest receive buffer the kernel allows, and no read until "go".
      try (LabProcess watch = routeWatch(lab, "213", "101", "1", "go")) {
        assertEquals("ready", watch.readLine(Duration.ofSeconds(30)));
        StringBuilder batch = new StringBuilder();
        for (int i = 0; i < 2000; i++) { // all in a table of ours: the filter passes them
          batch.append("route add 240.1.").append(i / 16).append('.').append((i % 16) * 16).append("/28 via ")
              .append(lab.gatewayAddress(1)).append(" table 101 proto 12\n");
        }
        assertTrue(lab.exec(ns, List.of("ip", "-batch", "-"), batch.toString(), Duration.ofSeconds(60)).ok());
        watch.writeLine("go");
        String line = watch.readLine(WAIT);
        while (line.startsWith("RouteMessage")) {
          line = watch.readLine(WAIT);
        }
        assertTrue(line.startsWith("overrun the kernel dropped messages (ENOBUFS)"), line);
      }
    }
  }

  /** The names of a process's threads (15 characters at most, as the kernel keeps them). */
  private static List<String> threads(long pid) {
    List<String> out = new ArrayList<>();
    try (var tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
      for (Path t : (Iterable<Path>) tasks::iterator) {
        try {
          out.add(Files.readString(t.resolve("comm")).strip());
        } catch (java.io.IOException e) {
          // ended meanwhile
        }
      }
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return out;
  }

  /** The command lines of the processes in the lab's router namespace. */
  private static String processes(Lab lab) {
    String inRouter = new ProcessRunner().run("ip", "netns", "pids", lab.routerNs()).stdout().strip();
    List<String> ps = new ArrayList<>(List.of("ps", "-o", "args=", "-p"));
    ps.add(String.join(",", inRouter.split("\\s+")));
    return new ProcessRunner().run(ps.toArray(String[]::new)).stdout();
  }

  @Test
  void theDaemonReadsEveryEventFromItsSocketsAndRunsNoMonitorProcess() throws Exception {
    Map<String, String> env = Map.of("DEBOUNCE_TIME", "1", "HEALTH_CHECK_ENABLED", "false");
    try (Lab lab = Lab.create(2); LabProcess daemon = Nb.daemon(lab, env)) {
      // The monitors start right after the first apply: wait for their threads.
      Await.until(Duration.ofSeconds(5), "the event sockets' threads run",
          () -> threads(daemon.pid()).containsAll(List.of("netlink-route-m", "netlink-device-", "netlink-table-m")));
      String processes = processes(lab);
      assertTrue(!processes.contains("monitor"), "no ip or nft monitor: " + processes);
      String good = Nb.kernelDump(lab);
      lab.execCheck(lab.routerNs(), "ip", "route", "flush", "table", "101");
      long ms = Await.until(Duration.ofSeconds(2), "table 101 back", () -> Nb.kernelDump(lab).equals(good));
      System.out.printf("netlink route events: table 101 repaired in %d ms%n", ms);
      lab.execCheck(lab.routerNs(), "ip", "rule", "del", "pref", "90");
      ms = Await.until(Duration.ofSeconds(2), "rule 90 back", () -> Nb.kernelDump(lab).equals(good));
      System.out.printf("netlink device events: rule 90 repaired in %d ms%n", ms);
      lab.carrierDown(2);
      ms = Await.until(Duration.ofSeconds(2), "wan2 out", () -> !Nb.balanced(lab).contains("wan2"));
      System.out.printf("netlink device events: wan2 out %d ms after its carrier loss%n", ms);
      assertTrue(daemon.recentLines().stream().noneMatch(l -> l.contains("no netlink socket")), daemon.recentLines().toString());
    }
  }

  @Test
  void withoutJnaTheDaemonSaysWhyAndReadsRouteEventsFromIpMonitorRoute() throws Exception {
    // jna.nounpack: JNA may not unpack its native library from the jar, as on a noexec /tmp.
    Map<String, String> env = Map.of("DEBOUNCE_TIME", "1", "HEALTH_CHECK_ENABLED", "false",
        "JAVA_TOOL_OPTIONS", "-Djna.nounpack=true");
    try (Lab lab = Lab.create(2); LabProcess daemon = Nb.daemon(lab, env)) {
      Await.until(Duration.ofSeconds(5), "ip monitor route runs", () -> processes(lab).contains("ip -N monitor route"));
      Await.until(Duration.ofSeconds(5), "nft monitor tables runs", () -> processes(lab).contains("nft monitor tables"));
      Await.until(Duration.ofSeconds(5), "ip monitor link runs", () -> processes(lab).contains("ip -N monitor link"));
      String why = Nb.waitForLog(daemon, "no netlink socket", Duration.ofSeconds(5));
      assertTrue(why.contains("JNA unavailable"), why);
      String good = Nb.kernelDump(lab);
      lab.execCheck(lab.routerNs(), "ip", "route", "flush", "table", "101");
      Await.until(Duration.ofSeconds(2), "table 101 back", () -> Nb.kernelDump(lab).equals(good));
    }
  }

  /**
   * Our tables are compiled into the socket's filter: after a reload that moves LB_TABLE, a route
   * someone else puts in the new table (a replace: no deletion of ours to see) must still wake the
   * daemon, which puts its own back. With the start's filter it waited for a resync of our routes.
   */
  @Test
  void aReloadThatMovesLbTableWatchesTheNewTable(@TempDir Path tmp) throws Exception {
    Path conf = tmp.resolve("net-balancer.conf");
    Files.writeString(conf, "DEBOUNCE_TIME=1\nHEALTH_CHECK_ENABLED=false\n");
    try (Lab lab = Lab.create(2); LabProcess daemon = Nb.daemon(lab, Map.of(), "--config", conf.toString())) {
      String ns = lab.routerNs();
      Files.writeString(conf, "DEBOUNCE_TIME=1\nHEALTH_CHECK_ENABLED=false\nLB_TABLE=300\n");
      assertEquals(0, new ProcessRunner().run("kill", "-HUP", Long.toString(daemon.pid())).exitCode());
      Nb.waitForLog(daemon, "configuration reloaded", Duration.ofSeconds(10));
      Await.until(Duration.ofSeconds(5), "the balanced route in table 300",
          () -> lab.exec(ns, "ip", "route", "show", "table", "300").stdout().contains("nexthop"));
      String good = lab.exec(ns, "ip", "route", "show", "table", "300").stdout();
      // The move's own deletions in table 200 are events of ours and wake a pass: let it pass, or
      // it, not the replace below, would be what repairs table 300.
      Thread.sleep(1000);
      lab.execCheck(ns, "ip", "route", "replace", "default", "via", lab.gatewayAddress(1), "table", "300", "proto", "12");
      long ms = Await.until(Duration.ofSeconds(3), "table 300 back",
          () -> lab.exec(ns, "ip", "route", "show", "table", "300").stdout().equals(good));
      System.out.printf("netlink route events after a reload to LB_TABLE=300: repaired in %d ms%n", ms);
    }
  }
}
