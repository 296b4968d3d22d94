package netbalancer.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class PeerWaysTest {
  @Test
  void mwan3MarksSpreadTheIdIntoItsDefaultMask() {
    // mwan3's mask 0x3F00 is contiguous: id 1 is 0x100; 61 and 62 its blackhole and unreachable
    // marks; 63 (every bit) its "default": use the main table.
    assertEquals(0x100, PeerWays.mwan3Mark(1));
    assertEquals(0x300, PeerWays.mwan3Mark(3));
    assertEquals(0x3d00, PeerWays.mwan3Mark(61));
    assertEquals(0x3e00, PeerWays.mwan3Mark(62));
    assertEquals(0x3f00, PeerWays.mwan3Mark(63));
    assertEquals(0, PeerWays.mwan3Mark(64) & ~0x3f00, "nothing outside the mask");
  }
}
