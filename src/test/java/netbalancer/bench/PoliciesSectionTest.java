package netbalancer.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import netbalancer.config.Flow;
import netbalancer.config.Policies;
import netbalancer.config.Policy;
import netbalancer.config.PolicyLoader;
import netbalancer.lab.Lab;
import org.junit.jupiter.api.Test;

class PoliciesSectionTest {
  private static Flow bench(int port) {
    return new Flow(Lab.CLIENT_ADDRESS, Lab.SERVER_ADDRESS, Policy.Proto.TCP, 40000, port, null);
  }

  @Test
  void theBenchsTrafficMatchesNoneOfTheRulesOrOnlyTheLast() {
    Policies none = PolicyLoader.parse(PoliciesSection.rules(PoliciesSection.RULES, false), "none.conf");
    Policies last = PolicyLoader.parse(PoliciesSection.rules(PoliciesSection.RULES, true), "last.conf");
    assertEquals(100, none.rules().size());
    for (int port : new int[] {Lab.SERVER_PORT, 5201}) {
      assertNull(bench(port).firstMatch(none));
      assertEquals("r100", bench(port).firstMatch(last).name());
    }
    assertEquals(0, PolicyLoader.parse(PoliciesSection.rules(0, false), "zero.conf").rules().size());
  }
}
