package netbalancer.lab;

import java.io.IOException;
import java.io.InputStream;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code WhoAmIServer [--watch-stdin] PORT...}: on every TCP connection, writes one line with the
 * peer address it sees (for a lab server: the public address of the ISP the connection came
 * through), then echoes whatever it receives until the peer closes, so a long-lived connection
 * can be checked alive. Prints {@code ready PORT...} once listening.
 *
 * <p>One selector thread serves every connection: thousands of held connections cost a few
 * buffers, not thousands of threads. With {@code --watch-stdin} it exits when its standard input
 * closes, so it dies with the test JVM that started it even if that JVM is killed.
 */
public final class WhoAmIServer {

  private static final int MAX_PENDING = 64 * 1024;

  private WhoAmIServer() {}

  public static void main(String[] args) throws IOException {
    List<Integer> ports = new ArrayList<>();
    boolean watchStdin = false;
    for (String a : args) {
      if (a.equals("--watch-stdin")) {
        watchStdin = true;
      } else {
        ports.add(Integer.parseInt(a));
      }
    }
    if (ports.isEmpty()) {
      System.err.println("usage: WhoAmIServer [--watch-stdin] PORT...");
      System.exit(2);
    }
    Selector selector = Selector.open();
    for (int port : ports) {
      ServerSocketChannel ch = ServerSocketChannel.open();
      ch.setOption(java.net.StandardSocketOptions.SO_REUSEADDR, true);
      ch.bind(new InetSocketAddress(port), 4096);
      ch.configureBlocking(false);
      ch.register(selector, SelectionKey.OP_ACCEPT);
    }
    if (watchStdin) {
      Thread t = new Thread(WhoAmIServer::exitOnStdinEof, "stdin-watch");
      t.setDaemon(true);
      t.start();
    }
    System.out.println("ready " + ports);
    System.out.flush();
    serve(selector);
  }

  private static void exitOnStdinEof() {
    try (InputStream in = System.in) {
      while (in.read() >= 0) {
        // input is ignored; only its end matters
      }
    } catch (IOException e) {
      // a broken pipe means the same as end of input
    }
    System.exit(0);
  }

  private static void serve(Selector selector) throws IOException {
    ByteBuffer readBuf = ByteBuffer.allocate(8192);
    while (true) {
      selector.select();
      var it = selector.selectedKeys().iterator();
      while (it.hasNext()) {
        SelectionKey key = it.next();
        it.remove();
        try {
          if (key.isAcceptable()) {
            accept(selector, (ServerSocketChannel) key.channel());
          } else {
            if (key.isReadable()) {
              read(key, readBuf);
            }
            if (key.isValid() && key.isWritable()) {
              flush(key);
            }
          }
        } catch (IOException e) {
          close(key);
        }
      }
    }
  }

  private static void accept(Selector selector, ServerSocketChannel server) throws IOException {
    SocketChannel c;
    while ((c = server.accept()) != null) {
      c.configureBlocking(false);
      String who = text(((InetSocketAddress) c.getRemoteAddress()).getAddress()) + "\n";
      SelectionKey key = c.register(selector, SelectionKey.OP_READ);
      key.attach(ByteBuffer.wrap(who.getBytes(StandardCharsets.US_ASCII)));
      try {
        flush(key);
      } catch (IOException e) {
        close(key);
      }
    }
  }

  /**
   * IPv4 as Java prints it; IPv6 in its canonical short form (RFC 5952: lower case, the longest
   * run of two or more zero groups as "::"), as ip and nft print it, so tests compare strings.
   */
  static String text(InetAddress address) {
    if (!(address instanceof Inet6Address)) {
      return address.getHostAddress();
    }
    byte[] b = address.getAddress();
    int[] groups = new int[8];
    for (int g = 0; g < 8; g++) {
      groups[g] = ((b[2 * g] & 0xff) << 8) | (b[2 * g + 1] & 0xff);
    }
    int bestStart = -1;
    int bestLen = 1;
    for (int g = 0; g < 8; ) {
      int len = 0;
      while (g + len < 8 && groups[g + len] == 0) {
        len++;
      }
      if (len > bestLen) {
        bestStart = g;
        bestLen = len;
      }
      g += Math.max(len, 1);
    }
    StringBuilder out = new StringBuilder();
    for (int g = 0; g < 8; g++) {
      if (g == bestStart) {
        out.append("::");
        g += bestLen - 1;
        continue;
      }
      if (out.length() > 0 && out.charAt(out.length() - 1) != ':') {
        out.append(':');
      }
      out.append(Integer.toHexString(groups[g]));
    }
    return out.toString();
  }

  private static void read(SelectionKey key, ByteBuffer buf) throws IOException {
    buf.clear();
    int n = ((SocketChannel) key.channel()).read(buf);
    if (n < 0) {
      close(key);
      return;
    }
    buf.flip();
    ByteBuffer pending = (ByteBuffer) key.attachment();
    ByteBuffer out = ByteBuffer.allocate(pending.remaining() + buf.remaining());
    out.put(pending).put(buf).flip();
    key.attach(out);
    flush(key);
  }

  /** Writes what is pending; stops reading from a peer that does not read its echoes. */
  private static void flush(SelectionKey key) throws IOException {
    ByteBuffer out = (ByteBuffer) key.attachment();
    ((SocketChannel) key.channel()).write(out);
    int ops = out.remaining() < MAX_PENDING ? SelectionKey.OP_READ : 0;
    if (out.hasRemaining()) {
      ops |= SelectionKey.OP_WRITE;
    }
    key.interestOps(ops);
  }

  private static void close(SelectionKey key) {
    key.cancel();
    try {
      key.channel().close();
    } catch (IOException e) {
      // already gone
    }
  }
}
