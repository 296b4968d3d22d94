package netbalancer.cli;

/** Exit codes shared by every command. */
final class ExitCodes {
  static final int OK = 0;
  /** The kernel refused part of a change, or a runtime error. */
  static final int FAILURE = 1;
  /** Bad configuration or usage: nothing was changed. */
  static final int BAD_CONFIG = 2;
  /** Needs root (CAP_NET_ADMIN), or the daemon's socket is not ours to use. */
  static final int NO_PRIVILEGE = 4;

  private ExitCodes() {
  }
}
