package netbalancer.harness;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import netbalancer.observe.Family;
import netbalancer.plan.Uplink;
import org.junit.jupiter.api.Test;

class GuardTest {
  private static Uplink uplink(String name, int i, boolean carrier) {
    return new Uplink(name, i, Family.INET, "198.18." + i + ".2", "198.18." + i + ".1", List.of(), carrier);
  }

  private static final List<Uplink> TWO = List.of(uplink("eth0", 1, true), uplink("wlan0", 2, true));

  @Test
  void anUplinkWithAnotherWorkingOneMayGo() {
    assertNull(Guard.refusal("wlan0", TWO, Set.of("eth0", "wlan0"), false));
  }

  @Test
  void theOnlyMemberOfLbTableIsRefused() {
    String why = Guard.refusal("eth0", TWO, Set.of("eth0"), false);
    assertTrue(why.contains("only uplink in LB_TABLE") && why.contains("--force"), why);
  }

  @Test
  void theOnlyUplinkWithCarrierIsRefusedEvenWhenLbTableIsEmpty() {
    List<Uplink> one = List.of(uplink("eth0", 1, true), uplink("wlan0", 2, false));
    assertTrue(Guard.refusal("eth0", one, Set.of(), false).contains("only uplink with carrier"));
  }

  @Test
  void anInterfaceThatIsNoUplinkIsRefused() {
    String why = Guard.refusal("lan0", TWO, Set.of("eth0", "wlan0"), false);
    assertTrue(why.contains("not one of the balancer's uplinks (eth0, wlan0)"), why);
  }

  @Test
  void forceOverridesEverything() {
    assertNull(Guard.refusal("eth0", TWO, Set.of("eth0"), true));
    assertNull(Guard.refusal("lan0", TWO, Set.of(), true));
  }
}
