package netbalancer.daemon;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import netbalancer.log.Log;

/**
 * One long-lived {@code nft -j -i} for the watcher's listings: a listing is then a line written and
 * a line read, about 0.5 ms of nft's CPU, where a new {@code nft} process costs about 25 ms
 * (measured here with the three-uplink ruleset). Under traffic the watcher lists twice a second,
 * so a process each time cost about 4 % of a core. nft flushes each answer, a JSON object on one
 * line; its standard error is merged into the output, so a failed listing (no such set) answers
 * with an {@code Error:} line and the lines that show where — then the session is ended and the
 * next call starts a new one, which is how it stays in step. Not thread-safe: the watcher's one
 * thread uses it.
 */
final class NftSession implements AutoCloseable {
  private final List<String> argv;
  private static final long ANSWER_NANOS = TimeUnit.SECONDS.toNanos(2);

  private Process process;

  NftSession() {
    this(List.of("nft", "-j", "-i"));
  }

  /** With another program in nft's place (tests). */
  NftSession(List<String> argv) {
    this.argv = List.copyOf(argv);
  }

  private BufferedReader out;
  private Writer in;

  /**
   * The JSON line of {@code list set FAMILY TABLE SET}; "" when nft answered that it cannot list
   * it (no such set); null when nft itself failed (the next call starts a new one).
   */
  String listSet(String family, String table, String set) {
    try {
      if (process == null || !process.isAlive()) {
        start();
      }
      in.write("list set " + family + " " + table + " " + set + "\n");
      in.flush();
      String answer = readLine();
      if (answer.startsWith("{")) {
        return answer;
      }
      close(); // an error, and more lines of it may follow: a new nft is in step again
      return "";
    } catch (IOException | RuntimeException e) {
      Log.debug("unreplied watcher: nft session: %s; starting a new one next time", e);
      close();
      return null;
    }
  }

  private void start() throws IOException {
    close();
    ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true);
    process = pb.start();
    Log.debug("unreplied watcher: %s started (pid %d)", String.join(" ", argv), process.pid());
    out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
  }

  /** One line of the answer, within {@link #ANSWER_NANOS}; nft writes each answer at once. */
  private String readLine() throws IOException {
    long deadline = System.nanoTime() + ANSWER_NANOS;
    while (!out.ready()) {
      if (!process.isAlive()) {
        throw new IOException("nft exited with " + process.exitValue());
      }
      if (System.nanoTime() > deadline) {
        throw new IOException("no answer from nft within 2 s");
      }
      try {
        Thread.sleep(1);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted");
      }
    }
    String line = out.readLine();
    if (line == null) {
      throw new IOException("nft closed its output");
    }
    return line;
  }

  @Override
  public void close() {
    if (process != null) {
      process.destroy();
      process = null;
    }
  }
}
