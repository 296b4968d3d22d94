package netbalancer.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import netbalancer.config.Config;
import netbalancer.kernel.Conntrack;
import netbalancer.kernel.FakeSysctls;
import netbalancer.kernel.KernelApplier;
import netbalancer.kernel.StateStore;
import netbalancer.log.Log;
import netbalancer.observe.KernelState;
import netbalancer.plan.Fixtures;
import netbalancer.plan.Uplink;
import netbalancer.plan.UplinkState;
import netbalancer.system.RecordingRunner;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The daemon's decisions with a fake kernel and a fake clock: minutes of timing in milliseconds. */
class ReconcilerTest {
  private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

  @TempDir
  Path dir;

  private final AtomicLong clock = new AtomicLong(1_000 * SECOND);
  private final AtomicReference<KernelState> kernel = new AtomicReference<>();
  private final Map<String, Verdict> health = new HashMap<>();
  private final Map<String, Verdict> health6 = new HashMap<>();
  private RecordingRunner runner;
  private Reconciler reconciler;

  @BeforeEach
  void setUp() {
    reconciler = reconciler(Config.of(Map.of("DEBOUNCE_TIME", "2", "DRAIN_TIMEOUT", "60")));
    kernel.set(three(true, true));
    reconciler.reconcile();
    runner.clear();
  }

  private Reconciler reconciler(Config config) {
    runner = new RecordingRunner();
    HealthSource fakeHealth = new HealthSource() {
      @Override
      public void track(List<Uplink> uplinks, Set<String> neighborFailed) {
      }

      @Override
      public Map<String, Verdict> verdicts() {
        return Map.copyOf(health);
      }

      @Override
      public Map<String, Verdict> verdicts6() {
        return Map.copyOf(health6);
      }
    };
    return new Reconciler(config, kernel::get,
        new KernelApplier(runner, new FakeSysctls(), new StateStore(dir.resolve("s.json")), 213),
        new Conntrack(runner), fakeHealth, clock::get);
  }

  private static KernelState three(boolean wan2Carrier, boolean wan3Present) {
    Fixtures f = new Fixtures().uplink("wan1", 1, true).uplink("wan2", 2, wan2Carrier);
    return (wan3Present ? f.uplink("wan3", 3, true) : f).build();
  }

  private List<String> conntrackCalls() {
    return runner.calls().stream().map(RecordingRunner.Call::command).filter(c -> c.startsWith("conntrack")).toList();
  }

  private Map<String, UplinkState> states(Reconciler.Outcome o) {
    Map<String, UplinkState> out = new HashMap<>();
    o.verdicts().forEach((k, v) -> out.put(k, v.state()));
    return out;
  }

  private static KernelState dual(boolean wan2Carrier) {
    return new Fixtures().uplink("wan1", 1, true).uplink("wan2", 2, wan2Carrier)
        .ipv6("wan1", "2001:db8:1::2", "2001:db8:1::/64", "fe80::1", 1024)
        .ipv6("wan2", "2001:db8:2::2", "2001:db8:2::/64", "2001:db8:2::1", 1024).build();
  }

  @Test
  void aFailedIpv6SideLeavesOnlyTheIpv6BalanceAndComesBackTheSameWay() {
    kernel.set(dual(true));
    reconciler.reconcile();
    runner.clear();
    health6.put("wan2", new Verdict(UplinkState.HOLD_DOWN, "2 probe rounds failed", false));
    Reconciler.Outcome o = reconciler.reconcile();
    assertEquals(List.of("wan1", "wan2"), o.plan().balanced(), "IPv4 keeps balancing over wan2");
    assertEquals(List.of("wan1"), o.plan().balanced6());
    assertEquals(List.of(), o.transitions());
    assertEquals(List.of(new Transition("wan2", UplinkState.UP, UplinkState.HOLD_DOWN, "2 probe rounds failed",
        Transition.IPV6)), o.transitions6());
    assertEquals(List.of(), conntrackCalls(), "a soft failure of one family deletes no connection");
    assertTrue(runner.calls().stream().anyMatch(c -> c.command().startsWith("ip -6")), "the IPv6 route changed");

    health6.put("wan2", Verdict.up("1 probe round passed"));
    Reconciler.Outcome back = reconciler.reconcile();
    assertEquals(List.of("wan1", "wan2"), back.plan().balanced6());
    assertEquals(List.of(new Transition("wan2", UplinkState.HOLD_DOWN, UplinkState.UP, "1 probe round passed",
        Transition.IPV6)), back.transitions6());

    // a carrier loss takes both families out at once, whatever the IPv6 probes said last
    kernel.set(dual(false));
    Reconciler.Outcome lost = reconciler.reconcile();
    assertEquals(List.of("wan1"), lost.plan().balanced());
    assertEquals(List.of("wan1"), lost.plan().balanced6());
    assertEquals(List.of(new Transition("wan2", UplinkState.UP, UplinkState.DOWN, "carrier lost")), lost.transitions());
    assertEquals(List.of(new Transition("wan2", UplinkState.UP, UplinkState.DOWN, "carrier lost", Transition.IPV6)),
        lost.transitions6());
  }

