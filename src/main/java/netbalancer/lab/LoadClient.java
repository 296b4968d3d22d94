package netbalancer.lab;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Makes connections to a {@link WhoAmIServer} and reports, as one {@link LoadReport} JSON line,
 * which source address the server saw for each.
 *
 * <pre>
 * LoadClient count HOST PORT N [--bind ADDR] [--parallel P] [--timeout-ms T]
 *     N short connections (connect, read the line, close), P at a time (default 8).
 * LoadClient hold HOST PORT N [--bind ADDR] [--parallel P] [--timeout-ms T]
 *     opens N connections, prints a report, keeps them; then reads commands on stdin:
 *     "check [T]" sends a line on every live connection and reports which echo it back
 *     within T ms (default the timeout); "quit" or end of input closes them and exits.
 * LoadClient busy HOST PORT N [--bind ADDR] [--parallel P] [--timeout-ms T] [--period-ms M]
 *     like hold, but every connection sends a line and reads its echo every M ms (default 100)
 *     on its own thread, waiting up to 60 s for each echo (TCP retransmits through a blip);
 *     "status" reports the live ones, "deaths" prints {source: [epoch ms of each death]}.
 * </pre>
 */
public final class LoadClient {

  private final String host;
  private final int port;
  private final int n;
  private final String bind;
  private final int parallel;
  private final int timeoutMs;
  private final int periodMs;

