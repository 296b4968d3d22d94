package netbalancer.daemon;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.function.Function;
import netbalancer.log.Log;

/**
 * The daemon's control socket: one request line in, one answer out. The socket is created mode
 * 0600 in a 0700 directory, so only root can ask for status or drain an uplink.
 */
final class ControlServer implements AutoCloseable {
  private final Path path;
  private final Function<String, String> handler;
  private ServerSocketChannel server;
  private Thread thread;

  ControlServer(Path path, Function<String, String> handler) {
    this.path = path;
    this.handler = handler;
  }

  void start() throws IOException {
    Path dir = path.toAbsolutePath().getParent();
    if (!Files.isDirectory(dir)) {
      Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    }
    Files.deleteIfExists(path); // left by a daemon that was killed
    server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    server.bind(UnixDomainSocketAddress.of(path));
    Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
    thread = new Thread(this::serve, "control-socket");
    thread.setDaemon(true);
    thread.start();
  }

  private void serve() {
    while (server.isOpen()) {
      try (SocketChannel client = server.accept()) {
        String request = readLine(client);
        String answer;
        try {
          answer = handler.apply(request.strip());
        } catch (RuntimeException e) {
          answer = "error: " + e.getMessage() + "\n";
        }
        ByteBuffer out = ByteBuffer.wrap(answer.getBytes(StandardCharsets.UTF_8));
        while (out.hasRemaining()) {
          client.write(out);
        }
      } catch (IOException e) {
        if (server.isOpen()) {
          Log.warn("control socket: %s", e.getMessage());
        }
      }
    }
  }

  private static String readLine(SocketChannel client) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(1024);
    while (buf.hasRemaining() && client.read(buf) > 0) {
      if (buf.get(buf.position() - 1) == '\n') {
        break;
      }
    }
    return new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8);
  }

  /** Sends one request to a running daemon; null when none listens at {@code path}. */
  static String request(Path path, String line) {
    if (!Files.exists(path)) {
      return null;
    }
    try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
      ch.write(ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8)));
      ch.shutdownOutput();
      return new String(readAll(ch), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return null;
    }
  }

  private static byte[] readAll(SocketChannel ch) throws IOException {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    ByteBuffer buf = ByteBuffer.allocate(8192);
    while (ch.read(buf) > 0) {
      out.write(buf.array(), 0, buf.position());
      buf.clear();
    }
    return out.toByteArray();
  }

  @Override
  public void close() {
    try {
      if (server != null) {
        server.close();
      }
      Files.deleteIfExists(path);
    } catch (IOException e) {
      Log.warn("control socket close: %s", e.getMessage());
    }
  }
}
