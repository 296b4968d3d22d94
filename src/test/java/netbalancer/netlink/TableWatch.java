package netbalancer.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.List;

/**
 * An nft table-event socket ({@link TableFilter}) in a process of its own, for the namespace lab
 * (run with {@code ip netns exec}: the socket must be in the lab's namespace). Prints "ready" once
 * joined, then per datagram that passed the filter one line: "tables" when {@link
 * TableFilter#matters} says it holds a table message, else "other", with its message types; exits
 * when its stdin closes. With the argument "all" it has no filter (every datagram).
 */
public final class TableWatch {
  private TableWatch() {
  }

  public static void main(String[] args) throws Exception {
    Thread stdin = new Thread(() -> {
      try {
        while (System.in.read() >= 0) {
          // until closed
        }
      } catch (java.io.IOException e) {
        // the same: nobody is listening any more
      }
      System.exit(0);
    });
    stdin.setDaemon(true);
    stdin.start();
    List<Bpf> filter = args.length > 0 && args[0].equals("all") ? List.of() : TableFilter.program();
    try (NetlinkSocket s = NetlinkSocket.openNetfilter(List.of(NetlinkSocket.NFNLGRP_NFTABLES), filter, 1 << 20,
        Duration.ofMillis(200))) {
      System.out.println("ready");
      System.out.flush();
      ByteBuffer buffer = ByteBuffer.allocateDirect(1 << 16);
      while (true) {
        if (s.receive(buffer) == NetlinkSocket.TIMED_OUT) {
          continue;
        }
        StringBuilder types = new StringBuilder();
        ByteBuffer b = buffer.duplicate().order(ByteOrder.nativeOrder());
        for (int p = 0; b.limit() - p >= 16; p += (b.getInt(p) + 3) & ~3) {
          types.append(' ').append(Integer.toHexString(b.getShort(p + 4) & 0xffff));
          if (b.getInt(p) < 16) {
            break;
          }
        }
        System.out.println((TableFilter.matters(buffer) ? "tables" : "other") + types);
        System.out.flush();
      }
    }
  }
}
