package netbalancer.config;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * Reads POLICIES_FILE. A missing file at the default path means no policies (most hosts have
 * none); a missing file at a path the user set is an error, as a typo there would otherwise
 * silently turn every policy off.
 */
public final class PolicyLoader {
  private PolicyLoader() {
  }

  /** @throws ConfigException naming the file and every bad line; nothing has been applied */
  public static Policies load(Config config) {
    Path path = config.policiesFile();
    boolean mayBeMissing = path.toString().equals(Keys.POLICIES_FILE.defaultValue());
    String text;
    try {
      text = ConfigLoader.readSmallRegularFile(path);
    } catch (NoSuchFileException e) {
      if (mayBeMissing) {
        return Policies.NONE;
      }
      throw new ConfigException(List.of("policies file " + path + " (POLICIES_FILE) does not exist"));
    } catch (ConfigLoader.FileTooLargeException e) {
      throw new ConfigException(List.of("policies file " + path + " is refused: larger than "
          + ConfigLoader.MAX_FILE_SIZE + " bytes"));
    } catch (CharacterCodingException e) {
      throw new ConfigException(List.of("policies file " + path + " is not valid UTF-8"));
    } catch (IOException e) {
      throw new ConfigException(List.of("cannot read policies file " + path + ": " + e.getMessage()));
    }
    if (text == null) {
      throw new ConfigException(List.of("policies file " + path + " is refused: not a regular file"));
    }
    return parse(text, path.toString());
  }

  /** The rules of {@code text}; {@code source} names it in messages. @throws ConfigException listing every bad line */
  public static Policies parse(String text, String source) {
    return PolicyParser.parse(text, source);
  }
}
