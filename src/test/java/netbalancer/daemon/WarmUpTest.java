package netbalancer.daemon;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import netbalancer.config.ConfigLoader;
import netbalancer.config.Policies;
import org.junit.jupiter.api.Test;

class WarmUpTest {
  @Test
  void theMadeUpUplinksPlanWithTheDefaultsAndWithAWeightedMode() {
    assertTrue(WarmUp.run(ConfigLoader.fromMap(Map.of()), Policies.NONE));
    assertTrue(WarmUp.run(ConfigLoader.fromMap(Map.of("UPLINK_WEIGHTS", "wan1=2 wan2=1")), Policies.NONE));
  }
}
