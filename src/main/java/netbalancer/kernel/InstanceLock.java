package netbalancer.kernel;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import netbalancer.system.FileTrust;

/**
 * One net-balancer per network namespace: {@code run} holds this lock for its whole life (its
 * cleanup on SIGTERM included), {@code apply} and {@code cleanup} while they change the kernel.
 * A POSIX lock on {@code STATE_DIR/instance-NETNS.lock}, where NETNS is the namespace's inode,
 * unique among the namespaces that exist at once; the kernel drops the lock when its process
 * dies, however it dies, so a crash never leaves a stale lock. The file holds the holder's pid
 * and command for the error message; it is never removed (removing a lock file races with the
 * next holder).
 */
public final class InstanceLock implements AutoCloseable {
  private final FileChannel channel;
  private final FileLock lock;

  private InstanceLock(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  /**
   * Takes the lock of this process's network namespace, or throws {@link HeldException} naming
   * the process that has it.
   *
   * @param command what we are ({@code run}, {@code apply}, {@code cleanup}), for the holder's record
   */
  public static InstanceLock acquire(Path stateDir, String command) {
    StateStore.prepareDirectory(stateDir);
    Path file = stateDir.resolve("instance-" + StateStore.netnsId() + ".lock");
    FileChannel ch = null;
    try {
      // NOFOLLOW: a symlink planted here must not make root create or truncate its target.
      ch = FileChannel.open(file, Set.of(StandardOpenOption.CREATE, StandardOpenOption.READ,
          StandardOpenOption.WRITE, java.nio.file.LinkOption.NOFOLLOW_LINKS),
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-r--r--")));
      String problem = FileTrust.untrustedFile(file);
      if (problem != null) {
        throw new FileTrust.UntrustedPathException("lock file refused: " + problem);
      }
      FileLock l = ch.tryLock();
      if (l == null) {
        String holder = read(ch);
        throw new HeldException("another net-balancer runs in this network namespace ("
            + (holder.isEmpty() ? "pid unknown" : "pid " + holder) + ", lock " + file + "); stop it first,"
            + " or ask it: `net-balancer drain`, `systemctl reload net_balancer` after editing the config");
      }
      ch.truncate(0);
      ch.write(ByteBuffer.wrap((ProcessHandle.current().pid() + " " + command + "\n")
          .getBytes(StandardCharsets.US_ASCII)), 0);
      InstanceLock held = new InstanceLock(ch, l);
      ch = null;
      return held;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot take the instance lock " + file, e);
    } finally {
      if (ch != null) {
        try {
          ch.close();
        } catch (IOException e) {
          // nothing held
        }
      }
    }
  }

  private static String read(FileChannel ch) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(128);
    ch.read(buf, 0);
    return new String(buf.array(), 0, buf.position(), StandardCharsets.US_ASCII).strip();
  }

  /** Releases the lock (a process that exits releases it all the same). */
  @Override
  public void close() {
    try {
      lock.release();
      channel.close();
    } catch (IOException e) {
      // the kernel drops it with the descriptor
    }
  }

  /** The lock is held by another process. */
  public static final class HeldException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    HeldException(String message) {
      super(message);
    }
  }
}
