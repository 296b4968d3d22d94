package netbalancer.kernel;

import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** Sysctls in a map. */
public final class FakeSysctls implements Sysctls {
  public final Map<String, String> values = new TreeMap<>();

  @Override
  public Optional<String> read(String path) {
    return Optional.ofNullable(values.get(path));
  }

  @Override
  public void write(String path, String value) {
    values.put(path, value);
  }
}
