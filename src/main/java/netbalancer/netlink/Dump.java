package netbalancer.netlink;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Sends one request on a dump socket and hands each answer message of the expected type to a
 * handler until the kernel's NLMSG_DONE (a dump) or the first answer (a single get), or until the
 * handler says stop: then the caller closes the socket, and the kernel never makes the rest of
 * the dump. An error the kernel reports (NLMSG_ERROR, or a negative errno in NLMSG_DONE) is a
 * {@link NetlinkError}; a dump the kernel marks inconsistent (NLM_F_DUMP_INTR: the table changed
 * while it was walked) is an {@link DumpInterrupted}, to be read again.
 */
final class Dump {
  /** A message of the expected type, from {@code at}, {@code length} bytes (header included). */
  interface Handler {
    /** @return whether to read on */
    boolean message(ByteBuffer b, int at, int length);
  }

  /** Where requests go and answers come from: a {@link NetlinkSocket} (a fake in tests). */
  interface Endpoint {
    void send(byte[] message) throws IOException;

    /** As {@link NetlinkSocket#receive}: the datagram from 0 to the limit, or TIMED_OUT. */
    int receive(ByteBuffer buffer) throws IOException;
  }

  /** Above the largest datagram the kernel makes for a dump (32 KiB). */
  private static final int BUFFER_BYTES = 1 << 16;
  private static final ThreadLocal<ByteBuffer> BUFFERS = ThreadLocal.withInitial(
      () -> ByteBuffer.allocateDirect(BUFFER_BYTES));

  private Dump() {
  }

  /**
   * This thread's receive buffer, shared by every reader on it ({@link KernelDumps},
   * {@link NftDumps}): a {@link #run} reads its whole answer before it returns, so nothing is kept
   * in it between calls.
   */
  static ByteBuffer threadBuffer() {
    return BUFFERS.get();
  }

  /**
   * @param what     names the request in errors
   * @param answer   the message type of the answers (RTM_NEWROUTE for RTM_GETROUTE, …)
   * @param dump     a dump (ends with NLMSG_DONE) or a single get (one answer)
   * @return false when the handler stopped the reading (the socket holds the rest: close it)
   */
  static boolean run(Endpoint socket, ByteBuffer buffer, String what, byte[] request, int answer, boolean dump,
      Handler handler) throws IOException {
    int seq = ByteBuffer.wrap(request).order(ByteOrder.nativeOrder()).getInt(8);
    socket.send(request);
    boolean interrupted = false;
    while (true) {
      if (socket.receive(buffer) == NetlinkSocket.TIMED_OUT) {
        throw new IOException(what + ": no answer from the kernel");
      }
      ByteBuffer b = buffer.duplicate().order(ByteOrder.nativeOrder());
      int end = b.limit();
      int at = 0;
      if (end < Messages.HEADER) {
        throw new IllegalArgumentException(what + ": a datagram of " + end + " bytes");
      }
      while (end - at >= Messages.HEADER) {
        int length = b.getInt(at);
        if (length < Messages.HEADER || length > end - at) {
          throw new IllegalArgumentException(what + ": a message at " + at + " has length " + length + ", "
              + (end - at) + " bytes left");
        }
        int type = b.getShort(at + 4) & 0xffff;
        int flags = b.getShort(at + 6) & 0xffff;
        if (b.getInt(at + 8) != seq) {
          throw new IllegalStateException(what + ": an answer to another request (sequence " + b.getInt(at + 8)
              + ", expected " + seq + ")");
        }
        interrupted |= (flags & Messages.NLM_F_DUMP_INTR) != 0;
        if (type == Messages.NLMSG_DONE || type == Messages.NLMSG_ERROR) {
          int errno = length >= Messages.HEADER + 4 ? -b.getInt(at + Messages.HEADER) : 0;
          if (errno != 0) {
            throw new NetlinkError(what, errno);
          }
          if (type == Messages.NLMSG_ERROR && length < Messages.HEADER + 4) {
            throw new IllegalArgumentException(what + ": NLMSG_ERROR of " + length + " bytes");
          }
          if (type == Messages.NLMSG_DONE) {
            if (interrupted) {
              throw new DumpInterrupted(what);
            }
            return true;
          }
          // NLMSG_ERROR 0: an acknowledgement, not asked for: nothing to do
        } else if (type == Messages.NLMSG_OVERRUN) {
          throw new IOException(what + ": NLMSG_OVERRUN");
        } else if (type == answer) {
          if (!handler.message(b, at, length)) {
            return false;
          }
          if (!dump) {
            return true;
          }
        } else {
          throw new IllegalArgumentException(what + ": a message of type " + type + ", expected " + answer);
        }
        at += Messages.align(length);
      }
    }
  }
}
