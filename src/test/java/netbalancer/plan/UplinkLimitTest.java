package netbalancer.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import netbalancer.config.Config;
import netbalancer.observe.KernelState;
import org.junit.jupiter.api.Test;

/** Uplinks beyond the room the mark mask leaves are named, not silently dropped. */
class UplinkLimitTest {
  private static KernelState uplinks(int n) {
    Fixtures f = new Fixtures();
    for (int i = 1; i <= n; i++) {
      f.uplink(String.format("wan%02d", i), i, true);
    }
    return f.build();
  }

  @Test
  void theSixtyFourthUplinkIsLeftOutByName() {
    Config c = Config.defaults();
    assertEquals(List.of(), UplinkDiscovery.leftOutForRoom(c, uplinks(63)));
    KernelState s = uplinks(64);
    assertEquals(63, UplinkDiscovery.discover(c, s).size());
    assertEquals(List.of("wan64"), UplinkDiscovery.leftOutForRoom(c, s));
  }
}
