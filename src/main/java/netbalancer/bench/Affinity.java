package netbalancer.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import netbalancer.system.CommandRunner;
import netbalancer.system.ProcessRunner;
import netbalancer.lab.LabProcess;

/** Pins lab processes to CPUs (taskset: a scheduler call, no network). */
final class Affinity {
  private Affinity() {
  }

  /**
   * The CPUs this process may run on, from /proc/self/status ("0-1", "2,3", "0-3,8"): in a
   * container they need not start at 0. Empty if unreadable.
   */
  static List<Integer> allowedCpus() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"), StandardCharsets.UTF_8)) {
        if (line.startsWith("Cpus_allowed_list:")) {
          return parseCpuList(line.substring(line.indexOf(':') + 1));
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux, or a format we do not know: then nothing is pinned
    }
    return List.of();
  }

  static List<Integer> parseCpuList(String list) {
    List<Integer> cpus = new ArrayList<>();
    for (String part : list.strip().split(",")) {
      if (part.isEmpty()) {
        continue;
      }
      int dash = part.indexOf('-');
      int from = Integer.parseInt(dash < 0 ? part : part.substring(0, dash));
      int to = dash < 0 ? from : Integer.parseInt(part.substring(dash + 1));
      for (int cpu = from; cpu <= to; cpu++) {
        cpus.add(cpu);
      }
    }
    return cpus;
  }

  /** Pins every thread of {@code p} to {@code cpu}; new threads inherit it. */
  static void pin(LabProcess p, int cpu) {
    // `ip netns exec` execs the program, so the pid we started is the program's
    CommandRunner.Result r = new ProcessRunner().run(List.of("taskset", "-a", "-p", "-c", Integer.toString(cpu),
        Long.toString(p.pid())), null, Duration.ofSeconds(10));
    if (!r.ok()) {
      throw new IllegalStateException("taskset could not pin " + p + " to CPU " + cpu + ": " + r.stderr().strip());
    }
  }
}
