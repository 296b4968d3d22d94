package netbalancer.harness;

import java.io.PrintStream;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.function.Supplier;
import netbalancer.harness.Observer.Seen;
import netbalancer.lab.HeldConnections;
import netbalancer.lab.Lab;
import netbalancer.lab.LabProcess;
import netbalancer.lab.LoadReport;
import netbalancer.observe.KernelObserver;

/**
 * {@code net-balancer lab}: the balancer at work in a lab of 3 ISPs (weights 2:1:1), without
 * touching this host's network: traffic from the LAN host, one cable pulled, one ISP's upstream
 * blackholed, both put back, the lab removed. Plain lines, a status table every 2 s.
 */
public final class LabDemo {
  private static final Map<String, String> WEIGHTS = Map.of("UPLINK_WEIGHTS", "wan1=2 wan2=1 wan3=1");
  private static final int BATCH = 60;
  private static final long TICK_NANOS = 2_000_000_000L;

  private final PrintStream out;
  private final long start = System.nanoTime();
  private LabRig rig;
  private Observer observer;
  private LabProcess traffic;
  private long nextTick;

  private LabDemo(PrintStream out) {
    this.out = out;
  }

  /** LB_TABLE's members, or null while the router cannot be read (the observer keeps what it saw last). */
  private static Supplier<Set<String>> observeTable(Lab lab, int table) {
    var router = lab.runnerIn(lab.routerNs());
    return () -> KernelObserver.defaultRouteDevices(router, table);
  }

  /** Runs the demo; with {@code keep} the lab stays up and this JVM ends without removing it. */
  public static int run(boolean keep, PrintStream out) throws InterruptedException {
    return new LabDemo(out).demo(keep);
  }

  private int demo(boolean keep) throws InterruptedException {
    out.println("net-balancer lab: a simulated network of 3 ISPs in network namespaces; this host's own network"
        + " is not touched.");
    try (Undo undo = new Undo("net-balancer lab", out)) {
      heading(1, "Building the lab: LAN host -> router running net-balancer -> ISP 1, 2, 3 -> servers");
      rig = LabRig.start(WEIGHTS, keep);
      undo.atEnd(rig::close);
      Lab lab = rig.lab();
      observer = new Observer(observeTable(lab, rig.config().lbTable()),
          () -> DaemonView.request(rig.config().controlSocket()), (t, what) -> { }).start();
      undo.atEnd(observer::close);
      say("built in %s: namespaces %s{router,client,inet,isp1,isp2,isp3}", since(start), lab.prefix());
      say("the daemon balances new connections over wan1, wan2, wan3 with weights 2:1:1");

      heading(2, "Traffic: the LAN host opens " + BATCH + " new connections every 2 s to servers behind the ISPs");
      traffic = lab.startJava(lab.clientNs(), BatchClient.class.getName(), LabRig.TRAFFIC_ADDRESS,
          Integer.toString(LabRig.PORT));
      nextTick = System.nanoTime();
      ticks(2);
      HeldConnections held = lab.hold(lab.clientNs(), LabRig.TRAFFIC_ADDRESS, LabRig.PORT, 30);
      say("the LAN host also keeps 30 long-lived connections open: %s", counts(held.opened()));

      heading(3, "Pulling wan2's cable: ISP 2's end of the link goes down");
      LabTarget faults = new LabTarget(rig);
      Fault cable = faults.carrier("wan2");
      undo.apply(cable);
      react(System.nanoTime(), s -> !s.balances("wan2"), Duration.ofSeconds(3),
          "wan2 left LB_TABLE %s later: the kernel reported the carrier loss, the daemon took it out at once");
      ticks(2);

      heading(4, "Blackholing ISP 3's upstream: the link and the gateway stay up, everything beyond is dropped");
      say("nothing in the kernel changes: only the health checks (every 1 s here, through each uplink) can tell");
      Fault blackhole = faults.blackhole("wan3");
      undo.apply(blackhole);
      untilTicks(System.nanoTime(), s -> !s.balances("wan3"), Duration.ofSeconds(8),
          "wan3 left LB_TABLE %s after the blackhole: its probes failed twice in a row");
      ticks(1);
      LoadReport alive = held.check(Duration.ofMillis(1500));
      Map<String, Integer> opened = byUplink(held.opened());
      Map<String, Integer> answering = byUplink(alive);
      say("of the 30 connections held open since step 2, still answering: wan1 %d/%d, wan2 %d/%d (cable out),"
          + " wan3 %d/%d (ISP drops everything)", answering.get("wan1"), opened.get("wan1"), answering.get("wan2"),
          opened.get("wan2"), answering.get("wan3"), opened.get("wan3"));
      held.close();

      heading(5, "Putting the cable and ISP 3 back");
      undo.revert(cable);
      undo.revert(blackhole);
      untilTicks(System.nanoTime(), s -> s.members().size() == 3 && s.daemon() != null && s.daemon().allEligible(),
          Duration.ofSeconds(15), "wan2 and wan3 are balanced again %s later (after DEBOUNCE_TIME, the hold-down"
          + " and a good probe)");
      ticks(1);
      if (keep) {
        keepLab(lab);
        return 0; // not reached: keepLab halts so that no hook removes the lab
      }
      heading(6, "Removing the lab");
    }
    List<String> left = Lab.listNamespaces().stream().filter(n -> n.startsWith(rig.lab().prefix())).toList();
    say(left.isEmpty() ? "removed: no namespace and no process left behind" : "LEFT BEHIND: " + left);
    say("done in %s", since(start));
    out.flush();
    return left.isEmpty() ? 0 : 1;
  }