  private LoadClient(String[] args) {
    if (args.length < 4) {
      throw new IllegalArgumentException("usage: LoadClient count|hold|busy HOST PORT N "
          + "[--bind ADDR] [--parallel P] [--timeout-ms T] [--period-ms M]");
    }
    host = args[1];
    port = Integer.parseInt(args[2]);
    n = Integer.parseInt(args[3]);
    String b = null;
    int p = 8;
    int t = 2000;
    int m = 100;
    for (int i = 4; i < args.length; i++) {
      String value = i + 1 < args.length ? args[i + 1] : null;
      switch (args[i]) {
        case "--bind" -> b = value;
        case "--parallel" -> p = Integer.parseInt(value);
        case "--timeout-ms" -> t = Integer.parseInt(value);
        case "--period-ms" -> m = Integer.parseInt(value);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
      i++;
    }
    bind = b;
    parallel = Math.max(1, p);
    timeoutMs = t;
    periodMs = m;
  }

  public static void main(String[] args) throws Exception {
    LoadClient client;
    try {
      client = new LoadClient(args);
    } catch (RuntimeException e) {
      System.err.println("LoadClient: " + e.getMessage());
      System.exit(2);
      return;
    }
    switch (args[0]) {
      case "count" -> System.out.println(client.count().toJson());
      case "hold" -> client.hold();
      case "busy" -> client.busy();
      default -> {
        System.err.println("LoadClient: unknown mode " + args[0]);
        System.exit(2);
      }
    }
    System.out.flush();
  }

  private LoadReport count() throws InterruptedException {
    List<Conn> done = open(true);
    Map<String, Integer> bySource = new HashMap<>();
    done.forEach(c -> bySource.merge(c.source, 1, Integer::sum));
    return new LoadReport(n, n - done.size(), bySource, null);
  }

  private void hold() throws IOException, InterruptedException {
    List<Conn> conns = open(false);
    Map<String, Integer> bySource = new HashMap<>();
    conns.forEach(c -> bySource.merge(c.source, 1, Integer::sum));
    System.out.println(new LoadReport(n, n - conns.size(), bySource, null).toJson());
    System.out.flush();
    BufferedReader stdin = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    String line;
    while ((line = stdin.readLine()) != null) {
      String[] cmd = line.trim().split("\\s+");
      if (cmd[0].equals("quit")) {
        break;
      } else if (cmd[0].equals("check")) {
        int t = cmd.length > 1 ? Integer.parseInt(cmd[1]) : timeoutMs;
        System.out.println(check(conns, t).toJson());
      } else if (!cmd[0].isEmpty()) {
        System.out.println("{\"error\":\"unknown command\"}");
      }
      System.out.flush();
    }
    conns.forEach(Conn::close);
  }

  /** Request and response on every connection every periodMs, each on its own thread. */
  private void busy() throws IOException, InterruptedException {
    List<Conn> conns = open(false);
    Map<String, Integer> bySource = new HashMap<>();
    conns.forEach(c -> bySource.merge(c.source, 1, Integer::sum));
    for (Conn c : conns) {
      Thread t = new Thread(() -> {
        while (c.alive) {
          long start = System.nanoTime();
          boolean ok = c.send("ping\n");
          if (ok) {
            c.expect("ping", 60_000);
          }
          if (!c.alive) {
            return;
          }
          long left = periodMs - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
          try {
            Thread.sleep(Math.max(0, left));
          } catch (InterruptedException e) {
            return;
          }
        }
      }, "busy");
      t.setDaemon(true);
      t.start();
    }
    System.out.println(new LoadReport(n, n - conns.size(), bySource, null).toJson());
    System.out.flush();
    BufferedReader stdin = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
    String line;
    while ((line = stdin.readLine()) != null) {
      String cmd = line.trim();
      if (cmd.equals("quit")) {
        break;
      } else if (cmd.equals("status")) {
        Map<String, Integer> alive = new HashMap<>();
        Map<String, Integer> dead = new HashMap<>();
        for (Conn c : conns) {
          (c.alive ? alive : dead).merge(c.source, 1, Integer::sum);
        }
        int aliveCount = alive.values().stream().mapToInt(Integer::intValue).sum();
        System.out.println(new LoadReport(n, n - aliveCount, alive, dead).toJson());
      } else if (cmd.equals("deaths")) {
        // From the connections themselves: a death is stamped before it is visible as one, so
        // "deaths" never misses a connection that "status" already counted as dead.
        Map<String, List<Long>> deaths = new HashMap<>();
        for (Conn c : conns) {
          if (!c.alive) {
            deaths.computeIfAbsent(c.source, k -> new ArrayList<>()).add(c.diedAtMillis);
          }
        }
        System.out.println(json.writeValueAsString(deaths));
      } else if (!cmd.isEmpty()) {
        System.out.println("{\"error\":\"unknown command\"}");
      }
      System.out.flush();
    }
    conns.forEach(Conn::close);
  }

  /** Opens N connections with P workers; keeps the ones that worked unless {@code closeEach}. */
  private List<Conn> open(boolean closeEach) throws InterruptedException {
    List<Conn> ok = Collections.synchronizedList(new ArrayList<>());
    AtomicInteger next = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(Math.min(parallel, Math.max(1, n)));
    for (int w = 0; w < parallel; w++) {
      pool.execute(() -> {
        while (next.getAndIncrement() < n) {
          Conn c = connect();
          if (c != null) {
            ok.add(c);
            if (closeEach) {
              c.close();
            }
          }
        }
      });
    }
    pool.shutdown();
    pool.awaitTermination(1, TimeUnit.DAYS);
    return ok;
  }

  private Conn connect() {
    Socket s = new Socket();
    try {
      if (bind != null) {
        s.bind(new InetSocketAddress(bind, 0));
      }
      s.connect(new InetSocketAddress(host, port), timeoutMs);
      s.setSoTimeout(timeoutMs);
      String source = readLine(s.getInputStream());
      if (source != null && !source.isEmpty()) {
        return new Conn(s, source);
      }
    } catch (IOException e) {
      // a failed connection is counted, not thrown
    }
    closeQuietly(s);
    return null;
  }

  /**
   * Sends a line on every live connection, then waits for the echoes until one shared deadline,
   * so a check of thousands of dead connections still takes about one timeout.
   */
  private LoadReport check(List<Conn> conns, int checkTimeoutMs) {
    List<Conn> sent = new ArrayList<>();
    for (Conn c : conns) {
      if (c.alive && c.send("ping\n")) {
        sent.add(c);
      }
    }
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(checkTimeoutMs);
    for (Conn c : sent) {
      long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
      c.expect("ping", (int) Math.max(0, left));
    }
    Map<String, Integer> alive = new HashMap<>();
    Map<String, Integer> dead = new HashMap<>();
    for (Conn c : conns) {
      (c.alive ? alive : dead).merge(c.source, 1, Integer::sum);
    }
    int aliveCount = alive.values().stream().mapToInt(Integer::intValue).sum();
    return new LoadReport(n, n - aliveCount, alive, dead);
  }

  /** Reads one line byte by byte: the lines are short, and no buffer may eat the next one. */
  static String readLine(InputStream in) throws IOException {
    StringBuilder sb = new StringBuilder();
    int b;
    while ((b = in.read()) >= 0) {
      if (b == '\n') {
        return sb.toString();
      }
      sb.append((char) b);
    }
    return null;
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException e) {
      // nothing to do
    }
  }

  /** One connection and the source address the server saw for it. */
  private static final class Conn {
    final Socket socket;
    final String source;
    volatile boolean alive = true;
    /** Epoch milliseconds of the death; written before {@code alive} turns false. */
    volatile long diedAtMillis;

    Conn(Socket socket, String source) {
      this.socket = socket;
      this.source = source;
    }

    boolean send(String s) {
      try {
        OutputStream out = socket.getOutputStream();
        out.write(s.getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return true;
      } catch (IOException e) {
        close();
        return false;
      }
    }

    /** Past the deadline ({@code timeoutMs} 0) only an echo that already arrived counts. */
    void expect(String line, int timeoutMs) {
      try {
        if (timeoutMs <= 0 && socket.getInputStream().available() == 0) {
          close();
          return;
        }
        socket.setSoTimeout(Math.max(1, timeoutMs));
        if (line.equals(readLine(socket.getInputStream()))) {
          return;
        }
      } catch (IOException e) {
        // timed out or reset: dead
      }
      close();
    }

    synchronized void close() {
      if (alive) {
        diedAtMillis = System.currentTimeMillis();
      }
      alive = false;
      closeQuietly(socket);
    }
  }
}
