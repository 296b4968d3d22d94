package netbalancer.daemon;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import netbalancer.log.Log;

/**
 * The daemon's control socket: one request line in, one answer out. The socket is created mode
 * 0600 in a 0700 directory, so only root can ask for status or drain an uplink.
 *
 * <p>Serves everyone: one thread waits on all connections at once (a selector), so a client that
 * connects and sends nothing, or half a line, holds up nobody else. Each has {@link #READ_TIMEOUT}
 * to send its line of at most {@link #MAX_REQUEST} bytes; beyond {@link #MAX_CLIENTS} waiting
 * connections the oldest is closed. Complete requests are answered by a few worker threads.
 */
final class ControlServer implements AutoCloseable {
  static final int MAX_REQUEST = 1024;
  static final Duration READ_TIMEOUT = Duration.ofSeconds(2);
  static final int MAX_CLIENTS = 1024;
  private static final Duration WRITE_TIMEOUT = Duration.ofSeconds(5);
  private static final int WORKERS = 4;

  private final Path path;
  private final Function<String, String> handler;
  private final Deque<SelectionKey> waiting = new ArrayDeque<>(); // oldest first
  private ServerSocketChannel server;
  private Selector selector;
  private ThreadPoolExecutor workers;
  private Thread thread;

  /** A connection whose request line is not complete yet. */
  private static final class Pending {
    final ByteBuffer buf = ByteBuffer.allocate(MAX_REQUEST);
    final long deadline = System.nanoTime() + READ_TIMEOUT.toNanos();
  }

  ControlServer(Path path, Function<String, String> handler) {
    this.path = path;
    this.handler = handler;
  }

