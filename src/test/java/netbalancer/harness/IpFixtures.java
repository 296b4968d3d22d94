package netbalancer.harness;

/** What iproute2 6.1 printed for one interface, captured in a namespace: the fixtures of the host faults. */
final class IpFixtures {
  /** {@code ip -4 -N -j route show table all dev v0}: static, ours (213), DHCP default, kernel, local. */
  static final String ROUTES_V4 = """
      [{"dst":"203.0.113.0/24","gateway":"198.18.50.1","table":"77","protocol":"4","flags":["onlink"]},
      {"dst":"198.51.100.0/24","table":"78","protocol":"213","scope":"253","prefsrc":"198.18.50.2","flags":[]},
      {"dst":"default","gateway":"198.18.50.1","protocol":"16","metric":101,"flags":[]},
      {"dst":"198.18.50.0/24","protocol":"2","scope":"253","prefsrc":"198.18.50.2","flags":[]},
      {"dst":"198.18.60.2","protocol":"2","scope":"253","prefsrc":"198.18.60.1","flags":[]},
      {"type":"2","dst":"198.18.50.2","table":"255","protocol":"2","scope":"254","prefsrc":"198.18.50.2","flags":[]},
      {"type":"3","dst":"198.18.50.255","table":"255","protocol":"2","scope":"253","prefsrc":"198.18.50.2","flags":[]},
      {"type":"2","dst":"198.18.60.1","table":"255","protocol":"2","scope":"254","prefsrc":"198.18.60.1","flags":[]}]
      """;

  /** {@code ip -6 -N -j route show table all dev v0}: kernel prefix, a boot-protocol default, local, multicast. */
  static final String ROUTES_V6 = """
      [{"dst":"2001:db8::/64","protocol":"2","metric":256,"flags":[],"pref":"medium"},
      {"dst":"fe80::/64","protocol":"2","metric":256,"flags":[],"pref":"medium"},
      {"dst":"default","gateway":"2001:db8::1","metric":50,"flags":[],"pref":"medium"},
      {"type":"2","dst":"2001:db8::2","table":"255","protocol":"2","metric":0,"flags":[],"pref":"medium"},
      {"type":"5","dst":"ff00::/8","table":"255","protocol":"2","metric":256,"flags":[],"pref":"medium"}]
      """;

  /** {@code ip -j addr show dev v0}: IPv4, a peer address, static and SLAAC IPv6, link-local. */
  static final String ADDR = """
      [{"ifindex":2,"link_index":2,"ifname":"v0","flags":["BROADCAST","MULTICAST","UP","LOWER_UP"],"mtu":1500,"qdisc":"noqueue","operstate":"UP","group":"default","txqlen":1000,"link_type":"ether","address":"86:47:52:07:dd:f5","broadcast":"ff:ff:ff:ff:ff:ff","link_netnsid":0,"addr_info":[{"family":"inet","local":"198.18.50.2","prefixlen":24,"scope":"global","label":"v0","valid_life_time":4294967295,"preferred_life_time":4294967295},
      {"family":"inet","local":"198.18.60.1","address":"198.18.60.2","prefixlen":32,"scope":"global","label":"v0","valid_life_time":4294967295,"preferred_life_time":4294967295},
      {"family":"inet6","local":"2001:db8::2","prefixlen":64,"scope":"global","nodad":true,"valid_life_time":4294967295,"preferred_life_time":4294967295},
      {"family":"inet6","local":"2001:db8:1::9","prefixlen":64,"scope":"global","dynamic":true,"mngtmpaddr":true,"valid_life_time":86400,"preferred_life_time":14400},
      {"family":"inet6","local":"fe80::8447:52ff:fe07:ddf5","prefixlen":64,"scope":"link","tentative":true,"valid_life_time":4294967295,"preferred_life_time":4294967295}]}]
      """;

  /** After down and up: the DHCP default and the static route in table 77 are gone. */
  static final String ROUTES_V4_AFTER_UP = """
      [{"dst":"198.51.100.0/24","table":"78","protocol":"213","scope":"253","prefsrc":"198.18.50.2","flags":[]},
      {"dst":"198.18.50.0/24","protocol":"2","scope":"253","prefsrc":"198.18.50.2","flags":[]},
      {"type":"2","dst":"198.18.50.2","table":"255","protocol":"2","scope":"254","prefsrc":"198.18.50.2","flags":[]}]
      """;

  /** After down and up: the IPv6 addresses are gone but for a new link-local one. */
  static final String ADDR_AFTER_UP = """
      [{"ifindex":2,"ifname":"v0","flags":["BROADCAST","MULTICAST","UP","LOWER_UP"],"addr_info":[{"family":"inet","local":"198.18.50.2","prefixlen":24,"scope":"global","label":"v0","valid_life_time":4294967295,"preferred_life_time":4294967295},
      {"family":"inet","local":"198.18.60.1","address":"198.18.60.2","prefixlen":32,"scope":"global","label":"v0","valid_life_time":4294967295,"preferred_life_time":4294967295},
      {"family":"inet6","local":"fe80::8447:52ff:fe07:ddf5","prefixlen":64,"scope":"link","valid_life_time":4294967295,"preferred_life_time":4294967295}]}]
      """;

  private IpFixtures() {
  }
}
