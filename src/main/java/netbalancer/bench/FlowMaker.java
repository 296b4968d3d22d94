package netbalancer.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;

/**
 * Run in the lab's client namespace: makes tracked flows in the router cheaply, one UDP datagram
 * per flow to the lab's server, each from its own source port (a new 4-tuple, so a new
 * connection-table entry in every namespace on the way). No one listens: the flows stay
 * unreplied, as long as the router's UDP timeout. Arguments: server address, how many flows
 * now (as fast as it can), then how many a second until stdin closes; prints "ready" between.
 */
public final class FlowMaker {
  private static final int FIRST_SPORT = 10000;
  private static final int SPORTS = 50000;
  private static final int FIRST_DPORT = 20000;

  private FlowMaker() {
  }

  public static void main(String[] args) throws Exception {
    String server = args[0];
    int now = Integer.parseInt(args[1]);
    int perSecond = Integer.parseInt(args[2]);
    long n = 0;
    for (; n < now; n++) {
      send(server, n);
    }
    System.out.println("ready " + n);
    System.out.flush();
    Thread stop = new Thread(() -> {
      try {
        while (System.in.read() >= 0) {
          // until the bench closes stdin
        }
      } catch (IOException e) {
        // closed
      }
      System.exit(0);
    });
    stop.setDaemon(true);
    stop.start();
    long start = System.nanoTime();
    for (long sent = 0; ; sent++) {
      long due = start + sent * 1_000_000_000L / Math.max(1, perSecond);
      long wait = due - System.nanoTime();
      if (wait > 0) {
        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
      }
      send(server, n++);
    }
  }

  /** Flow {@code i}: source port and destination port from its number. */
  private static void send(String server, long i) throws IOException {
    int sport = FIRST_SPORT + (int) (i % SPORTS);
    int dport = FIRST_DPORT + (int) (i / SPORTS);
    try (DatagramChannel ch = DatagramChannel.open()) {
      ch.setOption(java.net.StandardSocketOptions.SO_REUSEADDR, true);
      ch.bind(new InetSocketAddress(sport));
      ch.send(ByteBuffer.wrap(new byte[] {1}), new InetSocketAddress(server, dport));
    }
  }
}
