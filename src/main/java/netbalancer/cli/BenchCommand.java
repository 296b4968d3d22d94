package netbalancer.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import netbalancer.bench.ApplyCost;
import netbalancer.bench.BenchPlan;
import netbalancer.bench.BenchRunner;
import netbalancer.bench.PrivateJar;
import netbalancer.bench.Section;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code net-balancer bench}: measures net-balancer in a throwaway namespace lab (never the
 * host's network) and writes a Markdown table and a JSON file.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
    description = {"Measure apply cost, failover reaction, failure detection, data-plane cost, distribution "
        + "accuracy and footprint in a throwaway namespace lab; print a Markdown table and write it with a "
        + "JSON file. Needs root; touches nothing outside the lab's own namespaces.",
        "The full run takes several minutes; --quick takes about three minutes, with rough numbers."},
    subcommands = BenchCommand.ApplyCostCommand.class)
final class BenchCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Option(names = "--quick", description = "a short run with few samples (CI keeps the bench working with it)")
  boolean quick;

  @Option(names = "--out", paramLabel = "DIR", defaultValue = "bench",
      description = "where results.md and results.json go (default: ${DEFAULT-VALUE})")
  Path out;

  @Option(names = "--only", paramLabel = "SECTION", split = ",",
      description = "run only these sections: apply, reaction, detection, dataplane, distribution, footprint, routescale, connectionscale, policies")
  List<String> only;

  @Override
  public Integer call() throws Exception {
    if (!PrivateJar.inCopy()) {
      List<String> args = spec.commandLine().getParseResult().originalArgs();
      PrivateJar.relaunchAndExit(args.subList(args.indexOf("bench"), args.size()));
    }
    BenchPlan plan = quick ? BenchPlan.quickRun() : BenchPlan.fullRun();
    List<Section> sections = only == null || only.isEmpty() ? List.of(Section.values()) : parse(only);
    String command = "net-balancer bench" + (quick ? " --quick" : "") + " --out " + out
        + (only == null ? "" : " --only " + String.join(",", only));
    return new BenchRunner(plan, sections, out, command).run() ? ExitCodes.OK : ExitCodes.FAILURE;
  }

  private List<Section> parse(List<String> names) {
    List<Section> out = new ArrayList<>();
    for (String n : names) {
      try {
        out.add(Section.valueOf(n.strip().toUpperCase(Locale.ROOT)));
      } catch (IllegalArgumentException e) {
        throw new ParameterException(spec.commandLine(), "unknown section '" + n
            + "' (apply, reaction, detection, dataplane, distribution, footprint, routescale, connectionscale, policies)");
      }
    }
    return out;
  }

  /** The in-namespace half of section 1: prints the rows as JSON. Started by {@code bench}. */
  @Command(name = "apply-cost", hidden = true,
      description = "Time plan → kernel in this network namespace (run by bench inside its lab).")
  static final class ApplyCostCommand implements Callable<Integer> {
    @Option(names = "--uplinks", split = ",", required = true)
    List<Integer> sizes;

    @Option(names = "--warmup", defaultValue = "5")
    int warmup;

    @Option(names = "--iterations", defaultValue = "30")
    int iterations;

    @Option(names = "--state-dir", required = true)
    Path stateDir;

    @Option(names = "--policies", description = "a policies file to plan with (section policies)")
    Path policies;

    @Override
    public Integer call() throws Exception {
      var rules = policies == null ? netbalancer.config.Policies.NONE
          : netbalancer.config.PolicyLoader.parse(java.nio.file.Files.readString(policies), policies.toString());
      var rows = new ApplyCost(warmup, iterations, stateDir, rules).measure(sizes);
      System.out.println(new ObjectMapper().writeValueAsString(rows));
      return ExitCodes.OK;
    }
  }
}
