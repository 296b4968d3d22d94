package netbalancer.health;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Locale;

/**
 * A TCP connect from the uplink's address to the target. The handshake's round trip is the RTT.
 * "Connection refused" counts as success: the RST came from the target, so the path works.
 */
public final class TcpProber implements Prober {
  private final Ticker ticker;

  public TcpProber() {
    this(Ticker.system());
  }

  TcpProber(Ticker ticker) {
    this.ticker = ticker;
  }

  @Override
  public ProbeResult probe(String sourceAddress, String target, int port, Duration timeout) {
    int timeoutMillis = (int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis())); // 0 would wait forever
    long start = 0;
    boolean connecting = false; // a refusal before connect() (e.g. at bind) proves nothing
    try (Socket socket = new Socket()) {
      // Literals only (config validates them): no DNS lookup that could leave by another uplink.
      InetAddress source = InetAddress.getByName(sourceAddress);
      InetSocketAddress remote = new InetSocketAddress(InetAddress.getByName(target), port);
      // Bound to the uplink's address, the "from ADDR lookup TABLE" rule routes it out of that uplink.
      socket.bind(new InetSocketAddress(source, 0));
      // Close with RST, as HAProxy's checks do: no TIME_WAIT left behind per probe.
      socket.setSoLinger(true, 0);
      start = ticker.read();
      connecting = true;
      socket.connect(remote, timeoutMillis);
      return ProbeResult.success(elapsed(start), "connected");
    } catch (SocketTimeoutException e) {
      return ProbeResult.timeout("no answer within " + timeoutMillis + " ms");
    } catch (ConnectException e) {
      String msg = String.valueOf(e.getMessage());
      if (connecting && msg.toLowerCase(Locale.ROOT).contains("refused")) {
        return ProbeResult.success(elapsed(start), "connection refused (the target answered)");
      }
      return ProbeResult.failure(msg);
    } catch (IOException | IllegalArgumentException | SecurityException e) {
      return ProbeResult.failure(String.valueOf(e.getMessage()));
    }
  }

  private Duration elapsed(long start) {
    return Duration.ofNanos(Math.max(0, ticker.read() - start));
  }
}
