package netbalancer.metrics;

import static netbalancer.metrics.Inputs.input;
import static netbalancer.metrics.Inputs.uplink;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import netbalancer.config.Config;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetricsHttpTest {
  @TempDir
  Path tmp;

  /** METRICS_PORT must be 1..65535, so the test finds a free one (a short race, on loopback only). */
  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private Config config(int port) {
    // METRICS_BIND left at its default on purpose
    return Config.of(Map.of("METRICS_ENABLED", "true", "METRICS_PORT", String.valueOf(port),
        "METRICS_FILE", tmp.resolve("m.prom").toString()));
  }

  private static HttpResponse<String> get(int port, String path) throws Exception {
    HttpClient client = HttpClient.newHttpClient();
    return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void slowHeaderClientsNeitherStopScrapesNorStayConnected() throws Exception {
    int port = freePort();
    List<Socket> slow = new ArrayList<>();
    try (Metrics m = new Metrics(config(port))) {
      m.start();
      m.update(input(0, uplink("wan0", "up", true, 1000, 1000)));
      for (int i = 0; i < 40; i++) { // more than the server's threads
        Socket s = new Socket("127.0.0.1", port);
        s.getOutputStream().write("GET /metrics HTTP/1.1\r\nX-Slow: ".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
        slow.add(s);
      }
      long t0 = System.nanoTime();
      HttpClient client = HttpClient.newBuilder().connectTimeout(java.time.Duration.ofSeconds(10)).build();
      HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
          .timeout(java.time.Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
      long ms = (System.nanoTime() - t0) / 1_000_000;
      assertEquals(200, r.statusCode());
      assertTrue(ms < 8000, "a scrape behind 40 slow-header connections took " + ms + " ms");
      Socket first = slow.get(0);
      first.setSoTimeout(8000);
      int read;
      try {
        read = first.getInputStream().read();
      } catch (java.net.SocketException e) {
        read = -1; // reset: closed all the same
      }
      assertEquals(-1, read, "the server closed a request that never ended");
    } finally {
      for (Socket s : slow) {
        s.close();
      }
    }
  }

  @Test
  void theDefaultBindIsLoopback() {
    assertEquals("127.0.0.1", Config.defaults().metricsBind());
    assertEquals(9090, Config.defaults().metricsPort());
  }

  @Test
  void aFailoverShowsInTheScrapedMetrics() throws Exception {
    int port = freePort();
    try (Metrics m = new Metrics(config(port))) {
      m.start();
      assertEquals(port, m.port());
      m.update(input(0, uplink("wan0", "up", true, 1000, 1000), uplink("wan1", "up", true, 1000, 1000)));
      HttpResponse<String> before = get(port, "/metrics");
      assertEquals(200, before.statusCode());
      assertTrue(before.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"));
      Map<String, Double> s = Samples.parse(before.body());
      assertEquals(2.0, s.get("load_balancer_active_interfaces"));
      PromTool.check(before.body());

      m.update(input(1, uplink("wan0", "down", false, 1200, 1100), uplink("wan1", "up", true, 5000, 9000)));
      HttpResponse<String> after = get(port, "/metrics");
      s = Samples.parse(after.body());
      assertEquals(1.0, s.get("load_balancer_uplink_state{interface=\"wan0\",state=\"down\"}"));
      assertEquals(0.0, s.get("load_balancer_uplink_state{interface=\"wan0\",state=\"up\"}"));
      assertEquals(0.0, s.get("load_balancer_uplink_balanced{interface=\"wan0\"}"));
      assertEquals(1.0, s.get("load_balancer_active_interfaces"));
      assertEquals(1.0, s.get("load_balancer_failovers_total"));
      PromTool.check(after.body());
      assertEquals(after.body(), Files.readString(tmp.resolve("m.prom")), "the file holds the same text");
    }
  }

  @Test
  void theEndpointListensOnLoopbackOnly() throws Exception {
    int port = freePort();
    try (Metrics m = new Metrics(config(port))) {
      m.start();
      List<String> listeners = listeners(port);
      // a dual-stack JDK socket shows as tcp6 ::ffff:127.0.0.1, which is IPv4 loopback all the same
      assertEquals(List.of("127.0.0.1"), listeners, "listening sockets on port " + port);
      Optional<InetAddress> other = nonLoopbackIpv4();
      if (other.isPresent()) { // the address another namespace or host would reach us at
        try (Socket s = new Socket()) {
          assertThrows(ConnectException.class, () -> s.connect(new InetSocketAddress(other.get(), port), 2000));
        }
      }
    }
    assertEquals(List.of(), listeners(port), "closed");
  }

  @Test
  void anotherBindAddressIsHonoured() throws Exception {
    Path inet6 = Path.of("/proc/net/if_inet6");
    assumeTrue(Files.exists(inet6) && Files.readString(inet6).contains("00000000000000000000000000000001"),
        "no IPv6 loopback here");
    int port = freePort();
    try (Metrics m = new Metrics(config(port).with(Map.of("METRICS_BIND", "::1")))) {
      m.start();
      assertEquals(List.of("0:0:0:0:0:0:0:1"), listeners(port));
    }
  }

  /** The local addresses of the LISTEN sockets on {@code port}, from /proc/net/tcp and tcp6. */
  private static List<String> listeners(int port) throws IOException {
    List<String> out = new ArrayList<>();
    for (String proto : List.of("tcp", "tcp6")) {
      Path p = Path.of("/proc/net", proto);
      if (!Files.exists(p)) {
        continue;
      }
      List<String> lines = Files.readAllLines(p);
      for (String line : lines.subList(1, lines.size())) {
        String[] f = line.trim().split("\\s+");
        String[] local = f[1].split(":");
        if (f[3].equals("0A") && Integer.parseInt(local[1], 16) == port) {
          out.add(address(local[0]).getHostAddress());
        }
      }
    }
    return out;
  }

  /** /proc/net/tcp* print each 32-bit word of the address in host (little-endian) order. */
  private static InetAddress address(String hex) throws IOException {
    byte[] b = new byte[hex.length() / 2];
    for (int word = 0; word < b.length / 4; word++) {
      for (int i = 0; i < 4; i++) {
        int at = (word * 4 + 3 - i) * 2;
        b[word * 4 + i] = (byte) Integer.parseInt(hex.substring(at, at + 2), 16);
      }
    }
    return InetAddress.getByAddress(b); // a v4-mapped IPv6 address comes back as IPv4
  }

  private static Optional<InetAddress> nonLoopbackIpv4() throws IOException {
    for (NetworkInterface nif : NetworkInterface.networkInterfaces().toList()) {
      if (!nif.isUp() || nif.isLoopback()) {
        continue;
      }
      for (InetAddress a : nif.inetAddresses().toList()) {
        if (a instanceof Inet4Address && !a.isLoopbackAddress()) {
          return Optional.of(a);
        }
      }
    }
    return Optional.empty();
  }
}
