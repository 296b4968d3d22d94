package netbalancer.kernel;

import java.util.Optional;

/**
 * Reads and writes sysctls by their /proc/sys path with slashes ({@code net/ipv4/ip_forward}),
 * which stays unambiguous for interface names with dots. Always the caller's own namespace.
 */
public interface Sysctls {
  Optional<String> read(String path);

  void write(String path, String value);
}
