package netbalancer.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The LAN host's side of the bench, run inside the lab's client namespace against a
 * {@link netbalancer.lab.WhoAmIServer}. Every connection reads the server's line (the source
 * address it saw, so the uplink) and is closed with a reset: no TIME_WAIT, so a source port can
 * be used again at once and thousands of connections never run out of ports.
 *
 * <pre>
 * scan HOST PORT FIRST COUNT      which uplink each source port FIRST.. hashes to: "PORT SOURCE" lines
 * follow HOST PORT TIMEOUT_MS AVOID PORT,PORT…
 *     on each "go" line: connects until one connection goes through AVOID, says "started", then
 *     connects from those ports (one that failed, never again) until one succeeds from a source
 *     other than AVOID: "ok EPOCH_MICROS SOURCE ATTEMPTS"
 * rates HOST PORT PARALLEL        for each "MS" line on stdin, as many connections as it can make
 *                                 in MS milliseconds, PARALLEL at a time, in one warm JVM:
 *                                 "CONNECTIONS FAILED SECONDS"
 * traffic HOST[,HOST…] PORT PER_SECOND
 *                                 connections at that pace, to the hosts in turn, until stdin
 *                                 ends: "ATTEMPTS FAILED"
 * </pre>
 */
public final class BenchClient {
  private static final int TIMEOUT_MS = 1000;

  private final String host;
  private final int port;

  private BenchClient(String host, int port) {
    this.host = host;
    this.port = port;
  }

  public static void main(String[] args) throws Exception {
    BenchClient c = new BenchClient(args[1], Integer.parseInt(args[2]));
    switch (args[0]) {
      case "scan" -> c.scan(Integer.parseInt(args[3]), Integer.parseInt(args[4]));
      case "follow" -> c.follow(Integer.parseInt(args[3]), args[4], ports(args[5]));
      case "rates" -> c.rates(Integer.parseInt(args[3]));
      case "traffic" -> c.traffic(Double.parseDouble(args[3]));
      default -> throw new IllegalArgumentException("unknown mode " + args[0]);
    }
    System.out.flush();
  }

  private void scan(int first, int count) {
    StringBuilder out = new StringBuilder();
    for (int p = first; p < first + count; p++) {
      String source = connect(p, TIMEOUT_MS);
      if (source != null) {
        out.append(p).append(' ').append(source).append('\n');
      }
    }
    System.out.print(out);
    System.out.println("end");
  }

  private void follow(int timeoutMs, String avoid, List<Integer> pool) throws IOException {
    Set<Integer> burnt = new HashSet<>();
    int[] next = {0};
    BufferedReader stdin = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    String line;
    while ((line = stdin.readLine()) != null && line.equals("go")) {
      // First a connection through AVOID: its gateway's ARP entry is fresh, so the kernel (with
      // fib_multipath_use_neigh) does not route around it, and the hash does send us there.
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      String result = "timeout";
      boolean onAvoid = false;
      while (!onAvoid && System.nanoTime() < deadline) {
        onAvoid = avoid.equals(connect(nextPort(pool, burnt, next), timeoutMs));
      }
      System.out.println(onAvoid ? "started" : "not-started");
      System.out.flush();
      for (int attempts = 1; onAvoid && System.nanoTime() < deadline && burnt.size() < pool.size(); attempts++) {
        int p = nextPort(pool, burnt, next);
        String source = connect(p, timeoutMs);
        if (source == null) {
          // A connection that failed may have left conntrack state pinned to the dead uplink;
          // a new connection comes from a new port, as it would in an application.
          burnt.add(p);
        } else if (!source.equals(avoid)) {
          result = "ok " + ChronoUnit.MICROS.between(Instant.EPOCH, Instant.now()) + " " + source + " " + attempts;
          break;
        }
      }
      System.out.println(result);
      System.out.flush();
    }
  }

  private static int nextPort(List<Integer> pool, Set<Integer> burnt, int[] next) {
    if (burnt.size() >= pool.size()) {
      throw new IllegalStateException("every source port failed once");
    }
    int p;
    do {
      p = pool.get(next[0]++ % pool.size());
    } while (burnt.contains(p));
    return p;
  }

