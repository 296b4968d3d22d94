package netbalancer.harness;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import netbalancer.lab.LoadReport;

/**
 * {@code BatchClient HOST PORT}, run in the lab's LAN host: for each line {@code N} on standard
 * input, makes N short connections to a lab server (8 at a time, 1 s timeout) and prints one
 * {@link LoadReport} line with the source each was seen from. One process for the whole demo:
 * a JVM per batch would cost more than the batches themselves. Exits at the end of its input.
 */
public final class BatchClient {
  private static final int PARALLEL = 8;
  private static final int TIMEOUT_MS = 1000;

  private BatchClient() {
  }

  public static void main(String[] args) throws IOException, InterruptedException {
    String host = args[0];
    int port = Integer.parseInt(args[1]);
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    String line;
    while ((line = in.readLine()) != null) {
      if (!line.isBlank()) {
        System.out.println(batch(host, port, Integer.parseInt(line.trim())).toJson());
        System.out.flush();
      }
    }
  }

  static LoadReport batch(String host, int port, int n) throws InterruptedException {
    Map<String, Integer> bySource = new ConcurrentHashMap<>();
    AtomicInteger failed = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(PARALLEL);
    for (int i = 0; i < n; i++) {
      pool.execute(() -> {
        String source = connect(host, port);
        if (source == null) {
          failed.incrementAndGet();
        } else {
          bySource.merge(source, 1, Integer::sum);
        }
      });
    }
    pool.shutdown();
    pool.awaitTermination(1, TimeUnit.MINUTES);
    return new LoadReport(n, failed.get(), bySource, null);
  }

  /** The source address the server saw, or null if the connection failed. */
  private static String connect(String host, int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(host, port), TIMEOUT_MS);
      s.setSoTimeout(TIMEOUT_MS);
      InputStream in = s.getInputStream();
      StringBuilder sb = new StringBuilder();
      int b;
      while ((b = in.read()) >= 0 && b != '\n') {
        sb.append((char) b);
      }
      return b == '\n' && sb.length() > 0 ? sb.toString() : null;
    } catch (IOException e) {
      return null;
    }
  }
}
