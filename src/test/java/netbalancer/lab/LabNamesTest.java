package netbalancer.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LabNamesTest {

  private static final long SELF = ProcessHandle.current().pid();
  private static final Instant STARTED = ProcessHandle.current().info().startInstant().orElseThrow();
  private static final long TICKS = LabNames.startTicks(SELF).orElseThrow();

  @Test
  void ownerPidComesFromTheName() {
    assertEquals(Optional.of(4242L), LabNames.ownerPid("nblab-4242-0a1f-isp12"));
    assertEquals(Optional.empty(), LabNames.ownerPid("nblab-router"));
    assertEquals(Optional.empty(), LabNames.ownerPid("other-4242-0a1f-isp1"));
  }

  @Test
  void aLiveOwnerWithAMatchingMarkerKeepsItsLab() {
    String ns = "nblab-" + SELF + "-0000-router";
    assertTrue(LabNames.ownerAlive(ns, LabNames.marker(SELF, TICKS)));
    assertTrue(LabNames.ownerAlive(ns, null));
  }

  @Test
  void theStartIsTheKernelsInTicksSinceBootNotTheWallClocks() throws Exception {
    Process child = new ProcessBuilder("sleep", "5").start();
    try {
      long ticks = LabNames.startTicks(child.pid()).orElseThrow();
      assertTrue(ticks >= TICKS, "a child starts after its parent: " + ticks + " < " + TICKS);
      assertEquals(ticks, LabNames.startTicks(child.pid()).orElseThrow(), "read twice, the same");
    } finally {
      child.destroyForcibly().waitFor();
    }
    assertTrue(LabNames.startTicks(Long.MAX_VALUE).isEmpty());
  }

  @Test
  void anEarlierBuildsMarkerIsReadWithTheBootTimesSecondOfSlack() {
    // "started=" held the JDK's start instant, whose boot-time second moves with the wall clock
    String ns = "nblab-" + SELF + "-0000-router";
    assertTrue(LabNames.ownerAlive(ns, "nblab owner=" + SELF + " started=" + STARTED.toEpochMilli()));
    assertTrue(LabNames.ownerAlive(ns, "nblab owner=" + SELF + " started=" + STARTED.minusSeconds(1).toEpochMilli()),
        "a second off: the same process");
    assertFalse(LabNames.ownerAlive(ns, "nblab owner=" + SELF + " started=" + STARTED.minusSeconds(3600).toEpochMilli()));
  }

  @Test
  void aRecycledPidDoesNotKeepAStaleLab() {
    String ns = "nblab-" + SELF + "-0000-router";
    assertFalse(LabNames.ownerAlive(ns, LabNames.marker(SELF, TICKS - 1)));
    assertFalse(LabNames.ownerAlive(ns, LabNames.marker(SELF + 1, TICKS)));
    assertFalse(LabNames.ownerAlive(ns, "garbage"));
  }

  @Test
  void aDeadOwnerOrAForeignNameIsStale() throws Exception {
    Process p = new ProcessBuilder("true").start();
    p.waitFor();
    assertFalse(LabNames.ownerAlive("nblab-" + p.pid() + "-0000-router", null));
    assertFalse(LabNames.ownerAlive("nblab-router", null));
  }

  @ParameterizedTest
  @ValueSource(strings = {"wan1", "wan-2.x", "usb_0", "enp0s31f6.100", "a23456789012345"})
  void linuxInterfaceNamesAreAccepted(String name) {
    LabNames.checkInterfaceName(name);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "a234567890123456", "wan 1", "wan/1", "all", "default", "lo", "lan0",
      "..", "wan1;reboot"})
  void surprisingInterfaceNamesAreRejected(String name) {
    assertThrows(IllegalArgumentException.class, () -> LabNames.checkInterfaceName(name));
  }

  @Test
  void builderRejectsBadShapesBeforeTouchingTheSystem() {
    assertThrows(IllegalArgumentException.class, () -> Lab.builder().uplinks(0));
    assertThrows(IllegalArgumentException.class, () -> Lab.builder().uplinks(65));
    assertThrows(IllegalArgumentException.class, () -> Lab.builder().uplinkNames("wan1", "wan1"));
    assertThrows(IllegalArgumentException.class,
        () -> Lab.builder().uplinks(1).sharedGatewayPair().build());
    assertThrows(IllegalArgumentException.class,
        () -> Lab.builder().uplinks(3).sharedGatewayPair().pointToPoint(2).build());
    assertThrows(IllegalArgumentException.class, () -> Lab.builder().uplinks(2).pointToPoint(3).build());
    assertThrows(IllegalArgumentException.class, () -> Lab.builder().routerRpFilter(3));
  }
}
