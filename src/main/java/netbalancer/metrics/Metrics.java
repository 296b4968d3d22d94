package netbalancer.metrics;

import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import netbalancer.config.Config;
import netbalancer.log.Log;

/**
 * net-balancer's Prometheus metrics. The daemon calls {@link #update} after every reconcile and
 * health change; with METRICS_ENABLED the series are served at
 * {@code http://METRICS_BIND:METRICS_PORT/metrics} (loopback unless configured otherwise) and
 * written to METRICS_FILE, atomically, for node_exporter's textfile collector. Uses its own
 * registry, so nothing registered elsewhere in the JVM leaks into the output.
 * Thread-safe: updates are serialized, scrapes read one immutable view.
 */
public final class Metrics implements AutoCloseable {
  private final boolean enabled;
  private final String bind;
  private final int port;
  private final Path file;
  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final PrometheusTextFormatWriter text = PrometheusTextFormatWriter.create();
  private final MonotonicCounters uplinkCounters = new MonotonicCounters();
  private final MonotonicCounters totals = new MonotonicCounters();
  private final MonotonicCounters policyCounters = new MonotonicCounters();
  private volatile MetricsInput view;
  private volatile HTTPServer server;
  private com.sun.net.httpserver.HttpHandler page;
  private boolean fileFailing;
  private boolean closed;

  static {
    // The JDK server under the exporter reads a request's line and headers on a pool thread with
    // no deadline, and the exporter's pool (10 threads) blocks the accepting thread when full:
    // 15 connections sending headers a byte at a time stopped every scrape. With these it closes
    // a connection whose request is not in after 5 s, or whose answer is not taken in 10 s
    // (checked each second). Read once, when the first server is made; an operator's -D wins.
    setIfAbsent("sun.net.httpserver.maxReqTime", "5");
    setIfAbsent("sun.net.httpserver.maxRspTime", "10");
  }

  private static void setIfAbsent(String property, String value) {
    if (System.getProperty(property) == null) {
      System.setProperty(property, value);
    }
  }

