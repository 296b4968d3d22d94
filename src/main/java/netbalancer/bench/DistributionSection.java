package netbalancer.bench;

import java.util.LinkedHashMap;
import java.util.Map;
import netbalancer.lab.Lab;
import netbalancer.lab.LabBalancer;
import netbalancer.lab.LabProcess;
import netbalancer.lab.LoadReport;

/**
 * Section 5: weights 3:2:1, N new connections from the LAN host; how far each uplink's share
 * lands from its weight, in percentage points. For scale, 3 standard deviations of a fair
 * multinomial draw of that size (what pure chance allows) are given beside it.
 */
final class DistributionSection {
  static final String WEIGHTS = "wan1=3 wan2=2 wan3=1";
  private static final int[] WEIGHT = {3, 2, 1};

  /** Shares in percent, by uplink. */
  record Result(String weights, int connections, int failed, Map<String, Double> expectedPercent,
      Map<String, Double> actualPercent, double worstDeviationPp, double chance3SigmaPp) {
  }

  private DistributionSection() {
  }

  static Result run(BenchEnv env) {
    int n = env.plan().distributionConnections();
    try (Lab lab = Lab.create(3); LabProcess servers = lab.startServers()) {
      Map<String, String> settings = Map.of("UPLINK_WEIGHTS", WEIGHTS);
      LabBalancer nb = env.balancer(lab).with(settings);
      nb.runOrThrow("apply");
      LoadReport report = lab.loadCount(lab.clientNs(), Lab.SERVER_ADDRESS, Lab.SERVER_PORT, n, "--parallel", "8");
      nb.runOrThrow("cleanup");
      Map<String, Double> expected = new LinkedHashMap<>();
      Map<String, Double> actual = new LinkedHashMap<>();
      double worst = 0;
      double worstSigma = 0;
      for (int i = 1; i <= 3; i++) {
        double p = WEIGHT[i - 1] / 6.0;
        double share = report.succeeded() == 0 ? 0 : (double) report.from(lab.ispPublicAddress(i)) / report.succeeded();
        expected.put(lab.uplinkName(i), Stats.round(100 * p));
        actual.put(lab.uplinkName(i), Stats.round(100 * share));
        worst = Math.max(worst, Math.abs(share - p) * 100);
        worstSigma = Math.max(worstSigma, 3 * 100 * Math.sqrt(p * (1 - p) / n));
      }
      return new Result(WEIGHTS, n, report.failed(), expected, actual, Stats.round(worst), Stats.round(worstSigma));
    }
  }
}
