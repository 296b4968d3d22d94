package netbalancer.netlink;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A route socket in a process of its own, for the namespace lab: run with {@code ip netns exec}
 * so the socket is in the lab's namespace, never the test JVM's (the host's). Args: rtProto, our
 * tables (comma-separated), optionally the receive buffer's bytes and a line to wait for on stdin
 * before the first read (to make the kernel drop messages). Prints "ready" once joined, then one
 * line per message that passed the filter ({@link RouteMessage#toString()}) or "overrun …"; exits
 * when its stdin closes.
 */
public final class RouteWatch {
  private RouteWatch() {
  }

  public static void main(String[] args) throws Exception {
    int rtProto = Integer.parseInt(args[0]);
    List<Integer> tables = new ArrayList<>();
    for (String t : args[1].split(",")) {
      tables.add(Integer.parseInt(t));
    }
    int receiveBytes = args.length > 2 ? Integer.parseInt(args[2]) : 1 << 20;
    java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(args.length > 3 ? 1 : 0);
    Thread stdin = new Thread(() -> {
      try {
        java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(System.in));
        String line;
        while ((line = in.readLine()) != null) {
          if (args.length > 3 && line.equals(args[3])) {
            go.countDown();
          }
        }
      } catch (java.io.IOException e) {
        // the same: nobody is listening any more
      }
      System.exit(0);
    });
    stdin.setDaemon(true);
    stdin.start();
    try (NetlinkSocket s = NetlinkSocket.open(List.of(NetlinkSocket.RTNLGRP_IPV4_ROUTE, NetlinkSocket.RTNLGRP_IPV6_ROUTE),
        RouteFilter.program(rtProto, tables), receiveBytes, Duration.ofMillis(200))) {
      System.out.println("ready");
      System.out.flush();
      go.await();
      ByteBuffer buffer = ByteBuffer.allocateDirect(1 << 16);
      while (true) {
        try {
          if (s.receive(buffer) == NetlinkSocket.TIMED_OUT) {
            continue;
          }
          for (RouteMessage m : RouteMessage.parse(buffer)) {
            System.out.println(m);
          }
        } catch (NetlinkSocket.Overrun e) {
          System.out.println("overrun " + e.getMessage());
        }
        System.out.flush();
      }
    }
  }
}
