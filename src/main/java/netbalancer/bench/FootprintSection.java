package netbalancer.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import netbalancer.lab.Lab;
import netbalancer.lab.LabDaemon;
import netbalancer.lab.LabProcess;

/**
 * Section 6: the daemon at rest with 4 uplinks, default settings (health checks every 30 s
 * against the lab's server, resync every 30 s), with the launcher's JVM flags. CPU counts the
 * JVM, the children it has reaped (each probe, resync, apply) and those still running
 * ({@code ip monitor}, {@code nft monitor}).
 */
final class FootprintSection {
  static final int UPLINKS = 4;
  private static final long SETTLE_MS = 2000;

  /** @param cpuPercentInSubprocesses the part of the CPU spent in programs the daemon ran */
  record Result(int uplinks, List<String> jvmFlags, String jvmFlagsFrom, long firstApplyMs,
      long startToFirstApplyMs, int idleSeconds, double cpuPercentOfOneCore, double cpuPercentInSubprocesses,
      double rssMb, double peakRssMb, double rssWithChildrenMb, int children) {
  }

  private FootprintSection() {
  }

  static Result run(BenchEnv env) throws Exception {
    int idle = env.plan().footprintIdleSeconds();
    long hz = ProcessCpu.TICKS_PER_SECOND;
    try (Lab lab = Lab.create(UPLINKS); LabProcess servers = lab.startServers()) {
      try (LabDaemon daemon = env.balancer(lab).start()) {
        Thread.sleep(SETTLE_MS);
        long[] ticks0 = ProcessCpu.ticks(daemon.pid());
        long t0 = System.nanoTime();
        Thread.sleep(idle * 1000L);
        long[] ticks1 = ProcessCpu.ticks(daemon.pid());
        double seconds = (System.nanoTime() - t0) / 1e9;
        double cpu = 100.0 * (ticks1[0] + ticks1[1] - ticks0[0] - ticks0[1]) / hz / seconds;
        double inChildren = 100.0 * (ticks1[1] - ticks0[1]) / hz / seconds;
        List<ProcessHandle> children = ProcessHandle.of(daemon.pid()).map(h -> h.descendants().toList())
            .orElse(List.of());
        double withChildren = statusKb(daemon.pid(), "VmRSS");
        for (ProcessHandle c : children) {
          withChildren += statusKb(c.pid(), "VmRSS");
        }
        return new Result(UPLINKS, env.flags().flags(), env.flags().source(), daemon.firstApplyMs(),
            daemon.startToFirstApplyMs(), idle, Stats.round(cpu), Stats.round(inChildren), mb(statusKb(daemon.pid(), "VmRSS")),
            mb(statusKb(daemon.pid(), "VmHWM")), mb(withChildren), children.size());
      }
    }
  }

  private static double statusKb(long pid, String field) {
    try (Stream<String> lines = Files.lines(Path.of("/proc", Long.toString(pid), "status"))) {
      return lines.filter(l -> l.startsWith(field + ":")).findFirst()
          .map(l -> Double.parseDouble(l.replaceAll("[^0-9]", ""))).orElse(0.0);
    } catch (IOException | java.io.UncheckedIOException e) {
      return 0;
    }
  }

  private static double mb(double kb) {
    return Stats.round(kb / 1024.0);
  }
}
