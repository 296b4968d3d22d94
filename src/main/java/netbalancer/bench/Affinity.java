package netbalancer.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import netbalancer.lab.LabProcess;

/** Pins a lab process, every thread of it, to one CPU (taskset: a scheduler call, no network). */
final class Affinity {
  private Affinity() {
  }

  static void pin(LabProcess p, int cpu) throws IOException, InterruptedException {
    // `ip netns exec` execs the program, so the pid we started is the program's
    Process t = new ProcessBuilder("taskset", "-a", "-p", "-c", Integer.toString(cpu), Long.toString(p.pid()))
        .redirectErrorStream(true).start();
    String out = new String(t.getInputStream().readAllBytes(), StandardCharsets.UTF_8); // a line; ends at exit
    if (!t.waitFor(10, TimeUnit.SECONDS) || t.exitValue() != 0) {
      throw new IllegalStateException("taskset could not pin " + p + " to CPU " + cpu + ": " + out.strip());
    }
  }
}
