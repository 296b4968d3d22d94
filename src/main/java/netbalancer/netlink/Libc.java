package netbalancer.netlink;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;

/**
 * The few libc calls a netlink socket needs (Java 17 has no AF_NETLINK and no FFM). Sizes follow
 * the C prototypes: size_t and ssize_t are a C long on Linux (ILP32 and LP64), hence NativeLong.
 * A failed call returns -1; its errno is read with {@link Native#getLastError()}, which JNA keeps
 * per thread for every call.
 */
interface Libc extends Library {
  int socket(int domain, int type, int protocol);

  int bind(int fd, byte[] address, int length);

  int setsockopt(int fd, int level, int name, Pointer value, int length);

  NativeLong send(int fd, byte[] data, NativeLong length, int flags);

  NativeLong recv(int fd, Pointer buffer, NativeLong length, int flags);

  int close(int fd);

  /** Loaded on first use: a missing or unloadable JNA fails here, as a LinkageError. */
  final class Holder {
    static final Libc C = Native.load("c", Libc.class);

    private Holder() {
    }
  }
}
