package netbalancer.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Set;
import netbalancer.system.FileTrust;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The state file makes root write sysctls: only what root wrote, for this namespace, is used. */
class StateStoreTest {
  @TempDir
  Path dir;

  private Path plant(String name, String json) throws IOException {
    Path f = dir.resolve(name);
    Files.writeString(f, json);
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
    return f;
  }

  private static String v2(String bootId, String originals) {
    return "{\"bootId\":\"" + bootId + "\",\"protocols\":[99],\"originals\":" + originals + "}";
  }

  @Test
  void theWarmUpMakesAFilesText() {
    // the pretty-printed JSON of a made-up file (about 150 bytes), plus 16 hex digits of a temporary name
    org.junit.jupiter.api.Assertions.assertTrue(StateStore.warmUpWriter() > 100);
  }

  @Test
  void writesAndReadsBackOriginalsAndProtocols() {
    StateStore s = new StateStore(dir.resolve("a.json"));
    s.rememberProtocol(99);
    s.rememberOriginals(Map.of("net/ipv4/ip_forward", "0", "net/ipv4/conf/wan1/rp_filter", "1"));
    StateStore fresh = new StateStore(dir.resolve("a.json"));
    assertEquals(Set.of(99), fresh.protocols());
    assertEquals(Map.of("net/ipv4/ip_forward", "0", "net/ipv4/conf/wan1/rp_filter", "1"), fresh.originals());
    s.forget(Set.of("net/ipv4/ip_forward", "net/ipv4/conf/wan1/rp_filter"));
    assertEquals(Set.of(99), new StateStore(dir.resolve("a.json")).protocols(), "protocols outlive the originals");
  }

  @Test
  void aFileOwnedByAnotherUserOrWritableByOthersOrASymlinkIsRefused() throws Exception {
    Path other = plant("other.json", v2(StateStore.bootId(), "{\"net/ipv4/ip_forward\":\"0\"}"));
    Files.setAttribute(other, "unix:uid", 65534);
    assertRefused(other, "owned by uid 65534");
    Path writable = plant("writable.json", v2(StateStore.bootId(), "{}"));
    Files.setPosixFilePermissions(writable, PosixFilePermissions.fromString("rw-rw-rw-"));
    assertRefused(writable, "writable by everyone");
    Path target = plant("target.json", v2(StateStore.bootId(), "{}"));
    Path link = Files.createSymbolicLink(dir.resolve("link.json"), target);
    assertRefused(link, "symlink");
  }

  @Test
  void keysOtherThanOurSysctlsAndValuesOtherThanSmallNumbersAreRefused() throws Exception {
    assertRefused(plant("k.json", v2(StateStore.bootId(), "{\"kernel/core_pattern\":\"1\"}")), "not a sysctl");
    assertRefused(plant("up.json", v2(StateStore.bootId(), "{\"net/ipv4/conf/../../../kernel/x/rp_filter\":\"1\"}")),
        "not a sysctl");
    assertRefused(plant("v.json", v2(StateStore.bootId(), "{\"net/ipv4/ip_forward\":\"|/bin/sh\"}")),
        "not a small number");
    assertThrows(IllegalArgumentException.class,
        () -> new StateStore(dir.resolve("w.json")).rememberOriginals(Map.of("kernel/modprobe", "0")));
  }

  @Test
  void aStateDirOthersCanWriteIsRefused() throws Exception {
    Path open = Files.createDirectory(dir.resolve("open"));
    Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwxrwx"));
    FileTrust.UntrustedPathException e = assertThrows(FileTrust.UntrustedPathException.class,
        () -> new StateStore(open.resolve("s.json")).rememberProtocol(213));
    assertTrue(e.getMessage().contains("writable by everyone"), e.getMessage());
    assertFalse(Files.exists(open.resolve("s.json")));
  }

  @Test
  void aTempFileIsNeverWrittenThroughAPlantedSymlink() throws Exception {
    Path victim = plant("victim", "precious");
    // the old predictable temp name, and a guess at the new prefix
    Files.createSymbolicLink(dir.resolve("s.json.tmp"), victim);
    StateStore s = new StateStore(dir.resolve("s.json"));
    s.rememberOriginals(Map.of("net/ipv4/ip_forward", "0"));
    assertEquals("precious", Files.readString(victim));
    assertEquals(Map.of("net/ipv4/ip_forward", "0"), new StateStore(dir.resolve("s.json")).originals());
    try (var files = Files.list(dir)) {
      assertEquals(0, files.filter(p -> p.getFileName().toString().startsWith(".s.json.")).count(), "no temp left");
    }
  }

  @Test
  void aFileFromAnotherBootOrFromANamespaceThatIsGoneIsSetAsideNotUsed() throws Exception {
    Path oldBoot = plant("boot.json", v2("another-boot", "{\"net/ipv4/ip_forward\":\"0\"}"));
    assertTrue(new StateStore(oldBoot).discardIfStale(true));
    assertFalse(Files.exists(oldBoot));

    Path gone = plant("gone.json", v2(StateStore.bootId(), "{\"net/ipv4/ip_forward\":\"0\"}"));
    assertFalse(new StateStore(gone).discardIfStale(true), "our objects are here: it is ours");
    assertTrue(new StateStore(gone).discardIfStale(false), "nothing of ours here and not written by us");
    assertFalse(Files.exists(gone));

    StateStore mine = new StateStore(dir.resolve("mine.json"));
    mine.rememberOriginals(Map.of("net/ipv4/ip_forward", "0"));
    assertFalse(new StateStore(dir.resolve("mine.json")).discardIfStale(false), "this process wrote it");
  }

  @Test
  void theFormatBeforeProtocolsWereRecordedIsStillRead() throws Exception {
    Path legacy = plant("legacy.json", "{\"net/ipv4/ip_forward\":\"0\"}");
    assertEquals(Map.of("net/ipv4/ip_forward", "0"), new StateStore(legacy).originals());
  }

  private static void assertRefused(Path file, String why) {
    FileTrust.UntrustedPathException e = assertThrows(FileTrust.UntrustedPathException.class,
        () -> new StateStore(file).originals());
    assertTrue(e.getMessage().contains(why), e.getMessage());
  }
}
