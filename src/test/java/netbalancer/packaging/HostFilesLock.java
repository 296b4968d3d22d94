package netbalancer.packaging;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One packaging test class at a time on this host, across JVMs. DebPackageIT installs the package
 * into / (it creates /etc/net-balancer, /usr/bin/net-balancer, …) and InstallIT compares those same
 * host paths before and after its DESTDIR installs, so the two must never overlap — and failsafe
 * runs two test classes at once. The lock is an OS file lock: it is released when its JVM exits,
 * however it exits, so a crashed run never blocks the next one.
 */
final class HostFilesLock implements BeforeAllCallback, AfterAllCallback {
  /**
   * Not in target/: two checkouts on one host share the host's files too. In /run, which only root
   * can write (the tests run as root), not in /tmp: a file another user planted there first would
   * be refused to root (protected_regular) and stop the tests.
   */
  static final Path FILE = Path.of("/run/net-balancer-packaging-its.lock");
  private static final ExtensionContext.Namespace STORE = ExtensionContext.Namespace.create(HostFilesLock.class);

  @Override
  public void beforeAll(ExtensionContext context) throws IOException {
    FileChannel channel = FileChannel.open(FILE, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    FileLock lock = channel.lock(); // blocks until the other packaging class has finished
    context.getStore(STORE).put("lock", lock);
  }

  @Override
  public void afterAll(ExtensionContext context) {
    FileLock lock = context.getStore(STORE).remove("lock", FileLock.class);
    if (lock == null) {
      return;
    }
    try (FileChannel channel = lock.channel()) {
      lock.release();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
