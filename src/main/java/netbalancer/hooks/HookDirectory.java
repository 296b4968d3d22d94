package netbalancer.hooks;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The hooks to run, in the way run-parts picks them: executable regular files (symlinks to them
 * count), by name in byte order, leaving out dotfiles, editor backups ({@code *~}) and the copies
 * dpkg leaves beside a changed conffile ({@code *.dpkg-old}, {@code *.dpkg-dist} …). Read again
 * for every event, so adding or removing a hook needs no restart.
 */
final class HookDirectory {
  private HookDirectory() {
  }

  /** Empty when the directory does not exist: hooks are optional. */
  static List<Path> list(Path dir) throws IOException {
    List<Path> out = new ArrayList<>();
    try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
      for (Path p : s) {
        if (eligibleName(p.getFileName().toString()) && Files.isRegularFile(p) && Files.isExecutable(p)) {
          out.add(p);
        }
      }
    } catch (NoSuchFileException e) {
      return List.of();
    }
    out.sort(Comparator.comparing(p -> p.getFileName().toString()));
    return out;
  }

  static boolean eligibleName(String name) {
    return !name.startsWith(".") && !name.endsWith("~") && !name.contains(".dpkg-");
  }
}
