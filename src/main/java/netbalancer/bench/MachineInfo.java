package netbalancer.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import netbalancer.system.ProcessRunner;

/** The machine a run measured, so numbers are never read without it. */
public record MachineInfo(int cpus, String cpuModel, long memoryMb, String kernel, String java, String iproute2,
    String nftables, String iperf3) {

  static MachineInfo collect() {
    return new MachineInfo(Runtime.getRuntime().availableProcessors(), readCpuModel(), readMemoryMb(),
        read("/proc/sys/kernel/osrelease"),
        System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"),
        firstLine("ip", "-V"), firstLine("nft", "--version"), firstLine("iperf3", "--version"));
  }

  private static String readCpuModel() {
    try (Stream<String> lines = Files.lines(Path.of("/proc/cpuinfo"))) {
      return lines.filter(l -> l.startsWith("model name")).findFirst()
          .map(l -> l.substring(l.indexOf(':') + 1).strip()).orElse("unknown");
    } catch (IOException e) {
      return "unknown";
    }
  }

  private static long readMemoryMb() {
    try (Stream<String> lines = Files.lines(Path.of("/proc/meminfo"))) {
      return lines.filter(l -> l.startsWith("MemTotal:")).findFirst()
          .map(l -> Long.parseLong(l.replaceAll("[^0-9]", "")) / 1024).orElse(0L);
    } catch (IOException e) {
      return 0;
    }
  }

  private static String read(String file) {
    try {
      return Files.readString(Path.of(file)).strip();
    } catch (IOException e) {
      return "unknown";
    }
  }

  /** A tool's version line (read-only commands: nothing here touches a network). */
  private static String firstLine(String... argv) {
    var r = new ProcessRunner().run(List.of(argv), null);
    String out = (r.stdout() + r.stderr()).strip();
    return out.isEmpty() ? "unknown" : out.lines().findFirst().orElse("unknown");
  }
}