  @Test
  void aFailedIpv6GatewayNeighborTakesOutTheIpv6SideAloneLikeArpForIpv4() {
    kernel.set(dual(true));
    reconciler.reconcile();
    runner.clear();
    kernel.set(new Fixtures().uplink("wan1", 1, true).uplink("wan2", 2, true)
        .ipv6("wan1", "2001:db8:1::2", "2001:db8:1::/64", "fe80::1", 1024)
        .ipv6("wan2", "2001:db8:2::2", "2001:db8:2::/64", "2001:db8:2::1", 1024)
        .neighbor("fe80::1", "wan1", "FAILED").neighbor("198.18.1.1", "wan1", "REACHABLE").build());
    Reconciler.Outcome o = reconciler.reconcile();
    assertEquals(List.of("wan1", "wan2"), o.plan().balanced(), "IPv4 over wan1 goes on");
    assertEquals(List.of("wan2"), o.plan().balanced6());
    assertEquals(List.of(new Transition("wan1", UplinkState.UP, UplinkState.DOWN, "gateway fe80::1 neighbor FAILED",
        Transition.IPV6)), o.transitions6());
    assertEquals(List.of(), o.transitions());
    assertEquals(List.of(), conntrackCalls());
    // resolved again: back at once (no probes here to wait for)
    kernel.set(new Fixtures().uplink("wan1", 1, true).uplink("wan2", 2, true)
        .ipv6("wan1", "2001:db8:1::2", "2001:db8:1::/64", "fe80::1", 1024)
        .ipv6("wan2", "2001:db8:2::2", "2001:db8:2::/64", "2001:db8:2::1", 1024)
        .neighbor("fe80::1", "wan1", "REACHABLE").build());
    assertEquals(List.of("wan1", "wan2"), reconciler.reconcile().plan().balanced6());
  }

  @Test
  void withoutIpv6ProbesTheIpv6SideFollowsItsUplink() {
    kernel.set(dual(true));
    reconciler.reconcile();
    health.put("wan2", new Verdict(UplinkState.HOLD_DOWN, "2 probe rounds failed", false));
    Reconciler.Outcome o = reconciler.reconcile();
    assertEquals(List.of("wan1"), o.plan().balanced());
    assertEquals(List.of("wan1"), o.plan().balanced6());
    assertEquals(UplinkState.HOLD_DOWN, o.verdicts6().get("wan2").state());
  }

  @Test
  void startupTrustsExistingUplinksAtOnce() {
    kernel.set(three(true, true));
    assertEquals(List.of("wan1", "wan2", "wan3"), reconciler.reconcile().plan().balanced());
  }

  @Test
  void carrierLossRemovesAtOnceAndDeletesOnlyThatUplinksConnectionsAfterTheGracePeriod() {
    kernel.set(three(false, true));
    Reconciler.Outcome o = reconciler.reconcile();
    assertEquals(List.of("wan1", "wan3"), o.plan().balanced(), "out of LB_TABLE at once");
    assertEquals(List.of(), conntrackCalls(), "its connections are held for CARRIER_GRACE_PERIOD (2.8 s)");
    assertEquals(List.of(new Transition("wan2", UplinkState.UP, UplinkState.DOWN, "carrier lost")), o.transitions());
    assertEquals(clock.get() + 2_800_000_000L, o.wakeAt().getAsLong(), "woken when the grace period ends");

    clock.addAndGet(2_800_000_000L);
    reconciler.reconcile();
    assertEquals(List.of("conntrack -D -m 0x200/0xff00"), conntrackCalls());
    runner.clear();
    clock.addAndGet(SECOND);
    reconciler.reconcile();
    assertEquals(List.of(), conntrackCalls(), "deleted once, not on every pass");
  }

  @Test
  void aCarrierBackWithinTheGracePeriodKeepsEveryConnection() {
    kernel.set(three(false, true));
    reconciler.reconcile();
    clock.addAndGet(SECOND / 2);
    kernel.set(three(true, true));
    Reconciler.Outcome back = reconciler.reconcile();
    assertEquals(UplinkState.DOWN, states(back).get("wan2"), "new connections still wait DEBOUNCE_TIME");
    clock.addAndGet(5 * SECOND);
    reconciler.reconcile();
    assertEquals(List.of(), conntrackCalls(), "nothing deleted, also after the grace period would have ended");
  }

