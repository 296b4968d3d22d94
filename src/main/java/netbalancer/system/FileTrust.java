package netbalancer.system;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Which files root may act on: the rules of sshd's StrictModes. A file or directory is trusted
 * when it is owned by root or by the user we run as and nobody else can write it; so is every
 * directory above it, where a root-owned sticky directory such as /tmp is allowed too (its
 * sticky bit keeps others from renaming or removing what root put there). Anything else could
 * be swapped by another local user between our check and our use, so it is refused.
 */
public final class FileTrust {
  private static final int GROUP_OR_WORLD_WRITABLE = 0022;
  private static final int STICKY = 01000;
  private static final int TYPE_MASK = 0170000;
  private static final int REGULAR = 0100000;
  private static final int DIRECTORY = 0040000;
  private static volatile Integer ownUid;

  private FileTrust() {
  }

  /** The effective uid of this process (the owner of /proc/self), trusted next to root. */
  public static int ownUid() {
    Integer uid = ownUid;
    if (uid == null) {
      try {
        uid = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
      } catch (IOException | UnsupportedOperationException e) {
        uid = 0; // not Linux: only root is trusted
      }
      ownUid = uid;
    }
    return uid;
  }

  /**
   * Null when {@code dir} is a directory only root (or we) can write, under directories that are
   * as safe; else the reason it is not, naming the path at fault.
   */
  public static String untrustedDirectory(Path dir) {
    Path abs = dir.toAbsolutePath().normalize();
    try {
      List<Path> chain = new ArrayList<>(ancestors(abs));
      chain.addAll(ancestors(abs.toRealPath())); // a symlink on the way: its target's parents count too
      Map<String, Object> own = attributes(abs, true);
      if (((int) own.get("mode") & TYPE_MASK) != DIRECTORY) {
        return abs + " is not a directory";
      }
      String problem = ownership(abs, own, false);
      if (problem != null) {
        return problem;
      }
      for (Path p : chain) {
        problem = ownership(p, attributes(p, true), true);
        if (problem != null) {
          return problem;
        }
      }
      return null;
    } catch (NoSuchFileException e) {
      return abs + " does not exist";
    } catch (IOException e) {
      return "cannot check " + abs + ": " + e;
    }
  }

  /**
   * Null when {@code file} itself (not what a symlink points to) is a regular file owned by root
   * or us that nobody else can write; else why not. Says nothing about its directory.
   */
  public static String untrustedFile(Path file) {
    try {
      Map<String, Object> a = attributes(file, false);
      int mode = (int) a.get("mode");
      if (((int) mode & TYPE_MASK) != REGULAR) {
        return file + " is not a regular file" + (Files.isSymbolicLink(file) ? " (a symlink)" : "");
      }
      return ownership(file, a, false);
    } catch (NoSuchFileException e) {
      return file + " does not exist";
    } catch (IOException e) {
      return "cannot check " + file + ": " + e;
    }
  }

  /** Throws, with the reason, unless {@link #untrustedDirectory} finds nothing wrong. */
  public static void requireTrustedDirectory(Path dir, String what) {
    String problem = untrustedDirectory(dir);
    if (problem != null) {
      throw new UntrustedPathException(what + " " + dir + " is refused: " + problem
          + " (it must be owned by root and writable by root alone, as must the directories above it)");
    }
  }

  /** A file or directory another user could have put there or could change under us. */
  public static final class UntrustedPathException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public UntrustedPathException(String message) {
      super(message);
    }
  }

  private static String ownership(Path p, Map<String, Object> a, boolean above) {
    int uid = (int) a.get("uid");
    int mode = (int) a.get("mode");
    if (uid != 0 && uid != ownUid()) {
      return p + " is owned by uid " + uid + ", not root";
    }
    if ((mode & GROUP_OR_WORLD_WRITABLE) != 0 && !(above && uid == 0 && (mode & STICKY) != 0)) {
      return p + " is writable by " + ((mode & 0002) != 0 ? "everyone" : "its group")
          + String.format(" (mode %04o)", mode & 07777);
    }
    return null;
  }

  private static List<Path> ancestors(Path p) {
    List<Path> out = new ArrayList<>();
    for (Path a = p.getParent(); a != null; a = a.getParent()) {
      out.add(a);
    }
    return out;
  }

  private static Map<String, Object> attributes(Path p, boolean follow) throws IOException {
    return follow ? Files.readAttributes(p, "unix:mode,uid")
        : Files.readAttributes(p, "unix:mode,uid", LinkOption.NOFOLLOW_LINKS);
  }
}
