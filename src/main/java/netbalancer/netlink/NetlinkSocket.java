package netbalancer.netlink;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * An rtnetlink (NETLINK_ROUTE) socket through libc (or a NETLINK_NETFILTER one for requests):
 * joins multicast groups, receives into a direct buffer, optionally sends requests (dumps). Not
 * thread-safe: one thread receives, and the same thread closes it. A receive waits at most the timeout given at open (SO_RCVTIMEO): netlink
 * sockets do not support shutdown(), and a close() from another thread neither wakes a blocked
 * recv nor is safe (the descriptor number can be reused meanwhile), so the owner thread sees a
 * flag between receives and closes the socket itself.
 */
public final class NetlinkSocket implements AutoCloseable, Dump.Endpoint {
  /** Multicast group of link changes (linux/rtnetlink.h). */
  public static final int RTNLGRP_LINK = 1;
  /** Multicast group of neighbor changes (linux/rtnetlink.h). */
  public static final int RTNLGRP_NEIGH = 3;
  /** Multicast groups of IPv4 and IPv6 address and rule changes. */
  public static final int RTNLGRP_IPV4_IFADDR = 5;
  public static final int RTNLGRP_IPV4_RULE = 8;
  public static final int RTNLGRP_IPV6_IFADDR = 9;
  public static final int RTNLGRP_IPV6_RULE = 19;
  /** Multicast group of IPv4 route changes (linux/rtnetlink.h). */
  public static final int RTNLGRP_IPV4_ROUTE = 7;
  /** Multicast group of IPv6 route changes. */
  public static final int RTNLGRP_IPV6_ROUTE = 11;
  /** recv's result when the timeout passed without a message. */
  public static final int TIMED_OUT = -1;
  /** nf_tables' notifications (NETLINK_NETFILTER): every object of every transaction. */
  public static final int NFNLGRP_NFTABLES = 7;

  static final int ENOBUFS = 105;
  private static final int EAGAIN = 11;
  private static final int EINTR = 4;
  private static final int AF_NETLINK = 16;
  private static final int SOCK_RAW = 3;
  private static final int SOCK_CLOEXEC = 0x80000;
  private static final int NETLINK_ROUTE = 0;
  private static final int NETLINK_NETFILTER = 12;
  private static final int SOL_SOCKET = 1;
  private static final int SO_RCVBUF = 8;
  private static final int SO_RCVTIMEO = 20;
  private static final int SO_ATTACH_FILTER = 26;
  private static final int SO_RCVBUFFORCE = 33;
  private static final int SOL_NETLINK = 270;
  private static final int NETLINK_ADD_MEMBERSHIP = 1;
  private static final int NETLINK_GET_STRICT_CHK = 12;
  private static final int MSG_TRUNC = 0x20;

  private final Libc libc;
  private int fd;

  private NetlinkSocket(Libc libc, int fd) {
    this.libc = libc;
    this.fd = fd;
  }

  /**
   * Opens a socket, attaches {@code filter} (when not empty) before it joins {@code groups}, so
   * nothing unfiltered is ever queued, and binds it.
   *
   * @param groups       RTNLGRP_* numbers to join
   * @param filter       a classic-BPF program (see {@link RouteFilter}); empty: receive everything
   * @param receiveBytes the socket's receive buffer (SO_RCVBUFFORCE, else SO_RCVBUF capped by
   *                     net.core.rmem_max); 0 keeps the default
   * @param timeout      how long {@link #receive} waits at most
   * @throws IOException a call failed (its errno named), or JNA could not load (no native library
   *                     for this platform, a noexec temporary directory)
   */
  public static NetlinkSocket open(List<Integer> groups, List<Bpf> filter, int receiveBytes, Duration timeout)
      throws IOException {
    return open(NETLINK_ROUTE, groups, filter, receiveBytes, timeout);
  }

