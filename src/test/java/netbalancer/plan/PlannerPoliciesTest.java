package netbalancer.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import netbalancer.config.Config;
import netbalancer.config.Policies;
import netbalancer.config.PolicyLoader;
import netbalancer.observe.KernelState;
import netbalancer.observe.NftTable;
import netbalancer.observe.Route;
import org.junit.jupiter.api.Test;

/** The policies inside the whole plan: what the daemon and apply put into the kernel. */
class PlannerPoliciesTest {
  static final String FILE = """
      voip    proto tcp dport 8081                -> wan1 > wan2
      guests  src 192.0.2.128/25                  -> wan3 else unreachable
      office  dst 203.0.113.0/24                  -> main
      """;
  static final Config CONFIG = Config.defaults();

  private static KernelState kernel() {
    return new Fixtures().uplink("wan1", 1, true).uplink("wan2", 2, true).uplink("wan3", 3, true).build();
  }

  private static Plan plan(Policies policies, KernelState state, Map<String, UplinkState> states) {
    return Planner.plan(CONFIG, policies, UplinkDiscovery.discover(CONFIG, state), states);
  }

  private static Policies policies() {
    return PolicyLoader.parse(FILE, "policies.conf");
  }

  /** What the kernel shows once {@code plan} was applied: our routes, rules and nft table. */
  private static KernelState applied(KernelState before, Plan plan) {
    List<Route> routes = new ArrayList<>(before.routes());
    routes.addAll(plan.routes());
    return new KernelState(before.links(), routes, plan.rules(), before.neighbors(),
        new NftTable(true, plan.nft().fingerprint(), plan.nft().ruleCount(), Map.of()));
  }

  @Test
  void wholePlanWithPoliciesGolden() throws IOException {
    Path file = Path.of("src/test/resources/golden/policies-plan.txt");
    String actual = plan(policies(), kernel(), Map.of()).render();
    if (Boolean.getBoolean("golden.update")) {
      Files.writeString(file, actual);
    }
    assertEquals(Files.readString(file, StandardCharsets.UTF_8), actual);
  }

  @Test
  void withoutPoliciesThePlanIsTheOneOfBefore() {
    KernelState k = kernel();
    assertEquals(Planner.plan(CONFIG, UplinkDiscovery.discover(CONFIG, k), Map.of()).render(),
        plan(Policies.NONE, k, Map.of()).render());
  }

  @Test
  void applyingTwiceChangesNothingTypedRoutesIncluded() {
    KernelState k = kernel();
    Map<String, UplinkState> wan3Down = Map.of("wan3", UplinkState.DOWN);
    Plan p = plan(policies(), k, wan3Down);
    assertTrue(p.routes().stream().anyMatch(r -> Route.UNREACHABLE.equals(r.type())), p.render());
    assertTrue(StateDiff.between(p, applied(k, p), CONFIG.lbRtProto()).isEmpty());
  }

  @Test
  void aFailoverChangesPolicyRoutesNotNft() {
    KernelState k = kernel();
    Plan up = plan(policies(), k, Map.of());
    Plan down = plan(policies(), k, Map.of("wan1", UplinkState.DOWN, "wan3", UplinkState.DOWN));
    StateDiff d = StateDiff.between(down, applied(k, up), CONFIG.lbRtProto());
    assertFalse(d.replaceNft());
    int voipTable = up.policies().sets().get(0).table();
    assertTrue(d.ipBatch().contains("route replace default table " + voipTable + " proto " + CONFIG.lbRtProto()
        + " via 198.18.2.1 dev wan2"), d.ipBatch().toString());
    int guestsTable = up.policies().sets().get(1).table();
    assertTrue(d.ipBatch().contains("route replace unreachable default table " + guestsTable + " proto "
        + CONFIG.lbRtProto()), d.ipBatch().toString());
  }

  @Test
  void aPolicyNamingAnInterfaceThatIsNoUplinkNowIsValidAndSaysSo() {
    Policies p = PolicyLoader.parse("lte  proto tcp dport 25 -> lte0 > wan2\n", "policies.conf");
    PolicyPlan.InUse lte = plan(p, kernel(), Map.of()).policies().inUse().get(0);
    assertEquals(List.of("lte0"), lte.absent());
    assertEquals(List.of("wan2"), lte.uplinks());
    assertTrue(lte.fallback() == false);
  }
}
