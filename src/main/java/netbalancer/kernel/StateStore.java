package netbalancer.kernel;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.TreeMap;

/**
 * Remembers, across crashes, the value each sysctl had before we first changed it, so cleanup
 * restores it exactly. One file per network namespace: /run is shared between namespaces.
 * Written (atomically) before the sysctl is changed.
 */
public final class StateStore {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private final Path file;

  public StateStore(Path file) {
    this.file = file;
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

  public Path file() {
    return file;
  }

  public synchronized Map<String, String> originals() {
    if (!Files.exists(file)) {
      return new TreeMap<>();
    }
    try {
      return new TreeMap<>(MAPPER.readValue(file.toFile(), new TypeReference<Map<String, String>>() { }));
    } catch (IOException e) {
      throw new UncheckedIOException("unreadable state file " + file, e);
    }
  }

  /** Records each value as the original of its path, unless one is recorded already: one write. */
  public synchronized void rememberOriginals(Map<String, String> values) {
    Map<String, String> all = originals();
    boolean changed = false;
    for (Map.Entry<String, String> e : values.entrySet()) {
      changed |= all.putIfAbsent(e.getKey(), e.getValue()) == null;
    }
    if (changed) {
      write(all);
    }
  }

  /** Drops the records of sysctls that were put back. */
  public synchronized void forget(java.util.Collection<String> paths) {
    Map<String, String> all = originals();
    if (all.keySet().removeAll(paths)) {
      if (all.isEmpty()) {
        clear();
      } else {
        write(all);
      }
    }
  }

  public synchronized void clear() {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void write(Map<String, String> all) {
    try {
      Files.createDirectories(file.getParent());
      Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
      MAPPER.writerWithDefaultPrettyPrinter().writeValue(tmp.toFile(), all);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write state file " + file, e);
    }
  }
}