  private static NetlinkSocket open(int protocol, List<Integer> groups, List<Bpf> filter, int receiveBytes,
      Duration timeout) throws IOException {
    Objects.requireNonNull(groups, "groups");
    Objects.requireNonNull(filter, "filter");
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive, got " + timeout);
    }
    Libc libc;
    try {
      libc = Libc.Holder.C;
    } catch (LinkageError e) { // UnsatisfiedLinkError, NoClassDefFoundError, ExceptionInInitializerError
      throw new IOException("JNA unavailable: " + e, e);
    }
    int fd = libc.socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, protocol);
    if (fd < 0) {
      throw failure("socket(AF_NETLINK, " + (protocol == NETLINK_ROUTE ? "NETLINK_ROUTE" : "NETLINK_NETFILTER") + ")");
    }
    NetlinkSocket s = new NetlinkSocket(libc, fd);
    try {
      if (receiveBytes > 0 && s.setInt(SOL_SOCKET, SO_RCVBUFFORCE, receiveBytes) < 0) {
        s.check(s.setInt(SOL_SOCKET, SO_RCVBUF, receiveBytes), "SO_RCVBUF");
      }
      s.setTimeout(timeout);
      if (!filter.isEmpty()) {
        s.attach(filter);
      }
      // sockaddr_nl in host order: family, pad, pid 0 (the kernel picks), groups 0 (joined below:
      // the bind mask only reaches groups 1-32).
      byte[] address = ByteBuffer.allocate(12).order(ByteOrder.nativeOrder()).putShort((short) AF_NETLINK).array();
      s.check(libc.bind(fd, address, address.length), "bind");
      for (int g : groups) {
        s.check(s.setInt(SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, g), "NETLINK_ADD_MEMBERSHIP " + g);
      }
      return s;
    } catch (IOException | RuntimeException e) {
      s.close();
      throw e;
    }
  }

  /**
   * A socket for requests only (no groups, no filter) with the kernel's strict checking of dump
   * requests (NETLINK_GET_STRICT_CHK, Linux 4.20): only then does the kernel filter a route dump
   * by table, protocol and device, and a neighbor dump by device, as {@code ip} asks for a single
   * command; without it every dump is of everything.
   */
  static NetlinkSocket forRequests(Duration timeout) throws IOException {
    NetlinkSocket s = open(List.of(), List.of(), 0, timeout);
    try {
      s.check(s.setInt(SOL_NETLINK, NETLINK_GET_STRICT_CHK, 1), "NETLINK_GET_STRICT_CHK");
    } catch (IOException e) {
      s.close();
      throw e;
    }
    return s;
  }

  /** As {@link #open}, a NETLINK_NETFILTER socket joined to NFNLGRP_* {@code groups}. */
  public static NetlinkSocket openNetfilter(List<Integer> groups, List<Bpf> filter, int receiveBytes, Duration timeout)
      throws IOException {
    return open(NETLINK_NETFILTER, groups, filter, receiveBytes, timeout);
  }

  /** A socket for nf_tables requests (NETLINK_NETFILTER): see {@link NftDumps}. */
  static NetlinkSocket forNetfilter(Duration timeout) throws IOException {
    return open(NETLINK_NETFILTER, List.of(), List.of(), 0, timeout);
  }

  /** Replaces the socket's filter (the thread that receives only: see the class). */
  public void filter(List<Bpf> program) throws IOException {
    requireOpen();
    attach(program);
  }

  /** Sends one request (e.g. a dump); the kernel answers to this socket's port. */
  @Override
  public void send(byte[] message) throws IOException {
    requireOpen();
    NativeLong n = libc.send(fd, message, new NativeLong(message.length), 0);
    if (n.longValue() != message.length) {
      throw failure("send");
    }
  }

  /**
   * Receives one datagram into {@code buffer} from position 0: its limit is set to the bytes
   * received. Returns their count, or {@link #TIMED_OUT}.
   *
   * @throws Overrun     the kernel dropped messages (ENOBUFS: this socket was read too slowly), or
   *                     one was larger than the buffer; the socket stays usable
   * @throws IOException any other failure
   */
  @Override
  public int receive(ByteBuffer buffer) throws IOException {
    requireOpen();
    if (!buffer.isDirect()) {
      throw new IllegalArgumentException("buffer must be direct");
    }
    Pointer p = Native.getDirectBufferPointer(buffer);
    while (true) {
      long n = libc.recv(fd, p, new NativeLong(buffer.capacity()), MSG_TRUNC).longValue();
      if (n >= 0) {
        if (n > buffer.capacity()) {
          buffer.clear().limit(0);
          throw new Overrun("a message of " + n + " bytes did not fit the buffer of " + buffer.capacity());
        }
        buffer.clear().limit((int) n);
        return (int) n;
      }
      int errno = Native.getLastError();
      if (errno == EAGAIN) {
        buffer.clear().limit(0);
        return TIMED_OUT;
      }
      if (errno == ENOBUFS) {
        buffer.clear().limit(0);
        throw new Overrun("the kernel dropped messages (ENOBUFS)");
      }
      if (errno != EINTR) {
        throw new IOException("recv: errno " + errno);
      }
    }
  }

  /** Closes the socket (idempotent). Only the thread that receives may call it. */
  @Override
  public void close() {
    if (fd >= 0) {
      libc.close(fd);
      fd = -1;
    }
  }

  /** The kernel dropped messages meant for this socket: whatever was kept is stale. */
  public static final class Overrun extends IOException {
    private static final long serialVersionUID = 1L;

    Overrun(String message) {
      super(message);
    }
  }

  private void requireOpen() {
    if (fd < 0) {
      throw new IllegalStateException("netlink socket is closed");
    }
  }

  private int setInt(int level, int name, int value) {
    try (Memory m = new Memory(4)) {
      m.setInt(0, value);
      return libc.setsockopt(fd, level, name, m, 4);
    }
  }

  private void setTimeout(Duration timeout) throws IOException {
    // struct timeval { time_t tv_sec; suseconds_t tv_usec; }: two C longs.
    int l = Native.LONG_SIZE;
    try (Memory m = new Memory(2L * l)) {
      long seconds = timeout.getSeconds();
      long micros = timeout.getNano() / 1000L;
      if (l == 8) {
        m.setLong(0, seconds);
        m.setLong(8, micros);
      } else {
        m.setInt(0, (int) Math.min(seconds, Integer.MAX_VALUE));
        m.setInt(4, (int) micros);
      }
      check(libc.setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, m, 2 * l), "SO_RCVTIMEO");
    }
  }

  private void attach(List<Bpf> program) throws IOException {
    // struct sock_filter { u16 code; u8 jt; u8 jf; u32 k; } in host order, and
    // struct sock_fprog { unsigned short len; struct sock_filter *filter; }.
    try (Memory code = new Memory(8L * program.size()); Memory fprog = new Memory(2L * Native.POINTER_SIZE)) {
      for (int i = 0; i < program.size(); i++) {
        Bpf b = program.get(i);
        code.setShort(8L * i, (short) b.code());
        code.setByte(8L * i + 2, (byte) b.jt());
        code.setByte(8L * i + 3, (byte) b.jf());
        code.setInt(8L * i + 4, b.k());
      }
      fprog.clear();
      fprog.setShort(0, (short) program.size());
      fprog.setPointer(Native.POINTER_SIZE, code);
      check(libc.setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, fprog, 2 * Native.POINTER_SIZE), "SO_ATTACH_FILTER");
    }
  }

  private void check(int result, String call) throws IOException {
    if (result < 0) {
      throw failure(call);
    }
  }

  private static IOException failure(String call) {
    return new IOException(call + ": errno " + Native.getLastError());
  }
}