  @Test
  void withoutAGracePeriodACarrierLossDeletesAtOnceAsBefore() {
    reconciler = reconciler(Config.of(Map.of("CARRIER_GRACE_PERIOD", "0")));
    kernel.set(three(true, true));
    reconciler.reconcile();
    runner.clear();
    kernel.set(three(false, true));
    reconciler.reconcile();
    assertEquals(List.of("conntrack -D -m 0x200/0xff00"), conntrackCalls());
  }

  @Test
  void aReconfigureKeepsVerdictsDrainsAndDeadlinesSoNothingIsATransition() {
    health.put("wan3", new Verdict(UplinkState.HOLD_DOWN, "2 probe rounds failed", false));
    reconciler.drain("wan1", true);
    Reconciler.Outcome before = reconciler.reconcile();
    assertEquals(List.of("wan2"), before.plan().balanced());
    Reconciler.Outcome same = reconciler.reconcile();
    reconciler.reconfigure(Config.of(Map.of("DEBOUNCE_TIME", "2", "DRAIN_TIMEOUT", "60")));
    Reconciler.Outcome after = reconciler.reconcile();
    assertEquals(List.of(), after.transitions(), "a reload of the same settings changes no state");
    assertEquals(same.plan(), after.plan());
    assertEquals(before.wakeAt(), after.wakeAt(), "the drain deadline did not start over");
    reconciler.reconfigure(Config.of(Map.of("DEBOUNCE_TIME", "2", "DRAIN_TIMEOUT", "60",
        "UPLINK_WEIGHTS", "wan2=4")));
    Reconciler.Outcome weighted = reconciler.reconcile();
    assertEquals(List.of(), weighted.transitions());
    assertEquals(List.of("wan2"), weighted.plan().balanced());
  }

  @Test
  void returningLinkWaitsDebounceThenJoins() {
    kernel.set(three(false, true));
    reconciler.reconcile();
    clock.addAndGet(5 * SECOND);
    kernel.set(three(true, true));
    Reconciler.Outcome back = reconciler.reconcile();
    assertEquals(UplinkState.DOWN, states(back).get("wan2"));
    assertEquals(clock.get() + 2 * SECOND, back.wakeAt().getAsLong(), "wakes when the debounce ends");

    clock.addAndGet(SECOND);
    assertEquals(List.of("wan1", "wan3"), reconciler.reconcile().plan().balanced());
    clock.addAndGet(SECOND);
    assertEquals(List.of("wan1", "wan2", "wan3"), reconciler.reconcile().plan().balanced());
  }

  @Test
  void aGatewayEntryLeftFailedByCarrierLossGetsTimeToSettle() {
    kernel.set(three(false, true));
    reconciler.reconcile();
    clock.addAndGet(5 * SECOND);
    kernel.set(new Fixtures().uplink("wan1", 1, true).uplink("wan2", 2, true).uplink("wan3", 3, true)
        .neighbor("198.18.2.1", "wan2", "FAILED").build());
    reconciler.reconcile();
    clock.addAndGet(2 * SECOND);
    assertEquals(List.of("wan1", "wan2", "wan3"), reconciler.reconcile().plan().balanced(),
        "back after DEBOUNCE_TIME: the FAILED entry is from when the link was dead");
    clock.addAndGet(SECOND);
    assertEquals(UplinkState.DOWN, states(reconciler.reconcile()).get("wan2"), "still FAILED once settled: down");
  }

  @Test
  void theBackupTierStepsInAndOutWithoutLosingAConnection() {
    reconciler = reconciler(Config.of(Map.of("UPLINK_TIERS", "wan3=2", "DRAIN_TIMEOUT", "60")));
    kernel.set(three(true, true));
    assertEquals(List.of("wan1", "wan2"), reconciler.reconcile().plan().balanced());
    health.put("wan1", new Verdict(UplinkState.HOLD_DOWN, "probes failed", false));
    health.put("wan2", new Verdict(UplinkState.HOLD_DOWN, "probes failed", false));
    assertEquals(List.of("wan3"), reconciler.reconcile().plan().balanced());
    health.clear();
    clock.addAndGet(10 * SECOND);
    assertEquals(List.of("wan1", "wan2"), reconciler.reconcile().plan().balanced());
    clock.addAndGet(120 * SECOND);
    reconciler.reconcile();
    assertTrue(conntrackCalls().stream().noneMatch(c -> c.contains("0x300")),
        "the backup's connections are never deleted: " + conntrackCalls());
  }

  @Test
  void vanishedUplinkLosesItsConnections() {
    kernel.set(three(true, false));
    Reconciler.Outcome o = reconciler.reconcile();
    assertEquals(List.of("conntrack -D -m 0x300/0xff00"), conntrackCalls());
    assertTrue(o.transitions().contains(new Transition("wan3", UplinkState.UP, null, "interface or its default route gone")));
  }

