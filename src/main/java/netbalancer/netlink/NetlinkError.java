package netbalancer.netlink;

import java.io.IOException;

/** The kernel refused a request (NLMSG_ERROR, or an errno in a dump's NLMSG_DONE). */
public final class NetlinkError extends IOException {
  private static final long serialVersionUID = 1L;
  /** ENOENT: for a route dump of one table, the table does not exist. */
  public static final int ENOENT = 2;
  private final int errno;

  NetlinkError(String what, int errno) {
    super(what + ": errno " + errno);
    this.errno = errno;
  }

  /** The errno, positive. */
  public int errno() {
    return errno;
  }
}
