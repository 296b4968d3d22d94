package netbalancer.hooks;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import netbalancer.system.FileTrust;

/**
 * The hooks to run, in the way run-parts picks them: executable regular files (symlinks to them
 * count), by name in byte order, leaving out dotfiles, editor backups ({@code *~}) and the copies
 * dpkg leaves beside a changed conffile ({@code *.dpkg-old}, {@code *.dpkg-dist} …). Read again
 * for every event, so adding or removing a hook needs no restart.
 *
 * <p>They run as root, so, as sshd's StrictModes does for authorized_keys, a hook is refused
 * unless nobody but root (or the daemon's own user) could have written it: the file owned by
 * root and not writable by group or others, in a directory with the same properties, as are
 * the directories above it; a symlink must stay inside the directory.
 */
final class HookDirectory {
  private HookDirectory() {
  }

  /**
   * The hooks to run and those refused, with the reason. Empty when the directory does not
   * exist: hooks are optional.
   *
   * @param refusedDirectory why the whole directory is refused, or null
   */
  record Listing(List<Path> hooks, Map<Path, String> refused, String refusedDirectory) {
  }

  static Listing list(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return new Listing(List.of(), Map.of(), null);
    }
    String problem = FileTrust.untrustedDirectory(dir);
    if (problem != null) {
      return new Listing(List.of(), Map.of(), problem);
    }
    Path realDir = dir.toRealPath();
    List<Path> out = new ArrayList<>();
    Map<Path, String> refused = new LinkedHashMap<>();
    try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
      for (Path p : s) {
        if (!eligibleName(p.getFileName().toString()) || !Files.isRegularFile(p) || !Files.isExecutable(p)) {
          continue; // run-parts' rules: not a hook at all, nothing to say
        }
        String why = untrustedHook(p, realDir);
        if (why == null) {
          out.add(p);
        } else {
          refused.put(p, why);
        }
      }
    } catch (NoSuchFileException e) {
      return new Listing(List.of(), Map.of(), null);
    }
    out.sort(Comparator.comparing(p -> p.getFileName().toString()));
    return new Listing(out, refused, null);
  }

  /** Null when {@code hook} may run as root; else why not. */
  private static String untrustedHook(Path hook, Path realDir) throws IOException {
    if (Files.isSymbolicLink(hook)) {
      Path target = hook.toRealPath();
      if (!target.getParent().equals(realDir)) {
        return "a symlink to " + target + ", outside the hooks directory";
      }
      return FileTrust.untrustedFile(target);
    }
    if (Files.isRegularFile(hook, LinkOption.NOFOLLOW_LINKS)) {
      return FileTrust.untrustedFile(hook);
    }
    return hook + " is not a regular file";
  }

  static boolean eligibleName(String name) {
    return !name.startsWith(".") && !name.endsWith("~") && !name.contains(".dpkg-");
  }
}
