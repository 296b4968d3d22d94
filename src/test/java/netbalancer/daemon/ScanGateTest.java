package netbalancer.daemon;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ScanGateTest {
  private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

  @Test
  void listsFirstThenOnlyWhenTheCountMoves() {
    ScanGate g = new ScanGate();
    assertTrue(g.due(0, 7, false), "the first period always lists");
    assertFalse(g.due(500 * MS, 7, false));
    assertFalse(g.due(1000 * MS, 7, false));
    assertTrue(g.due(1500 * MS, 8, false), "a connection was created");
    assertFalse(g.due(2000 * MS, 8, false));
    assertTrue(g.due(2500 * MS, 6, false), "connections ended");
  }

  @Test
  void keepsListingWhileASynIsAwaited() {
    ScanGate g = new ScanGate();
    g.due(0, 3, false);
    assertTrue(g.due(500 * MS, 3, true));
    assertTrue(g.due(1000 * MS, 3, true));
    assertFalse(g.due(1500 * MS, 3, false));
  }

  @Test
  void listsAtLeastEveryFloorEvenIfTheCountStands() {
    ScanGate g = new ScanGate();
    g.due(0, 3, false);
    assertFalse(g.due(ScanGate.FLOOR - MS, 3, false));
    assertTrue(g.due(ScanGate.FLOOR, 3, false), "a creation and an expiry may have cancelled out");
    assertFalse(g.due(ScanGate.FLOOR + 500 * MS, 3, false));
  }

  @Test
  void unreadableCountAlwaysLists() {
    ScanGate g = new ScanGate();
    assertTrue(g.due(0, -1, false));
    assertTrue(g.due(500 * MS, -1, false));
  }

  @Test
  void resetListsAfresh() {
    ScanGate g = new ScanGate();
    g.due(0, 3, false);
    g.reset();
    assertTrue(g.due(500 * MS, 3, false));
  }
}
