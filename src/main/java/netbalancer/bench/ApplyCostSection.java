package netbalancer.bench;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Collectors;
import netbalancer.system.CommandRunner;
import netbalancer.lab.Lab;

/**
 * Section 1: builds a lab with as many uplinks as the largest size and runs
 * {@code net-balancer bench apply-cost} inside its router namespace, with the launcher's JVM
 * flags, so the timing is taken in the process that applies.
 */
final class ApplyCostSection {

  /** @param note what a reader must know to read the rows right */
  record Result(int warmup, int iterations, List<ApplyCost.Row> rows, String note) {
  }

  private ApplyCostSection() {
  }

  static Result run(BenchEnv env) throws IOException {
    BenchPlan plan = env.plan();
    int largest = Collections.max(plan.applySizes());
    try (Lab lab = Lab.create(largest)) {
      List<String> argv = env.balancer(lab).argv("bench", "apply-cost",
          "--uplinks", plan.applySizes().stream().map(String::valueOf).collect(Collectors.joining(",")),
          "--warmup", Integer.toString(plan.applyWarmup()),
          "--iterations", Integer.toString(plan.applyIterations()),
          "--state-dir", lab.stateDir().toString());
      CommandRunner.Result r = lab.exec(lab.routerNs(), argv, null, Duration.ofMinutes(30));
      if (!r.ok()) {
        throw new IllegalStateException("bench apply-cost failed: " + r.stderr().strip());
      }
      List<ApplyCost.Row> rows = new ObjectMapper().readValue(r.stdout(), new TypeReference<List<ApplyCost.Row>>() { });
      return new Result(plan.applyWarmup(), plan.applyIterations(), new ArrayList<>(rows),
          "full: the whole plan onto a clean kernel; failover: one uplink leaves or rejoins LB_TABLE. "
              + "Shell-style: the same changes, one ip command per change. " + BenchPlan.MOST_UPLINKS
              + " uplinks is net-balancer's maximum (a mark mask has at least 6 bits), so it stands in for 64.");
    }
  }
}
