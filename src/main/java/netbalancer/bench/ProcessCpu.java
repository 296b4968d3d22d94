package netbalancer.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A process's CPU time from /proc, its subprocesses included: what the bench's sections and the
 * tools in bench/tools report as "the daemon's CPU".
 */
public final class ProcessCpu {
  /** USER_HZ: the unit of /proc/PID/stat's times, fixed at 100 in the kernel's ABI to user space. */
  public static final long TICKS_PER_SECOND = 100;

  private ProcessCpu() {
  }

  /**
   * Clock ticks: [0] the process's own (utime+stime), [1] its subprocesses': those it reaped
   * (cutime+cstime) and those still running (their utime+stime).
   */
  public static long[] ticks(long pid) {
    long[] own = statTicks(pid);
    return new long[] {own[0], own[1] + runningChildTicks(pid)};
  }

  /** Clock ticks of the subprocesses still running (their utime+stime), not those reaped. */
  public static long runningChildTicks(long pid) {
    long children = 0;
    for (ProcessHandle c : runningChildren(pid)) {
      children += statTicks(c.pid())[0];
    }
    return children;
  }

  /** The process's subprocesses still running (all descendants); none when it is gone. */
  public static List<ProcessHandle> runningChildren(long pid) {
    return ProcessHandle.of(pid).map(h -> h.descendants().toList()).orElse(List.of());
  }

  /** The process's CPU (its children included) over the next {@code seconds}, in % of one core. */
  public static double percentOver(long pid, int seconds) throws InterruptedException {
    long[] a = ticks(pid);
    long t0 = System.nanoTime();
    Thread.sleep(seconds * 1000L);
    long[] b = ticks(pid);
    double wall = (System.nanoTime() - t0) / 1e9;
    return Stats.round(100.0 * (b[0] + b[1] - a[0] - a[1]) / TICKS_PER_SECOND / wall);
  }

  /** [0] utime+stime, [1] cutime+cstime; zeros for a process that is gone. */
  private static long[] statTicks(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      // Fields after the command name, which may hold spaces: state is field 3, utime field 14.
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return new long[] {Long.parseLong(f[11]) + Long.parseLong(f[12]), Long.parseLong(f[13]) + Long.parseLong(f[14])};
    } catch (IOException e) {
      return new long[2]; // it exited between listing and reading
    }
  }
}
