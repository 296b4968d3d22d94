package netbalancer.daemon;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import netbalancer.netlink.NetlinkSocket;
import netbalancer.netlink.TableFilter;

/**
 * nft tables added or deleted, from a netlink socket of our own (NFNLGRP_NFTABLES), in place of
 * {@code nft monitor tables}: nft's monitor first reads the whole ruleset, every element of every
 * set of every table, and keeps it, so another program's blocklist of a million addresses cost the
 * daemon's child 637 MB and some 15 s of CPU at each start (200 000: 137 MB). The socket's filter
 * ({@link TableFilter}) drops element and generation messages in the kernel; a table message
 * (ours deleted by someone, a {@code flush ruleset}) makes the kept nft table stale and asks for a
 * pass, as each line of nft's monitor did. Opened by the caller's thread so that a failure reaches
 * it and the daemon falls back to {@code nft monitor tables}.
 */
final class NetlinkTableMonitor extends NetlinkEventLoop {
  /** How often the receiving thread looks at the closed flag (see {@link NetlinkRouteMonitor#WAKE}). */
  static final Duration WAKE = NetlinkRouteMonitor.WAKE;
  /** Only table messages (and datagrams of many messages) are queued: a small queue does. */
  private static final int RECEIVE_BUFFER = 1 << 18;

  private final Runnable oursChanged;

  NetlinkTableMonitor(NetlinkSocket socket, Runnable oursChanged, Runnable signal) {
    super(socket, "nft table events", "netlink-table-monitor", signal);
    this.oursChanged = oursChanged;
  }

  /** @throws IOException the socket could not be made (JNA missing or not loadable, a call refused) */
  static NetlinkTableMonitor open(Runnable oursChanged, Runnable signal) throws IOException {
    return new NetlinkTableMonitor(openSocket(), oursChanged, signal);
  }

  private static NetlinkSocket openSocket() throws IOException {
    return NetlinkSocket.openNetfilter(List.of(NetlinkSocket.NFNLGRP_NFTABLES), TableFilter.program(), RECEIVE_BUFFER,
        WAKE);
  }

  @Override
  NetlinkSocket reopen() throws IOException {
    return openSocket();
  }

  @Override
  boolean handle(ByteBuffer datagram) {
    if (TableFilter.matters(datagram)) {
      oursChanged.run();
      return true;
    }
    return false;
  }

  @Override
  void caughtUp() {
    oursChanged.run();
    signal.run();
  }

}
