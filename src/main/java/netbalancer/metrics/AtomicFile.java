package netbalancer.metrics;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Replaces a file so that a reader sees the old text or the new one, never a mix: the text goes to
 * a temp file in the same directory (same file system, so the rename cannot become a copy), which
 * is then renamed over the target. The temp name starts with a dot and ends in {@code .tmp}, so
 * node_exporter's textfile collector, which reads {@code *.prom} only, never picks it up.
 * No fsync: the file lives in /run and is rewritten on every update; a crash loses nothing of value.
 */
final class AtomicFile {
  /** node_exporter usually runs as another user; it must be able to read the file. */
  private static final Set<PosixFilePermission> MODE = PosixFilePermissions.fromString("rw-r--r--");

  private AtomicFile() {
  }

  static void write(Path target, byte[] content) throws IOException {
    Path dir = target.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path tmp = Files.createTempFile(dir, tempPrefix(target), ".tmp");
    try {
      Files.setPosixFilePermissions(tmp, MODE); // explicit: not subject to the daemon's umask
      Files.write(tmp, content);
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** Removes temp files a crash left behind. */
  static void removeLeftovers(Path target) throws IOException {
    Path dir = target.toAbsolutePath().getParent();
    if (!Files.isDirectory(dir)) {
      return;
    }
    try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, glob(tempPrefix(target)) + "*.tmp")) {
      for (Path p : s) {
        Files.deleteIfExists(p);
      }
    }
  }

  private static String tempPrefix(Path target) {
    return "." + target.getFileName() + ".";
  }

  private static String glob(String literal) {
    return literal.replaceAll("([\\\\*?\\[\\]{}])", "\\\\$1");
  }
}
