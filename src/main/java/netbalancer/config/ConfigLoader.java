package netbalancer.config;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Builds the {@link Config}: defaults, then the config file (systemd EnvironmentFile syntax),
 * then environment variables named like settings. Every problem is collected and thrown
 * together as one {@link ConfigException}, before anything touches the kernel.
 */
public final class ConfigLoader {
  public static final Path DEFAULT_PATH = Path.of("/etc/net-balancer/net-balancer.conf");

  private final Path defaultPath;

  public ConfigLoader() {
    this(DEFAULT_PATH);
  }

  /** A loader whose default file is elsewhere (tests, packaging). */
  public ConfigLoader(Path defaultPath) {
    this.defaultPath = Objects.requireNonNull(defaultPath);
  }

  /** A setting's text and where it came from, for error messages. */
  private record Raw(String text, String source) {
  }

  /**
   * Loads the configuration.
   *
   * @param explicitFile the file given with {@code --config}, which must exist; null to read the
   *                     default file, which may be absent
   * @param environment  the process environment; only variables named like a setting are used
   * @throws ConfigException listing every problem found
   */
  public Config load(Path explicitFile, Map<String, String> environment) {
    List<String> errors = new ArrayList<>();
    Map<String, Raw> raw = new LinkedHashMap<>();
    readFile(explicitFile != null ? explicitFile : defaultPath, explicitFile != null, raw, errors);
    for (Key<?> key : Keys.ALL) {
      String value = environment.get(key.name());
      if (value != null) {
        raw.put(key.name(), new Raw(value, "from the environment"));
      }
    }
    return resolve(raw, errors);
  }

  /**
   * The settings a file holds, as text, without validation; empty when it cannot be read. Used
   * on reload under systemd: the unit's EnvironmentFile= copied these into the environment at
   * start, and such copies must not shadow later edits of the file.
   */
  public Map<String, String> fileValues(Path explicitFile) {
    Map<String, Raw> raw = new LinkedHashMap<>();
    readFile(explicitFile != null ? explicitFile : defaultPath, false, raw, new ArrayList<>());
    Map<String, String> out = new LinkedHashMap<>();
    raw.forEach((k, v) -> out.put(k, v.text()));
    return out;
  }

  /** Defaults overridden by {@code settings} (KEY → text as in the file); unknown keys are errors. */
  public static Config fromMap(Map<String, String> settings) {
    List<String> errors = new ArrayList<>();
    Map<String, Raw> raw = new LinkedHashMap<>();
    settings.forEach((name, text) -> {
      if (Keys.byName(name) == null) {
        errors.add(unknownKey(name, ""));
      } else {
        raw.put(name, new Raw(text, null));
      }
    });
    return resolve(raw, errors);
  }

  /** Every setting in documentation order, with its default, allowed values and description. */
  public static List<ConfigKey> knownKeys() {
    return Keys.ALL.stream().map(Key::info).toList();
  }

  /** The commented default config file that install.sh writes: every setting, commented out. */
  public static String defaultConfigFileText() {
    return DefaultConfigText.render(knownKeys());
  }

  private static void readFile(Path path, boolean mustExist, Map<String, Raw> raw, List<String> errors) {
    String text;
    try {
      text = readSmallRegularFile(path);
      if (text == null) {
        errors.add("config file " + path + " is refused: not a regular file (a FIFO or a device would hang or"
            + " never end)");
        return;
      }
    } catch (FileTooLargeException e) {
      errors.add("config file " + path + " is refused: larger than " + MAX_FILE_SIZE + " bytes");
      return;
    } catch (NoSuchFileException e) {
      if (mustExist) {
        errors.add("config file " + path + " does not exist");
      }
      return;
    } catch (CharacterCodingException e) {
      errors.add("config file " + path + " is not valid UTF-8");
      return;
    } catch (IOException e) {
      errors.add("cannot read config file " + path + ": " + e.getMessage());
      return;
    }
    EnvFileParser.Result parsed = EnvFileParser.parse(text, path.toString());
    errors.addAll(parsed.errors());
    for (EnvFileParser.Entry entry : parsed.entries()) {
      String where = path + ":" + entry.line();
      if (Keys.byName(entry.key()) == null) {
        errors.add(unknownKey(entry.key(), " in " + where));
      } else {
        raw.put(entry.key(), new Raw(entry.value(), "at " + where));
      }
    }
  }

  /** A config file is a few kilobytes; anything near this is not one (say, --config /dev/zero). */
  static final int MAX_FILE_SIZE = 1 << 20;

  static final class FileTooLargeException extends IOException {
    private static final long serialVersionUID = 1L;
  }

  /**
   * The file's text; null when it is not a regular file (a FIFO would block the open itself, so
   * the type is checked first). Reads at most MAX_FILE_SIZE + 1 bytes whatever the file says.
   */
  static String readSmallRegularFile(Path path) throws IOException {
    if (!Files.isRegularFile(path)) {
      if (!Files.exists(path)) {
        throw new NoSuchFileException(path.toString());
      }
      return null;
    }
    try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(path,
        java.nio.file.StandardOpenOption.READ)) {
      return read(ch);
    }
  }

  private static String read(java.nio.channels.FileChannel ch) throws IOException {
    java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate((int) Math.min(MAX_FILE_SIZE + 1L, ch.size() + 4096));
    while (buf.hasRemaining() && ch.read(buf) > 0) {
      // fill
    }
    if (buf.position() > MAX_FILE_SIZE || (!buf.hasRemaining() && ch.read(java.nio.ByteBuffer.allocate(1)) > 0)) {
      throw new FileTooLargeException();
    }
    buf.flip();
    return StandardCharsets.UTF_8.newDecoder().decode(buf).toString();
  }

  private static String unknownKey(String name, String where) {
    String suggestion = Spelling.nearest(name, Keys.ALL.stream().map(Key::name).toList());
    return "unknown key " + name + where + (suggestion == null ? "" : "; did you mean " + suggestion + "?");
  }

  private static Config resolve(Map<String, Raw> raw, List<String> earlier) {
    Validation v = new Validation();
    earlier.forEach(v::error);
    for (Key<?> key : Keys.ALL) {
      Raw r = raw.get(key.name());
      if (r == null) {
        v.parse(key, key.defaultValue(), null);
      } else {
        v.parse(key, r.text(), r.source());
      }
    }
    CrossChecks.apply(v);
    return v.build();
  }
}
