package netbalancer.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Whether this process may change the network: CAP_NET_ADMIN in its effective set (root has it).
 * Checked before anything else, so a user without it reads "needs root" rather than a string of
 * EPERMs from ip and nft, or worse, a success.
 */
final class Privileges {
  private static final int CAP_NET_ADMIN = 12;

  private Privileges() {
  }

  static boolean haveNetAdmin() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("CapEff:")) {
          long caps = Long.parseUnsignedLong(line.substring("CapEff:".length()).strip(), 16);
          return (caps & (1L << CAP_NET_ADMIN)) != 0;
        }
      }
    } catch (IOException | NumberFormatException e) {
      // not Linux, or /proc missing: let the kernel say no
    }
    return true;
  }

  /** @throws NotPermittedException unless we have CAP_NET_ADMIN */
  static void requireNetAdmin(String what) {
    if (!haveNetAdmin()) {
      throw new NotPermittedException("net-balancer " + what + " needs root (CAP_NET_ADMIN)");
    }
  }

  /**
   * Asks the daemon; null when none runs. A socket we may not use says "needs root", not "no
   * daemon running" (which is what a non-root status said while one ran).
   */
  static String ask(java.nio.file.Path socket, String request) {
    try {
      return netbalancer.daemon.DaemonClient.request(socket, request);
    } catch (netbalancer.daemon.DaemonClient.UnreachableException e) {
      if (e.permission()) {
        throw new NotPermittedException("net-balancer " + request.split(" ")[0] + " needs root (CAP_NET_ADMIN): "
            + e.getMessage());
      }
      throw e;
    }
  }

  /** Missing privileges: exit 4, as LSB init scripts say "user had insufficient privilege". */
  static final class NotPermittedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    NotPermittedException(String message) {
      super(message);
    }
  }
}
