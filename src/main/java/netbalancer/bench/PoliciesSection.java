package netbalancer.bench;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import netbalancer.lab.Lab;
import netbalancer.system.CommandRunner;

/**
 * Section 9: what {@value #RULES} traffic policies cost. Apply: plan → kernel with 0 and with
 * {@value #RULES} rules, in the router's namespace as section 1 measures it. Data plane: three
 * twin labs, all with net-balancer applied, one with no policies and two with {@value #RULES}
 * rules, whose bench traffic matches none of them or only the last; each round measures the
 * one without beside each of the others at the same time (as section 4 does, pinned the same
 * way), so the ratios are what the rules cost a packet and a new connection.
 *
 * <p>The rules are of the shapes people write (a destination with a port, a LAN source, a port
 * range, address and port lists), spread over four actions; none matches the LAN host's
 * connections to the internet server but the last one of the "last" file.
 */
public final class PoliciesSection {
  public static final int RULES = 100;

  /** Apply cost with {@code rules} policies (3 uplinks). */
  record Apply(int rules, ApplyCost.Row row) {
  }

  /**
   * {@code none}, {@code last}: 100 rules against none, the traffic matching none or the last;
   * ratios of each pair's way ÷ no rules.
   */
  record Result(int rules, int warmup, int iterations, List<Apply> apply, int rounds, int iperfSeconds,
      int connRateMillis, boolean pinned, DataPlaneSection.Mode zero, DataPlaneSection.Comparison none,
      DataPlaneSection.Comparison last) {
  }

  private PoliciesSection() {
  }

  /** {@value #RULES} rules none of which matches the bench's traffic, but the last when {@code lastMatches}. */
  public static String rules(int n, boolean lastMatches) {
    StringBuilder sb = new StringBuilder("# bench: " + n + " rules\n");
    for (int i = 1; i < n; i++) {
      sb.append("r").append(i).append(' ').append(switch (i % 4) {
        case 0 -> "dst 198.51.100." + (i % 250 + 1) + " proto tcp dport " + (1000 + i) + " -> wan1 > wan2";
        case 1 -> "src 192.0.2." + (128 + i % 100) + " proto udp -> wan2 else unreachable";
        case 2 -> "proto tcp dport " + (20000 + 10 * i) + "-" + (20005 + 10 * i) + " -> wan3 > wan1";
        default -> "dst 198.51.100.0/25,192.0.2.0/25 proto udp dport " + (30000 + i) + "," + (31000 + i)
            + " -> balanced";
      }).append('\n');
    }
    if (n > 0) {
      sb.append("r").append(n).append(" dst ").append(lastMatches ? Lab.SERVER_ADDRESS : "198.51.100.254")
          .append(" -> wan1,wan2,wan3\n");
    }
    return sb.toString();
  }

  static Result run(BenchEnv env) throws Exception {
    BenchPlan plan = env.plan();
    Path dir = Files.createTempDirectory("nb-bench-policies");
    try {
      Path zeroFile = Files.writeString(dir.resolve("zero.conf"), rules(0, false));
      Path noneFile = Files.writeString(dir.resolve("none.conf"), rules(RULES, false));
      Path lastFile = Files.writeString(dir.resolve("last.conf"), rules(RULES, true));
      List<Apply> apply = new ArrayList<>();
      try (Lab lab = Lab.create(3)) {
        for (Path f : List.of(zeroFile, noneFile)) {
          List<String> argv = env.balancer(lab).argv("bench", "apply-cost", "--uplinks", "3",
              "--warmup", Integer.toString(plan.applyWarmup()), "--iterations", Integer.toString(plan.applyIterations()),
              "--state-dir", lab.stateDir().toString(), "--policies", f.toString());
          CommandRunner.Result r = lab.exec(lab.routerNs(), argv, null, Duration.ofMinutes(10));
          if (!r.ok()) {
            throw new IllegalStateException("bench apply-cost --policies failed: " + r.stderr().strip());
          }
          List<ApplyCost.Row> rows = new ObjectMapper().readValue(r.stdout(), new TypeReference<List<ApplyCost.Row>>() { });
          apply.add(new Apply(f == zeroFile ? 0 : RULES, rows.get(0)));
        }
      }
      DataPlaneSection.Series[] zeroBeside = {new DataPlaneSection.Series(), new DataPlaneSection.Series()};
      DataPlaneSection.Series[] with = {new DataPlaneSection.Series(), new DataPlaneSection.Series()};
      int rounds = plan.dataPlaneRounds();
      int blocks = Math.min(2, rounds);
      ExecutorService both = Executors.newFixedThreadPool(2);
      try {
        for (int block = 0; block < blocks; block++) {
          int n = rounds * (block + 1) / blocks - rounds * block / blocks;
          block(env, plan, block, n, List.of(zeroFile, noneFile, lastFile), both, zeroBeside, with);
        }
      } finally {
        both.shutdownNow();
      }
      DataPlaneSection.Mode zero = DataPlaneSection.mode("net-balancer, no policies", zeroBeside[0]);
      return new Result(RULES, plan.applyWarmup(), plan.applyIterations(), apply, rounds, plan.iperfSeconds(),
          plan.connRateMillis(), DataPlaneSection.PIN, zero,
          DataPlaneSection.Comparison.of(DataPlaneSection.mode(RULES + " rules, traffic matching none", with[0]),
              zeroBeside[0]),
          DataPlaneSection.Comparison.of(DataPlaneSection.mode(RULES + " rules, traffic matching the last", with[1]),
              zeroBeside[1]));
    } finally {
      try (var files = Files.list(dir)) {
        for (Path f : files.toList()) {
          Files.deleteIfExists(f);
        }
      }
      Files.deleteIfExists(dir);
    }
  }

  /** Fresh labs (created in an order that rotates by block), a warm-up round, then {@code rounds} measured. */
  private static void block(BenchEnv env, BenchPlan plan, int block, int rounds, List<Path> files,
      ExecutorService both, DataPlaneSection.Series[] zeroBeside, DataPlaneSection.Series[] with) throws Exception {
    List<AutoCloseable> open = new ArrayList<>();
    try {
      DataPlaneSection.Way[] ways = new DataPlaneSection.Way[3];
      for (int k = 0; k < 3; k++) {
        int way = (k + block) % 3;
        ways[way] = DataPlaneSection.startWay(open, false, false);
        env.balancer(ways[way].lab()).with(Map.of("POLICIES_FILE", files.get(way).toString())).runOrThrow("apply");
      }
      for (int round = -1; round < rounds; round++) {
        boolean keep = round >= 0;
        int r = Math.max(round, 0);
        for (int k = 0; k < 2; k++) {
          int w = (k + r) % 2; // which comparison goes first rotates by round
          int first = (r + w) % 2; // and which lab starts first
          DataPlaneSection.pair(both, plan, first, keep, ways[0], zeroBeside[w], ways[1 + w], with[w]);
        }
      }
      for (int k = 0; k < 3; k++) {
        env.balancer(ways[k].lab()).with(Map.of("POLICIES_FILE", files.get(k).toString())).runOrThrow("cleanup");
      }
    } finally {
      DataPlaneSection.closeAll(open);
    }
  }
}