  private void heading(int step, String text) {
    out.println();
    out.println("== " + step + ". " + text);
    out.flush();
  }

  private void say(String format, Object... args) {
    out.println("   " + String.format(format, args));
    out.flush();
  }

  private static String since(long t0) {
    return Scenarios.millis(System.nanoTime() - t0);
  }

  private void react(long t0, Predicate<Seen> p, Duration limit, String format) throws InterruptedException {
    Seen s = observer.await(t0, p, limit);
    say(s == null ? "no reaction within " + Limits.seconds(limit) + "!"
        : String.format(format, Scenarios.millis(s.nanos() - t0)));
  }

  /** Status tables every 2 s until {@code p} holds (or the limit passes); says when it did as soon as it does. */
  private void untilTicks(long t0, Predicate<Seen> p, Duration limit, String format) throws InterruptedException {
    long deadline = t0 + limit.toNanos();
    Seen s;
    while ((s = observer.await(t0, p, Duration.ofNanos(Math.max(0, nextTick - System.nanoTime())))) == null
        && System.nanoTime() < deadline) {
      ticks(1);
    }
    say(s == null ? "not within " + Limits.seconds(limit) + "!"
        : String.format(format, Scenarios.millis(s.nanos() - t0)));
  }

  /** {@code n} rounds: wait for the next 2 s mark, send a batch, print the table. */
  private void ticks(int n) throws InterruptedException {
    for (int i = 0; i < n; i++) {
      long wait = nextTick - System.nanoTime();
      if (wait > 0) {
        Thread.sleep(wait / 1_000_000);
      }
      traffic.writeLine(Integer.toString(BATCH));
      LoadReport batch = LoadReport.parse(traffic.readLine(Duration.ofSeconds(30)));
      nextTick = System.nanoTime() + TICK_NANOS; // a slow batch (timeouts) must not make the next table come at once
      Seen now = observer.latest();
      out.print(ShareTable.render((System.nanoTime() - start) / 1e9, List.of("wan1", "wan2", "wan3"),
          Map.of("wan1", 2, "wan2", 1, "wan3", 1), DaemonView.request(rig.config().controlSocket()),
          now.members(), byUplink(batch), batch.failed()));
      out.flush();
    }
  }

  private Map<String, Integer> byUplink(LoadReport r) {
    Map<String, Integer> out = new LinkedHashMap<>();
    for (int i = 1; i <= 3; i++) {
      out.put(rig.lab().uplinkName(i), r.from(rig.lab().ispPublicAddress(i)));
    }
    return out;
  }

  private String counts(LoadReport r) {
    return Scenarios.perUplink(byUplink(r));
  }

  private void keepLab(Lab lab) {
    lab.detach();
    String p = lab.prefix();
    heading(6, "The lab stays up (--keep)");
    say("namespaces:        %s", String.join(" ", lab.namespaces()));
    say("the LAN host:      sudo ip netns exec %sclient bash", p);
    say("the router:        sudo ip netns exec %srouter bash", p);
    say("balancer status:   sudo ip netns exec %srouter env CONTROL_SOCKET=%s net-balancer status", p,
        rig.config().controlSocket());
    say("pull a cable:      sudo ip netns exec %sisp2 ip link set %s down   (and 'up' to put it back)", p,
        Lab.ISP_CUSTOMER_IF);
    say("remove it:         sudo net-balancer lab --remove");
    say("(other labs and test runs leave it alone)");
    out.flush();
    traffic.closeStdin();
    Runtime.getRuntime().halt(0);
  }

  /** {@code lab --remove}: removes labs whose creator has exited (those left by --keep, or by a crash). */
  public static int removeKept(PrintStream out) {
    Set<String> before = labNamespaces();
    Set<String> remaining = Lab.sweepStaleAndKept();
    Set<String> gone = new TreeSet<>(before);
    gone.removeAll(remaining);
    Set<String> prefixes = new TreeSet<>();
    gone.forEach(ns -> prefixes.add(ns.substring(0, ns.lastIndexOf('-') + 1)));
    Lab.sweepStateDirs(); // theirs and any a crash left
    out.println(prefixes.isEmpty() ? "no kept lab found" : "removed " + String.join(" ", prefixes) + " ("
        + gone.size() + " namespaces and what ran in them)");
    if (!remaining.isEmpty()) {
      out.println("left alone: " + remaining.size() + " namespace(s) of labs whose creator still runs");
    }
    return 0;
  }

  private static Set<String> labNamespaces() {
    Set<String> out = new TreeSet<>();
    Lab.listNamespaces().stream().filter(n -> n.startsWith(Lab.PREFIX)).forEach(out::add);
    return out;
  }
}
