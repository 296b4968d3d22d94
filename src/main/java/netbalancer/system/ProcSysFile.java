package netbalancer.system;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Reads a {@code /proc/sys} value in one read from offset 0. The kernel's integer handlers answer
 * a read at any other offset with end of file, and {@code Files.readString} of a file whose size
 * is 0 (every /proc file) reads one byte first, then the rest: it returned "2" for a connection
 * count of 262 (which kept passive evidence listing every 5 s instead of every 0.5 s).
 */
public final class ProcSysFile {
  /** Far above any value a sysctl holds. */
  private static final int LIMIT = 4096;

  private ProcSysFile() {
  }

  /** The whole value, as the kernel prints it (with its newline). */
  public static String read(Path path) throws IOException {
    try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
      ByteBuffer b = ByteBuffer.allocate(LIMIT);
      ch.read(b);
      return new String(b.array(), 0, b.position(), StandardCharsets.US_ASCII);
    }
  }
}
