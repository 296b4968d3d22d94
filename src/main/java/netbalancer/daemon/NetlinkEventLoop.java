package netbalancer.daemon;

import java.io.IOException;
import java.nio.ByteBuffer;
import netbalancer.log.Log;
import netbalancer.netlink.NetlinkSocket;

/**
 * The receiving thread of a netlink event socket of our own (route, neighbor, nft table events):
 * one datagram at a time to {@link #handle}, a pass asked for when it says so. A netlink recv
 * cannot be woken, so the socket's receive timeout bounds how long a close takes; the thread
 * closes the socket itself (see {@link NetlinkSocket}). Lost messages (ENOBUFS, a datagram that
 * does not parse) and a socket opened again after a failure (retried every second, logged once)
 * go to {@link #caughtUp}: whatever was kept may be stale and a pass reads it again.
 */
abstract class NetlinkEventLoop implements AutoCloseable {
  private static final int DATAGRAM = 1 << 16;

  /** What the log lines name, e.g. "route events". */
  private final String what;
  /** Asks the daemon for a pass. */
  final Runnable signal;
  private final ByteBuffer buffer = ByteBuffer.allocateDirect(DATAGRAM);
  private final Thread thread;
  /** Only the receiving thread uses it after start (it closes it too). */
  private NetlinkSocket socket;
  private volatile boolean closed;
  /** Whether the socket failed and was not opened again yet (receiving thread only). */
  private boolean failing;

  NetlinkEventLoop(NetlinkSocket socket, String what, String threadName, Runnable signal) {
    this.socket = socket;
    this.what = what;
    this.signal = signal;
    this.thread = new Thread(this::loop, threadName);
    this.thread.setDaemon(true);
  }

  /** A new socket after a failure, as the first was opened. */
  abstract NetlinkSocket reopen() throws IOException;

  /**
   * Before each receive, on the receiving thread: e.g. a new filter on the socket.
   *
   * @throws IOException the socket failed (it is opened again)
   */
  void beforeReceive(NetlinkSocket socket) throws IOException {
  }

  /**
   * One datagram (position 0 to its limit); whether the daemon needs a pass.
   *
   * @throws IllegalArgumentException it does not parse (then: {@link #caughtUp})
   */
  abstract boolean handle(ByteBuffer datagram);

  /**
   * Events may have been missed (also right after the socket was opened again): whatever they
   * would have made stale is, and a pass is asked for.
   */
  abstract void caughtUp();

  /** Whether a pass is asked for as the thread starts (the socket was opened before it ran). */
  boolean catchUpAtStart() {
    return false;
  }

  final void start() {
    thread.start();
  }

  private void loop() {
    if (catchUpAtStart()) {
      caughtUp();
    }
    while (!closed) {
      try {
        if (socket == null) {
          socket = reopen();
          Log.info("%s: netlink socket open again", what);
          failing = false;
          caughtUp();
        }
        beforeReceive(socket);
        if (socket.receive(buffer) != NetlinkSocket.TIMED_OUT && handle(buffer)) {
          signal.run();
        }
      } catch (NetlinkSocket.Overrun e) {
        Log.warn("%s: %s; reading again", what, e.getMessage());
        caughtUp();
      } catch (IllegalArgumentException e) {
        Log.warn("%s: unreadable message: %s; reading again", what, e.getMessage());
        caughtUp();
      } catch (IOException e) {
        if (!failing) { // once, not every second while it keeps failing
          Log.error("%s: netlink socket: %s; opening it again every second", what, e.getMessage());
        }
        failing = true;
        closeSocket();
        try {
          Thread.sleep(1000);
        } catch (InterruptedException interrupted) {
          break;
        }
      }
    }
    closeSocket();
  }

  private void closeSocket() {
    if (socket != null) {
      socket.close();
      socket = null;
    }
  }

  /** Stops the thread within the socket's receive timeout; it closes the socket itself. */
  @Override
  public void close() {
    closed = true;
    if (thread.getState() == Thread.State.NEW) {
      closeSocket(); // never started: nobody else holds it
    }
  }
}