  @Test
  void healthFailureDrainsUntilTheTimeoutThenDeletes() {
    health.put("wan1", new Verdict(UplinkState.HOLD_DOWN, "3 probes failed", false));
    Reconciler.Outcome o = reconciler.reconcile();
    assertEquals(List.of("wan2", "wan3"), o.plan().balanced());
    assertEquals(List.of(), conntrackCalls(), "draining: pinned connections carry on");
    assertEquals(clock.get() + 60 * SECOND, o.wakeAt().getAsLong());

    clock.addAndGet(59 * SECOND);
    reconciler.reconcile();
    assertEquals(List.of(), conntrackCalls());
    clock.addAndGet(SECOND);
    reconciler.reconcile();
    assertEquals(List.of("conntrack -D -m 0x100/0xff00"), conntrackCalls(), "DRAIN_TIMEOUT reached");
    runner.clear();
    clock.addAndGet(SECOND);
    reconciler.reconcile();
    assertEquals(List.of(), conntrackCalls(), "once");
  }

  @Test
  void operatorDrainAndUndrain() {
    reconciler.drain("wan2", true);
    assertEquals(UplinkState.DRAINING, states(reconciler.reconcile()).get("wan2"));
    reconciler.drain("wan2", false);
    assertEquals(List.of("wan1", "wan2", "wan3"), reconciler.reconcile().plan().balanced(),
        "undrain needs no debounce: the link never went away");
  }

  @Test
  void gatewayNeighborFailedIsAHardFailure() {
    kernel.set(new Fixtures().uplink("wan1", 1, true).uplink("wan2", 2, true).uplink("wan3", 3, true)
        .neighbor("198.18.3.1", "wan3", "FAILED").build());
    Reconciler.Outcome o = reconciler.reconcile();
    assertEquals(UplinkState.DOWN, states(o).get("wan3"));
    assertEquals(List.of("conntrack -D -m 0x300/0xff00"), conntrackCalls());
  }

  @Test
  void incompleteIsNormalForAMomentAndAFailureWhenItLasts() {
    kernel.set(new Fixtures().uplink("wan1", 1, true).uplink("wan2", 2, true).uplink("wan3", 3, true)
        .neighbor("198.18.3.1", "wan3", "INCOMPLETE").build());
    Reconciler.Outcome resolving = reconciler.reconcile();
    assertEquals(UplinkState.UP, states(resolving).get("wan3"), "ARP resolution under way");
    assertEquals(clock.get() + SECOND, resolving.wakeAt().getAsLong(), "look again when the grace ends");
    clock.addAndGet(SECOND);
    assertEquals(UplinkState.DOWN, states(reconciler.reconcile()).get("wan3"));
    assertEquals(List.of("conntrack -D -m 0x300/0xff00"), conntrackCalls());
  }

  @Test
  void nothingHealthyFailsOpen() {
    health.put("wan1", new Verdict(UplinkState.DOWN, "probes", false));
    health.put("wan2", new Verdict(UplinkState.DOWN, "probes", false));
    health.put("wan3", new Verdict(UplinkState.HOLD_DOWN, "probes", false));
    Reconciler.Outcome o = reconciler.reconcile();
    assertTrue(o.plan().failOpen());
    assertEquals(List.of("wan1", "wan2", "wan3"), o.plan().balanced());
  }

  @Test
  void degradedStaysInTheBalance() {
    health.put("wan2", new Verdict(UplinkState.DEGRADED, "1 probe lost", false));
    Reconciler.Outcome o = reconciler.reconcile();
    assertEquals(UplinkState.DEGRADED, states(o).get("wan2"));
    assertEquals(List.of("wan1", "wan2", "wan3"), o.plan().balanced());
  }

  @Test
  void anInterfaceLeftOutForItsNameIsLoggedOnceWithTheReason() {
    kernel.set(new Fixtures().uplink("wan1", 1, true).uplink("wan\"2", 2, true).build());
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    Log.setOutput(new PrintStream(log, true, StandardCharsets.UTF_8));
    try {
      assertEquals(List.of("wan1"), reconciler.reconcile().plan().balanced());
      reconciler.reconcile();
    } finally {
      Log.setOutput(System.err);
    }
    List<String> warnings = log.toString(StandardCharsets.UTF_8).lines().filter(l -> l.contains("wan\"2")).toList();
    assertEquals(1, warnings.size(), warnings.toString());
    assertTrue(warnings.get(0).contains("interface 'wan\"2' has a default route but is not used as an uplink:"
        + " its name is not one the balancer uses (character U+0022 '\"' is not allowed; allowed: 1-15 characters"),
        warnings.get(0));
  }

  @Test
  void aNameIsPrintedWithoutControlCharacters() {
    assertEquals("'a\\u0007b\\u00e9'", Reconciler.printable("a\u0007b\u00e9"));
  }
}
