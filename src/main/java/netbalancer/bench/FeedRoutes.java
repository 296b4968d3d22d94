package netbalancer.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.IntFunction;
import netbalancer.lab.Lab;

/**
 * A routing feed's routes in a lab router's main table: /28s of 240.0.0.0/4 (reserved, never
 * routed: routes only, no packet is sent to them) with BIRD's protocol number, loaded with one
 * {@code ip -batch}; for a dual-stack feed, /64s of 2001:db8:a000::/35 too. Shared by the bench's
 * route scale and the tools in bench/tools.
 */
public final class FeedRoutes {
  /** BIRD's protocol number (rt_protos: {@code bird}). */
  public static final String PROTO = "12";

  private FeedRoutes() {
  }

  /** One ip -batch of N routes via wan1's gateway; the seconds it took. */
  public static double load(Lab lab, int n) throws IOException {
    // a million routes take ~30 s on a quiet machine
    return loadBatch(lab, n, "routes", FeedRoutes::prefix, lab.gatewayAddress(1));
  }

  /**
   * An IPv6 feed beside it: N /64s of 2001:db8:a000::/35 (documentation space no lab address is
   * in; routes only) via wan1's IPv6 gateway, one {@code ip -batch}; the seconds it took.
   */
  public static double load6(Lab lab, int n) throws IOException {
    if (n > 1 << 29) {
      throw new IllegalArgumentException(n + " IPv6 routes: 2001:db8:a000::/35 holds 2^29 /64s");
    }
    // the family follows the prefix: one batch without -6
    return loadBatch(lab, n, "IPv6 routes", FeedRoutes::prefix6, lab.gatewayAddress6(1));
  }

  private static double loadBatch(Lab lab, int n, String what, IntFunction<String> prefix, String gateway)
      throws IOException {
    if (n == 0) {
      return 0;
    }
    Path batch = Files.createTempFile("nb-routes", ".batch");
    try {
      try (var w = Files.newBufferedWriter(batch)) {
        String via = " via " + gateway + " dev " + lab.uplinkName(1) + " proto " + PROTO + "\n";
        for (int i = 0; i < n; i++) {
          w.write("route add " + prefix.apply(i) + via);
        }
      }
      long t0 = System.nanoTime();
      var r = lab.exec(lab.routerNs(), List.of("ip", "-batch", batch.toString()), null, Duration.ofMinutes(5));
      if (!r.ok()) {
        throw new IllegalStateException("loading " + n + " " + what + " failed: " + r.stderr());
      }
      return Stats.round((System.nanoTime() - t0) / 1e9);
    } finally {
      Files.deleteIfExists(batch);
    }
  }

  /** The i-th /64 of 2001:db8:a000::/35. */
  public static String prefix6(int i) {
    return "2001:db8:" + Integer.toHexString(0xa000 + (i >>> 16)) + ":" + Integer.toHexString(i & 0xffff) + "::/64";
  }

  /** The i-th /28 of 240.0.0.0/4. */
  public static String prefix(int i) {
    long a = 0xF0000000L + 16L * i;
    return ((a >>> 24) & 255) + "." + ((a >>> 16) & 255) + "." + ((a >>> 8) & 255) + "." + (a & 255) + "/28";
  }
}