  void start() throws IOException {
    Path dir = path.toAbsolutePath().getParent();
    if (!Files.isDirectory(dir)) {
      Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    }
    Files.deleteIfExists(path); // left by a daemon that was killed (the instance lock says none runs)
    server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    server.bind(UnixDomainSocketAddress.of(path), 128);
    Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
    server.configureBlocking(false);
    selector = Selector.open();
    server.register(selector, SelectionKey.OP_ACCEPT);
    AtomicInteger n = new AtomicInteger();
    workers = new ThreadPoolExecutor(WORKERS, WORKERS, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(64), r -> {
      Thread t = new Thread(r, "control-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    thread = new Thread(this::serve, "control-socket");
    thread.setDaemon(true);
    thread.start();
  }

  private void serve() {
    while (server.isOpen()) {
      try {
        // A timer only while a client has yet to finish its request (expire): an idle daemon's
        // thread then sleeps until someone connects (4 wake-ups a second were 0.1 % of a core).
        selector.select(waiting.isEmpty() ? 0 : 250);
        for (Iterator<SelectionKey> it = selector.selectedKeys().iterator(); it.hasNext(); ) {
          SelectionKey key = it.next();
          it.remove();
          if (!key.isValid()) {
            continue;
          }
          if (key.isAcceptable()) {
            accept();
          } else if (key.isReadable()) {
            read(key);
          }
        }
        expire();
      } catch (IOException | RuntimeException e) {
        if (server.isOpen()) {
          Log.warn("control socket: %s", e.toString());
        }
      }
    }
  }

  private void accept() throws IOException {
    SocketChannel client;
    while ((client = server.accept()) != null) {
      if (waiting.size() >= MAX_CLIENTS) {
        close(waiting.pollFirst()); // the oldest has had the longest to say something
      }
      client.configureBlocking(false);
      waiting.addLast(client.register(selector, SelectionKey.OP_READ, new Pending()));
    }
  }

  private void read(SelectionKey key) {
    SocketChannel client = (SocketChannel) key.channel();
    Pending p = (Pending) key.attachment();
    int n;
    try {
      n = client.read(p.buf);
    } catch (IOException e) {
      waiting.remove(key);
      close(key);
      return;
    }
    boolean newline = p.buf.position() > 0 && p.buf.get(p.buf.position() - 1) == '\n';
    if (n < 0 || newline) {
      waiting.remove(key);
      key.cancel(); // from here on the worker owns the channel
      String request = new String(p.buf.array(), 0, p.buf.position(), StandardCharsets.UTF_8);
      try {
        workers.execute(() -> answer(client, request));
      } catch (RejectedExecutionException e) {
        reply(client, "error: busy, try again\n");
      }
    } else if (!p.buf.hasRemaining()) {
      // Not a request of ours; an answer would be lost anyway (closing with unread input resets).
      waiting.remove(key);
      close(key);
    }
  }

  /** Closes connections that did not send their line in time. */
  private void expire() {
    long now = System.nanoTime();
    while (!waiting.isEmpty() && now - ((Pending) waiting.peekFirst().attachment()).deadline > 0) {
      close(waiting.pollFirst());
    }
  }

  private void answer(SocketChannel client, String request) {
    String answer;
    try {
      answer = handler.apply(request.strip());
    } catch (RuntimeException e) {
      answer = "error: " + e.getMessage() + "\n";
    }
    reply(client, answer);
  }

  /** Writes without blocking forever: a client that does not read gets WRITE_TIMEOUT. */
  private static void reply(SocketChannel client, String text) {
    try (client) {
      ByteBuffer out = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
      long deadline = System.nanoTime() + WRITE_TIMEOUT.toNanos();
      while (out.hasRemaining() && System.nanoTime() < deadline) {
        if (client.write(out) == 0) {
          Thread.sleep(5);
        }
      }
    } catch (IOException e) {
      // the client left
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void close(SelectionKey key) {
    if (key == null) {
      return;
    }
    key.cancel();
    try {
      key.channel().close();
    } catch (IOException e) {
      // gone already
    }
  }

  /**
   * Sends one request to a running daemon and waits at most {@code timeout} for the whole answer.
   *
   * @return the answer; null when no daemon listens at {@code path}
   * @throws DaemonClient.UnreachableException when one may listen but cannot be asked (permission
   *     denied) or does not answer in time
   */
  static String request(Path path, String line, Duration timeout) {
    try {
      Files.readAttributes(path, java.nio.file.attribute.BasicFileAttributes.class);
    } catch (java.nio.file.NoSuchFileException e) {
      return null;
    } catch (java.nio.file.AccessDeniedException e) {
      throw new DaemonClient.UnreachableException(path, "permission denied", true);
    } catch (IOException e) {
      return null;
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      try {
        return ask(path, line, deadline);
      } catch (BacklogFull e) {
        if (System.nanoTime() - deadline >= 0) {
          throw new DaemonClient.UnreachableException(path, "no answer (its queue of new clients is full)", false);
        }
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
      }
    }
  }

  /** A non-blocking connect to a UNIX socket whose accept queue is full fails at once (EAGAIN). */
  private static final class BacklogFull extends Exception {
    BacklogFull() {
      super(null, null, false, false);
    }
  }

  private static String ask(Path path, String line, long deadline) throws BacklogFull {
    try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX); Selector sel = Selector.open()) {
      ch.configureBlocking(false);
      boolean connected;
      try {
        connected = ch.connect(UnixDomainSocketAddress.of(path));
      } catch (IOException e) {
        if (String.valueOf(e.getMessage()).contains("Resource temporarily unavailable")) {
          throw new BacklogFull(); // a daemon that is busy, not one that is gone
        }
        throw e;
      }
      if (!connected) {
        ch.register(sel, SelectionKey.OP_CONNECT);
        await(sel, deadline, path);
        ch.finishConnect();
        sel.selectedKeys().clear();
      }
      ByteBuffer out = ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8));
      SelectionKey key = ch.register(sel, SelectionKey.OP_WRITE);
      while (out.hasRemaining()) {
        if (ch.write(out) == 0) {
          await(sel, deadline, path);
          sel.selectedKeys().clear();
        }
      }
      ch.shutdownOutput();
      key.interestOps(SelectionKey.OP_READ);
      ByteArrayOutputStream answer = new ByteArrayOutputStream();
      ByteBuffer buf = ByteBuffer.allocate(8192);
      while (true) {
        int n = ch.read(buf);
        if (n < 0) {
          return answer.toString(StandardCharsets.UTF_8);
        }
        if (n == 0) {
          await(sel, deadline, path);
          sel.selectedKeys().clear();
        }
        answer.write(buf.array(), 0, buf.position());
        buf.clear();
      }
    } catch (DaemonClient.UnreachableException e) {
      throw e;
    } catch (IOException e) {
      String m = String.valueOf(e.getMessage());
      if (m.contains("Permission denied")) {
        throw new DaemonClient.UnreachableException(path, "permission denied", true);
      }
      return null; // refused: a socket file left by a daemon that is gone
    }
  }

  private static void await(Selector sel, long deadline, Path path) throws IOException {
    long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
    if (left <= 0 || sel.select(left) == 0 && System.nanoTime() - deadline >= 0) {
      throw new DaemonClient.UnreachableException(path, "no answer", false);
    }
  }

  @Override
  public void close() {
    try {
      if (server != null) {
        server.close();
      }
      if (selector != null) {
        selector.wakeup();
      }
      if (workers != null) {
        workers.shutdownNow();
      }
      Files.deleteIfExists(path);
    } catch (IOException e) {
      Log.warn("control socket close: %s", e.getMessage());
    }
  }
}
