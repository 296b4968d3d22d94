package netbalancer.netlink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Root must never load a native library from a directory someone else can write. */
class LibcTest {
  private String before;

  @BeforeEach
  void remember() {
    before = System.getProperty(Libc.UNPACK_PROPERTY);
    System.clearProperty(Libc.UNPACK_PROPERTY);
  }

  @AfterEach
  void restore() {
    if (before == null) {
      System.clearProperty(Libc.UNPACK_PROPERTY);
    } else {
      System.setProperty(Libc.UNPACK_PROPERTY, before);
    }
  }

  @Test
  void unsetJnaUnpacksIntoAFreshDirectoryOnlyItsOwnerCanWrite() throws Exception {
    Path dir = Libc.privateUnpackDirectory();
    try {
      assertEquals(dir.toString(), System.getProperty(Libc.UNPACK_PROPERTY));
      assertEquals(Path.of(System.getProperty("java.io.tmpdir")), dir.getParent());
      assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
      assertEquals(System.getProperty("user.name"), Files.getOwner(dir).getName());
      assertTrue(Files.list(dir).findAny().isEmpty(), "fresh");
    } finally {
      Files.deleteIfExists(dir);
    }
  }

  @Test
  void anOperatorsChoiceIsKept(@TempDir Path chosen) throws Exception {
    System.setProperty(Libc.UNPACK_PROPERTY, chosen.toString());
    assertEquals(chosen, Libc.privateUnpackDirectory());
    assertEquals(chosen.toString(), System.getProperty(Libc.UNPACK_PROPERTY));
  }
}