  private void rates(int parallel) throws IOException, InterruptedException {
    BufferedReader stdin = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    for (String line; (line = stdin.readLine()) != null && !line.isBlank(); ) {
      rate(TimeUnit.MILLISECONDS.toNanos(Long.parseLong(line.strip())), parallel);
      System.out.flush();
    }
  }

  /** Connections for {@code nanos}; one started in time counts, and so does the time it takes. */
  private void rate(long nanos, int parallel) throws InterruptedException {
    AtomicInteger done = new AtomicInteger();
    AtomicInteger failed = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(parallel);
    connect(0, TIMEOUT_MS); // the first connection pays for class loading, not the router
    long t0 = System.nanoTime();
    for (int w = 0; w < parallel; w++) {
      pool.execute(() -> {
        while (System.nanoTime() - t0 < nanos) {
          if (connect(0, TIMEOUT_MS) == null) {
            failed.incrementAndGet();
          }
          done.incrementAndGet();
        }
      });
    }
    pool.shutdown();
    pool.awaitTermination(1, TimeUnit.HOURS);
    System.out.println(done.get() + " " + failed.get() + " " + (System.nanoTime() - t0) / 1e9);
  }

  private void traffic(double perSecond) throws Exception {
    AtomicInteger attempts = new AtomicInteger();
    AtomicInteger failed = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(8);
    String[] hosts = host.split(",");
    Thread pacer = new Thread(() -> {
      long gap = (long) (1e9 / perSecond);
      long at = System.nanoTime();
      for (long n = 0; !Thread.currentThread().isInterrupted(); n++) {
        String to = hosts[(int) (n % hosts.length)];
        pool.execute(() -> {
          attempts.incrementAndGet();
          if (connect(to, 0, TIMEOUT_MS) == null) {
            failed.incrementAndGet();
          }
        });
        at += gap;
        try {
          TimeUnit.NANOSECONDS.sleep(Math.max(0, at - System.nanoTime()));
        } catch (InterruptedException e) {
          return;
        }
      }
    });
    pacer.start();
    while (System.in.read() >= 0) {
      // runs until the bench closes our stdin
    }
    pacer.interrupt();
    pacer.join();
    pool.shutdown();
    pool.awaitTermination(5, TimeUnit.SECONDS);
    System.out.println(attempts.get() + " " + failed.get());
  }

  /** Connects from {@code sourcePort} (0: any), reads the source the server saw, resets. */
  private String connect(int sourcePort, int timeoutMs) {
    return connect(host, sourcePort, timeoutMs);
  }

  private String connect(String to, int sourcePort, int timeoutMs) {
    try (Socket s = new Socket()) {
      s.setReuseAddress(true);
      s.setSoLinger(true, 0);
      if (sourcePort != 0) {
        s.bind(new InetSocketAddress(sourcePort));
      }
      s.connect(new InetSocketAddress(to, port), timeoutMs);
      s.setSoTimeout(timeoutMs);
      String line = readLine(s.getInputStream());
      return line == null || line.isEmpty() ? null : line;
    } catch (IOException e) {
      return null;
    }
  }

  /** One short line, byte by byte: no buffer to size or to leak into the next read. */
  private static String readLine(InputStream in) throws IOException {
    StringBuilder sb = new StringBuilder();
    for (int b = in.read(); b >= 0 && b != '\n'; b = in.read()) {
      sb.append((char) b);
    }
    return sb.toString();
  }

  private static List<Integer> ports(String csv) {
    List<Integer> out = new ArrayList<>();
    for (String p : csv.split(",")) {
      out.add(Integer.parseInt(p));
    }
    return out;
  }

  /** Parses {@code scan}'s output: port → source. */
  static TreeMap<Integer, String> parseScan(List<String> lines) {
    TreeMap<Integer, String> m = new TreeMap<>();
    for (String l : lines) {
      String[] w = l.trim().split(" ");
      if (w.length == 2) {
        m.put(Integer.parseInt(w[0]), w[1]);
      }
    }
    return m;
  }
}
