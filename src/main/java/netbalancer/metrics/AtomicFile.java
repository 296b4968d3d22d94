package netbalancer.metrics;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.LinkOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.HexFormat;
import netbalancer.system.FileTrust;
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

  private static final SecureRandom RANDOM = new SecureRandom();

  private AtomicFile() {
  }

  static void write(Path target, byte[] content) throws IOException {
    Path dir = target.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    requireTrusted(dir);
    // O_EXCL + O_NOFOLLOW under a random name, in a directory only root can write: nobody can
    // plant a symlink there, nor swap the file between its creation and the rename.
    Path tmp = dir.resolve(tempPrefix(target) + HexFormat.of().toHexDigits(RANDOM.nextLong()) + ".tmp");
    try {
      try (SeekableByteChannel ch = Files.newByteChannel(tmp, Set.of(StandardOpenOption.CREATE_NEW,
          StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS), PosixFilePermissions.asFileAttribute(MODE))) {
        ByteBuffer buf = ByteBuffer.wrap(content);
        while (buf.hasRemaining()) {
          ch.write(buf);
        }
      }
      Files.setPosixFilePermissions(tmp, MODE); // explicit: not subject to the daemon's umask
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** Removes the file, when its directory is ours to change. */
  static void delete(Path target) throws IOException {
    Path dir = target.toAbsolutePath().getParent();
    if (Files.isDirectory(dir)) {
      requireTrusted(dir);
      Files.deleteIfExists(target);
    }
  }

  /**
   * Root writes here: a directory another user can write (or owns) lets that user race us with
   * symlinks and renames (an inotify watch on the temp file once made root chmod and overwrite
   * a file of the attacker's choosing), so it is refused.
   */
  private static void requireTrusted(Path dir) {
    FileTrust.requireTrustedDirectory(dir, "the directory of METRICS_FILE");
  }

  /** Removes temp files a crash left behind. */
  static void removeLeftovers(Path target) throws IOException {
    Path dir = target.toAbsolutePath().getParent();
    if (!Files.isDirectory(dir)) {
      return;
    }
    requireTrusted(dir);
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
