package netbalancer.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import netbalancer.lab.Lab;
import netbalancer.system.CommandRunner.Result;
import netbalancer.system.CommandRunner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Golden kernel state for each configuration, then the configurations applied one after another
 * in random order: every transition must land on exactly the state a fresh apply makes.
 */
@ExtendWith(HostGuard.class)
class TransitionsIT {
  private static final Map<String, Map<String, String>> CONFIGS = new LinkedHashMap<>();

  static {
    CONFIGS.put("defaults", Map.of());
    CONFIGS.put("weighted", Map.of("UPLINK_WEIGHTS", "wan1=3 wan2=2 wan3=1 wan4=1"));
    CONFIGS.put("host-mode-no-affinity", Map.of("BALANCE_MODE", "host", "SESSION_AFFINITY_ENABLED", "false"));
    CONFIGS.put("masquerade", Map.of("CONSISTENT_NAT_ENABLED", "false"));
    CONFIGS.put("other-mask-and-tables", Map.of("LB_MARK_MASK", "0xff0000", "LB_TABLE", "300", "LB_TABLE_BASE", "400"));
    // The last uplink leaves: the others keep their indices (their connections' marks), which is
    // also what a fresh apply numbers them. (When wan1 leaves, wan2..4 keep 2..4 on purpose.)
    CONFIGS.put("wan4-excluded", Map.of("EXCLUDE_INTERFACES", "lo wan4"));
    CONFIGS.put("other-preference", Map.of("LB_PREF", "500"));
  }

  private static void apply(Lab lab, Map<String, String> env) {
    Result r = Nb.run(lab, env, "apply");
    assertEquals(0, r.exitCode(), r.stderr());
  }

  @Test
  void everyTransitionLandsOnTheFreshState() {
    try (Lab lab = Lab.create(4)) {
      String pristine = Nb.kernelDump(lab);
      Map<String, String> golden = new LinkedHashMap<>();
      CONFIGS.forEach((name, env) -> {
        apply(lab, env);
        golden.put(name, Nb.kernelDump(lab));
        assertEquals(0, Nb.run(lab, env, "cleanup").exitCode());
        assertEquals(pristine, Nb.kernelDump(lab), "cleanup after " + name);
      });

      long seed = Long.getLong("transitions.seed", System.nanoTime());
      Random random = new Random(seed);
      List<String> names = new ArrayList<>(CONFIGS.keySet());
      String previous = "(none)";
      for (int step = 0; step < 14; step++) {
        String next = names.get(random.nextInt(names.size()));
        apply(lab, CONFIGS.get(next));
        assertEquals(golden.get(next), Nb.kernelDump(lab),
            "seed " + seed + ", step " + step + ": " + previous + " -> " + next);
        previous = next;
      }
      assertEquals(0, Nb.run(lab, CONFIGS.get(previous), "cleanup").exitCode());
      assertEquals(pristine, Nb.kernelDump(lab));
    }
  }
}
