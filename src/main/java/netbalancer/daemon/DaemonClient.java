package netbalancer.daemon;

import java.nio.file.Path;

/** Talks to a running daemon over its control socket. */
public final class DaemonClient {
  private DaemonClient() {
  }

  /** The daemon's answer, or null when no daemon listens at {@code socket}. */
  public static String request(Path socket, String line) {
    return ControlServer.request(socket, line);
  }
}
