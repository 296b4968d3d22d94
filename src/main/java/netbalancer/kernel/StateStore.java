package netbalancer.kernel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Collection;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import netbalancer.log.Log;
import netbalancer.system.FileTrust;

/**
 * What net-balancer must remember about a network namespace across crashes, in one file per
 * namespace in STATE_DIR (/run is shared between namespaces): the value each sysctl had before
 * we first changed it, so cleanup restores it exactly, and the route protocols our routes and
 * rules were tagged with, so cleanup finds them even when the configuration is broken or
 * LB_RT_PROTO changed. Written (atomically) before the kernel is changed.
 *
 * <p>The file makes root write under /proc/sys, so it is trusted only as far as it deserves:
 * STATE_DIR must be writable by root alone (as must the directories above it); the file must be
 * a regular file owned by root, not a symlink, not writable by others; its keys must be sysctls
 * net-balancer sets and its values small numbers. Temp files are created with O_EXCL and
 * O_NOFOLLOW under a random name. A file from before the last boot, or one whose namespace
 * shows nothing of ours when this process did not write it (a namespace that was deleted, its
 * inode now reused by a new one), is stale: it is set aside, never applied.
 */
public final class StateStore {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final long MAX_SIZE = 1 << 20;
  private static final Pattern SYSCTL = Pattern.compile(
      "net/ipv4/(ip_forward|fib_multipath_hash_policy|fib_multipath_use_neigh|conf/[^/\\s]{1,15}/rp_filter)"
      + "|net/ipv6/(conf/all/forwarding|fib_multipath_hash_policy|conf/[^/\\s]{1,15}/accept_ra)");
  private static final Pattern VALUE = Pattern.compile("[0-9]{1,3}");
  private static final SecureRandom RANDOM = new SecureRandom();
  /** Files this process wrote: they belong to our namespace whatever the kernel shows. */
  private static final Set<Path> WRITTEN_HERE = ConcurrentHashMap.newKeySet();

  private final Path file;
  /**
   * The contents last read or written. STATE_DIR is writable by root alone and the instance lock
   * keeps other net-balancers out, so the file changes only through this object: reading it
   * again on every apply would only cost time.
   */
  private Contents cached;

  public StateStore(Path file) {
    this.file = file.toAbsolutePath();
  }

  public static StateStore forCurrentNamespace(Path stateDir) {
    return new StateStore(stateDir.resolve("sysctl-originals-" + netnsId() + ".json"));
  }

  /** The inode of our network namespace, unique among the namespaces that exist at once. */
  static String netnsId() {
    try {
      String link = Files.readSymbolicLink(Path.of("/proc/self/ns/net")).toString(); // net:[4026531840]
      return link.replaceAll("[^0-9]", "");
    } catch (IOException | UnsupportedOperationException e) {
      return "default";
    }
  }

  /** This boot's id: a file from an earlier boot describes a kernel state that is gone. */
  static String bootId() {
    return BOOT_ID;
  }

  private static final String BOOT_ID = readBootId();

  private static String readBootId() {
    try {
      return Files.readString(Path.of("/proc/sys/kernel/random/boot_id")).strip();
    } catch (IOException e) {
      return "";
    }
  }

  /**
   * Creates STATE_DIR (mode 0755) when missing; refuses one another user could write.
   *
   * @throws FileTrust.UntrustedPathException naming the path at fault
   */
  public static void prepareDirectory(Path dir) {
    try {
      if (!Files.isDirectory(dir)) {
        Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create STATE_DIR " + dir, e);
    }
    FileTrust.requireTrustedDirectory(dir, "STATE_DIR");
  }

  public Path file() {
    return file;
  }

  /** What the file says; empty when there is none. */
  private record Contents(String bootId, Set<Integer> protocols, Map<String, String> originals) {
    static Contents empty() {
      return new Contents(StateStore.bootId(), new TreeSet<>(), new TreeMap<>());
    }
  }

  /** The verified originals, path → value. */
  public synchronized Map<String, String> originals() {
    return read().originals();
  }

  /** Whether a state file is there (left by an earlier run, or written by this one). */
  public boolean exists() {
    return Files.exists(file, LinkOption.NOFOLLOW_LINKS);
  }

  /** The route protocols recorded at apply. */
  public synchronized Set<Integer> protocols() {
    return read().protocols();
  }

  /**
   * Sets the file aside when it is stale: written before this boot, or, unless this process
   * wrote it, when the namespace shows nothing of ours ({@code oursInKernel} false).
   *
   * @return whether a stale file was removed
   */
  public synchronized boolean discardIfStale(boolean oursInKernel) {
    if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
      return false;
    }
    Contents c = read();
    String why = null;
    if (!c.bootId().equals(bootId())) {
      why = "it was written before this boot";
    } else if (!oursInKernel && !WRITTEN_HERE.contains(file)) {
      why = "this network namespace has no route, rule or nft table of net-balancer's: it was left by a namespace"
          + " that is gone (whose inode this one reuses)";
    }
    if (why == null) {
      return false;
    }
    Log.warn("state: not using %s: %s; its originals %s are not restored here", file, why, c.originals());
    clear();
    return true;
  }

  /** Records each value as the original of its path, unless one is recorded already: one write. */
  public synchronized void rememberOriginals(Map<String, String> values) {
    Contents c = read();
    boolean changed = false;
    for (Map.Entry<String, String> e : values.entrySet()) {
      validate(e.getKey(), e.getValue());
      changed |= c.originals().putIfAbsent(e.getKey(), e.getValue()) == null;
    }
    if (changed) {
      write(c);
    }
  }

