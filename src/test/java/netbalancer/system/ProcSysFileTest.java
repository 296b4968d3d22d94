package netbalancer.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcSysFileTest {
  @Test
  void readsAnOrdinaryFileWhole(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("v");
    Files.writeString(f, "262144\n");
    assertEquals("262144\n", ProcSysFile.read(f));
  }

  /** A multi-digit integer sysctl (read only): Files.readString gave its first digit. */
  @Test
  void readsAnIntegerSysctlWhole() throws Exception {
    Path pidMax = Path.of("/proc/sys/kernel/pid_max");
    assumeTrue(Files.isReadable(pidMax));
    String whole = Files.readAllLines(pidMax).get(0); // one buffered read of 8 KiB from offset 0
    assumeTrue(whole.length() > 1);
    assertEquals(whole, ProcSysFile.read(pidMax).strip());
  }
}
