package netbalancer.netlink;

import java.nio.ByteBuffer;

/**
 * One RTM_NEWADDR: ifaddrmsg (family, prefixlen, flags u8, scope, index u32), then IFA_ADDRESS,
 * IFA_LOCAL and IFA_FLAGS (u32, the flags that do not fit ifa_flags, which it replaces). As ip
 * prints it: {@code local} is IFA_LOCAL (else IFA_ADDRESS), {@code peer} is IFA_ADDRESS when it
 * differs from IFA_LOCAL (a point-to-point address), else null.
 */
public record AddressMessage(int index, int family, String local, int prefixLen, String peer, int scope, int flags) {
  /** IFA_F_SECONDARY, which IPv6 calls temporary (a privacy address). */
  private static final int IFA_F_TEMPORARY = 0x01;
  private static final int IFA_F_DADFAILED = 0x08;
  private static final int IFA_F_DEPRECATED = 0x20;
  private static final int IFA_F_TENTATIVE = 0x40;
  private static final int IFADDRMSG = 8;
  private static final int IFA_ADDRESS = 1;
  private static final int IFA_LOCAL = 2;
  private static final int IFA_FLAGS = 8;

  static AddressMessage parse(ByteBuffer b, int at, int length) {
    if (length < Messages.HEADER + IFADDRMSG) {
      throw new IllegalArgumentException("address message of " + length + " bytes, below nlmsghdr + ifaddrmsg");
    }
    int h = at + Messages.HEADER;
    int family = b.get(h) & 0xff;
    int bytes = Messages.addressBytes(family);
    int index = b.getInt(h + 4);
    Attributes a = Attributes.parse(b, h + IFADDRMSG, at + length, IFA_FLAGS);
    int localType = a.has(IFA_LOCAL) ? IFA_LOCAL : IFA_ADDRESS;
    if (!a.has(localType)) {
      throw new IllegalArgumentException("address on link " + index + " without IFA_LOCAL or IFA_ADDRESS");
    }
    String local = a.address(localType, bytes);
    String peer = null;
    if (localType == IFA_LOCAL && a.has(IFA_ADDRESS)) {
      String address = a.address(IFA_ADDRESS, bytes);
      peer = address.equals(local) ? null : address;
    }
    return new AddressMessage(index, family, local, b.get(h + 1) & 0xff, peer, b.get(h + 3) & 0xff,
        a.has(IFA_FLAGS) ? a.u32(IFA_FLAGS) : b.get(h + 2) & 0xff);
  }

  public boolean inet6() {
    return family == Messages.AF_INET6;
  }

  /** Duplicate address detection not done, or failed (as IpJson: as unusable either way). */
  public boolean tentative() {
    return (flags & (IFA_F_TENTATIVE | IFA_F_DADFAILED)) != 0;
  }

  public boolean deprecated() {
    return (flags & IFA_F_DEPRECATED) != 0;
  }

  /** An IPv6 privacy address (for IPv4 the same bit means secondary). */
  public boolean temporary() {
    return inet6() && (flags & IFA_F_TEMPORARY) != 0;
  }
}
