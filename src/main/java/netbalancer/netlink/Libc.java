package netbalancer.netlink;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The few libc calls a netlink socket needs (Java 17 has no AF_NETLINK and no FFM), and glibc's
 * malloc_trim for the daemon's native heap ({@link NativeHeap}). Sizes follow
 * the C prototypes: size_t and ssize_t are a C long on Linux (ILP32 and LP64), hence NativeLong.
 * A failed call returns -1; its errno is read with {@link Native#getLastError()}, which JNA keeps
 * per thread for every call.
 */
interface Libc extends Library {
  /** The system property JNA reads for where to unpack its native library. */
  String UNPACK_PROPERTY = "jna.tmpdir";

  int socket(int domain, int type, int protocol);

  int bind(int fd, byte[] address, int length);

  int setsockopt(int fd, int level, int name, Pointer value, int length);

  NativeLong send(int fd, byte[] data, NativeLong length, int flags);

  NativeLong recv(int fd, Pointer buffer, NativeLong length, int flags);

  int close(int fd);

  /**
   * glibc's: returns freed memory at the top of and inside its arenas to the kernel; 1 if any was.
   * Not in musl: JNA resolves a symbol at its first call, so there it throws UnsatisfiedLinkError.
   */
  int malloc_trim(NativeLong pad);

  /**
   * Where JNA unpacks the native library the daemon (root) then loads. JNA's own default is the
   * caller's {@code ~/.cache/JNA/temp}: under {@code sudo -E} a user's directory, where that user
   * could swap the file between its writing and its loading. Unless {@value #UNPACK_PROPERTY} is
   * set already (the operator's choice, through NET_BALANCER_JAVA_OPTS), a fresh directory only
   * its owner can write, under {@code java.io.tmpdir} (the unit's PrivateTmp), removed at exit
   * after the library JNA marks for removal (deleteOnExit runs in reverse order).
   *
   * @return the directory JNA will use
   */
  static Path privateUnpackDirectory() throws IOException {
    String set = System.getProperty(UNPACK_PROPERTY);
    if (set != null) {
      return Path.of(set);
    }
    Path dir = Files.createTempDirectory("net-balancer-jna-",
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    dir.toFile().deleteOnExit();
    System.setProperty(UNPACK_PROPERTY, dir.toString());
    return dir;
  }

  /** Loaded on first use: a missing or unloadable JNA fails here, as a LinkageError. */
  final class Holder {
    static final Libc C = load();

    private Holder() {
    }

    private static Libc load() {
      boolean ours = System.getProperty(UNPACK_PROPERTY) == null;
      Path dir;
      try {
        dir = privateUnpackDirectory(); // before JNA's Native class is initialized: it unpacks then
      } catch (IOException e) {
        throw new UncheckedIOException("no private directory for JNA's native library", e);
      }
      try {
        return Native.load("c", Libc.class);
      } finally {
        if (ours) {
          try {
            Files.delete(dir); // JNA unlinks the library once it is mapped; a kill would leave the directory
          } catch (IOException e) {
            // not empty (JNA kept its file): deleteOnExit removes it after the file
          }
        }
      }
    }
  }
}