  /** Records that routes and rules tagged {@code protocol} are ours (before any is added). */
  public synchronized void rememberProtocol(int protocol) {
    Contents c = read();
    if (c.protocols().add(protocol)) {
      write(c);
    }
  }

  /** Drops the records of sysctls that were put back. */
  public synchronized void forget(Collection<String> paths) {
    Contents c = read();
    if (c.originals().keySet().removeAll(paths)) {
      write(c);
    }
  }

  public synchronized void clear() {
    cached = null;
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private Contents read() {
    if (cached == null) {
      cached = load();
    }
    return new Contents(cached.bootId(), new TreeSet<>(cached.protocols()), new TreeMap<>(cached.originals()));
  }

  private Contents load() {
    Path dir = file.getParent();
    if (!Files.isDirectory(dir)) {
      return Contents.empty();
    }
    FileTrust.requireTrustedDirectory(dir, "STATE_DIR");
    JsonNode root;
    try (SeekableByteChannel ch = Files.newByteChannel(file, Set.of(StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS))) {
      String problem = FileTrust.untrustedFile(file);
      if (problem != null) {
        throw refused(problem);
      }
      if (ch.size() > MAX_SIZE) {
        throw refused("larger than " + MAX_SIZE + " bytes");
      }
      try (InputStream in = Channels.newInputStream(ch)) {
        root = MAPPER.readTree(in);
      }
    } catch (NoSuchFileException e) {
      return Contents.empty();
    } catch (IOException e) {
      // ELOOP from O_NOFOLLOW lands here too: a symlink is refused, not followed
      throw refused(Files.isSymbolicLink(file) ? "a symlink" : e.toString());
    }
    if (root == null || !root.isObject()) {
      throw refused("not a JSON object");
    }
    // Before 0.2 the file was the originals map alone, without boot id or protocols.
    JsonNode originals = root.has("originals") ? root.get("originals") : root;
    String boot = root.has("originals") ? root.path("bootId").asText("") : bootId();
    Set<Integer> protocols = new TreeSet<>();
    root.path("protocols").forEach(p -> {
      if (!p.canConvertToInt() || p.asInt() < 1 || p.asInt() > 255) {
        throw refused("protocol " + p + " is not 1..255");
      }
      protocols.add(p.asInt());
    });
    Map<String, String> values = new TreeMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = originals.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String value = e.getValue().asText();
      String problem = invalid(e.getKey(), value);
      if (problem != null) {
        throw refused(problem);
      }
      values.put(e.getKey(), value);
    }
    return new Contents(boot, protocols, values);
  }

  private static void validate(String path, String value) {
    String problem = invalid(path, value);
    if (problem != null) {
      throw new IllegalArgumentException(problem);
    }
  }

  private static String invalid(String path, String value) {
    if (!SYSCTL.matcher(path).matches()) {
      return "'" + path + "' is not a sysctl net-balancer sets";
    }
    if (!VALUE.matcher(value).matches()) {
      return "value '" + value + "' of " + path + " is not a small number";
    }
    return null;
  }

  private FileTrust.UntrustedPathException refused(String why) {
    return new FileTrust.UntrustedPathException("state file " + file + " is refused: " + why
        + "; it makes root write sysctls, so it must be a regular file owned by root, written by net-balancer"
        + " (remove it after checking the sysctls by hand)");
  }

  /**
   * Makes the text of a made-up file, written nowhere: the first apply writes the file twice
   * before it changes anything (the protocol, the sysctl originals), and in a just-started JVM
   * the first write loads Jackson's writer and the random name's generator on that path. The
   * daemon's warm-up thread calls this while the first pass reads.
   *
   * @return the text's length
   */
  public static int warmUpWriter() {
    Contents made = new Contents("warm", Set.of(213), Map.of("net/ipv4/conf/warm0/rp_filter", "1"));
    try {
      return text("warm", "warm", made).length + unguessable().length();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The file's text: the one place it is made (a write, and the warm-up above). */
  private static byte[] text(String bootId, String netns, Contents c) throws IOException {
    ObjectNode root = MAPPER.createObjectNode();
    root.put("bootId", bootId);
    root.put("netns", netns);
    c.protocols().forEach(root.putArray("protocols")::add);
    ObjectNode originals = root.putObject("originals");
    c.originals().forEach(originals::put);
    return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(root);
  }

  private static String unguessable() {
    return HexFormat.of().toHexDigits(RANDOM.nextLong());
  }

  private void write(Contents c) {
    prepareDirectory(file.getParent());
    // O_EXCL + O_NOFOLLOW under a name nobody can guess: nothing planted can be written through.
    Path tmp = file.resolveSibling("." + file.getFileName() + "." + unguessable() + ".tmp");
    try {
      try (SeekableByteChannel ch = Files.newByteChannel(tmp, Set.of(StandardOpenOption.CREATE_NEW,
          StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS),
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
        ch.write(java.nio.ByteBuffer.wrap(text(bootId(), netnsId(), c)));
      }
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      WRITTEN_HERE.add(file);
      cached = new Contents(bootId(), new TreeSet<>(c.protocols()), new TreeMap<>(c.originals()));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write state file " + file, e);
    } finally {
      try {
        Files.deleteIfExists(tmp);
      } catch (IOException e) {
        // best effort: a random name harms nobody
      }
    }
  }
}
