package netbalancer.daemon;

import java.nio.file.Path;
import java.time.Duration;

/** Talks to a running daemon over its control socket. */
public final class DaemonClient {
  /** A status or drain is answered in milliseconds; a daemon that takes this long is stuck. */
  public static final Duration TIMEOUT = Duration.ofSeconds(5);

  private DaemonClient() {
  }

  /**
   * The daemon's answer, or null when no daemon listens at {@code socket}.
   *
   * @throws UnreachableException when the socket is there but cannot be used, or no answer
   *     came within {@link #TIMEOUT}
   */
  public static String request(Path socket, String line) {
    return ControlServer.request(socket, line, TIMEOUT);
  }

  /** A daemon may be running, but it could not be asked. */
  public static final class UnreachableException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final boolean permission;

    UnreachableException(Path socket, String why, boolean permission) {
      super(permission ? "cannot reach the daemon on " + socket + ": permission denied"
          : "the daemon on " + socket + " did not answer within " + TIMEOUT.toSeconds() + " s");
      this.permission = permission;
    }

    /** Whether it was a permission problem: the user needs root. */
    public boolean permission() {
      return permission;
    }
  }
}