  /**
   * Up to 32 scrapes at once (a scrape takes milliseconds; more than a few at once are slow
   * clients, which the deadlines above end); the accepting thread waits only beyond that.
   */
  private static java.util.concurrent.ExecutorService executor() {
    java.util.concurrent.atomic.AtomicInteger n = new java.util.concurrent.atomic.AtomicInteger();
    return new java.util.concurrent.ThreadPoolExecutor(1, 32, 60, java.util.concurrent.TimeUnit.SECONDS,
        new java.util.concurrent.SynchronousQueue<>(), r -> {
          Thread t = new Thread(r, "metrics-http-" + n.incrementAndGet());
          t.setDaemon(true);
          return t;
        }, (r, pool) -> {
          try {
            pool.getQueue().put(r);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
  }

  public Metrics(Config config) {
    this.enabled = config.metricsEnabled();
    this.bind = config.metricsBind();
    this.port = config.metricsPort();
    this.file = config.metricsFile();
    registry.register(new MetricsCollector(() -> view));
  }

  /**
   * Starts the HTTP endpoint when METRICS_ENABLED; does nothing otherwise or when started already.
   *
   * @throws IOException when the address cannot be bound (port taken, address not local)
   */
  public synchronized void start() throws IOException {
    if (!enabled || server != null || closed) {
      return;
    }
    try {
      AtomicFile.removeLeftovers(file);
    } catch (IOException | RuntimeException e) {
      Log.warn("metrics: cannot clean up temp files next to %s: %s", file, e.getMessage());
    }
    // Always an explicit address: the exporter's default is every address.
    HTTPServer.Builder builder = HTTPServer.builder()
        .inetAddress(InetAddress.getByName(bind)) // an IP literal (validated): no DNS lookup
        .port(port)
        .executorService(executor())
        .registry(registry);
    if (page != null) {
      builder.defaultHandler(page); // "/" and every path but /metrics and /-/healthy
    }
    server = builder.buildAndStart();
    Log.info("metrics: serving http://%s:%d/metrics, writing %s", bind.contains(":") ? "[" + bind + "]" : bind,
        server.getPort(), file);
  }

  /**
   * What the endpoint serves besides /metrics (the daemon's status page), from the next
   * {@link #start} on; without one, the exporter's own landing page.
   */
  public synchronized void page(com.sun.net.httpserver.HttpHandler handler) {
    this.page = handler;
  }

  /** The port the HTTP endpoint listens on, or -1 when it is not running. */
  public int port() {
    HTTPServer s = server;
    return s == null ? -1 : s.getPort();
  }

  /** Publishes a new view and, with METRICS_ENABLED, rewrites METRICS_FILE. Never throws on I/O. */
  public synchronized void update(MetricsInput in) {
    if (closed) {
      return;
    }
    view = monotonic(in);
    if (enabled) {
      writeFile();
    }
  }

  /** The current series in the Prometheus text format 0.0.4. */
  public String scrapeText() {
    ByteArrayOutputStream out = new ByteArrayOutputStream(8192);
    try {
      text.write(out, registry.scrape());
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a byte array does not fail
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  /**
   * Stops the endpoint and removes METRICS_FILE: a stopped daemon's last numbers (two uplinks
   * balanced…) would otherwise be exported by node_exporter as if they were current.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    HTTPServer s = server;
    server = null;
    if (s != null) {
      s.close();
    }
    if (enabled) {
      try {
        AtomicFile.delete(file);
      } catch (IOException | RuntimeException e) {
        Log.warn("metrics: cannot remove %s: %s", file, e.getMessage());
      }
    }
  }

  /** The input with duplicates dropped and every counter made monotonic. */
  private MetricsInput monotonic(MetricsInput in) {
    Map<String, UplinkMetrics> byName = new LinkedHashMap<>();
    for (UplinkMetrics u : in.uplinks()) {
      byName.putIfAbsent(u.name(), u); // two series with one label set would make the output invalid
    }
    uplinkCounters.retainScopes(byName.keySet());
    List<UplinkMetrics> ups = new ArrayList<>();
    for (UplinkMetrics u : byName.values()) {
      String n = u.name();
      ups.add(new UplinkMetrics(n, u.state(), u.weight(), u.tier(), u.balanced(), u.rttSeconds(), u.lossRatio(),
          uplinkCounters.advance(n, "probes_success", u.probesSuccess()),
          uplinkCounters.advance(n, "probes_failure", u.probesFailure()),
          uplinkCounters.advance(n, "probes_timeout", u.probesTimeout()),
          uplinkCounters.advance(n, "transitions", u.transitions()),
          u.establishedConnections(),
          uplinkCounters.advance(n, "tx_bytes", u.txBytes()),
          uplinkCounters.advance(n, "rx_bytes", u.rxBytes()), u.ipv6(), u.ipv4()));
    }
    return new MetricsInput(ups, totals.advance("", "failovers", in.failoversTotal()), in.lastReconcileSeconds(),
        in.lastSuccessEpochSeconds(), totals.advance("", "reconciles", in.reconcilesTotal()),
        totals.advance("", "reconcile_failures", in.reconcileFailuresTotal()), in.failOpen(), monotonicPolicies(in));
  }

  /** Each policy's new connections made monotonic across ruleset replacements (which restart the nft counter). */
  private List<PolicyMetrics> monotonicPolicies(MetricsInput in) {
    Map<String, PolicyMetrics> byName = new LinkedHashMap<>();
    in.policies().forEach(p -> byName.putIfAbsent(p.name(), p));
    policyCounters.retainScopes(byName.keySet());
    return byName.values().stream().map(p -> new PolicyMetrics(p.name(), p.uplinks(), p.fallback(),
        policyCounters.advance(p.name(), "new_connections", p.newConnections()), p.uplinks6(), p.fallback6()))
        .toList();
  }

  /** Logs the first failure and the recovery only: this runs on every update. */
  private void writeFile() {
    try {
      AtomicFile.write(file, scrapeText().getBytes(StandardCharsets.UTF_8));
      if (fileFailing) {
        fileFailing = false;
        Log.info("metrics: writing %s works again", file);
      }
    } catch (IOException | RuntimeException e) {
      if (!fileFailing) {
        fileFailing = true;
        Log.warn("metrics: cannot write %s: %s", file,
            e instanceof netbalancer.system.FileTrust.UntrustedPathException ? e.getMessage() : e.toString());
      }
    }
  }
}
