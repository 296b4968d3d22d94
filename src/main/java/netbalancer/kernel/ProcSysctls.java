package netbalancer.kernel;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;
import netbalancer.system.ProcSysFile;

/** Sysctls through /proc/sys of the process's own network namespace: no subprocess. */
public final class ProcSysctls implements Sysctls {
  private final Path root;

  public ProcSysctls() {
    this(Path.of("/proc/sys"));
  }

  ProcSysctls(Path root) {
    this.root = root;
  }

  @Override
  public Optional<String> read(String path) {
    try {
      return Optional.of(ProcSysFile.read(resolve(path)).strip());
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void write(String path, String value) {
    try {
      Files.writeString(resolve(path), value + "\n", StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + path, e);
    }
  }

  private Path resolve(String path) {
    Path p = root.resolve(path).normalize();
    if (!p.startsWith(root)) {
      throw new IllegalArgumentException("not a sysctl path: " + path);
    }
    return p;
  }
}
