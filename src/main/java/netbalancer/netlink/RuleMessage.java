package netbalancer.netlink;

import java.nio.ByteBuffer;

/**
 * One RTM_NEWRULE: fib_rule_hdr (family, dst_len, src_len, tos, table u8, res1, res2, action,
 * flags u32), then FRA_* attributes. Read as {@code ip -N rule show} prints it and IpJson reads
 * that: src "all", a host without "/32", else "addr/len"; a mark without a mask has the mask
 * 0xffffffff; the table from FRA_TABLE (u32: above 255 it is only there), 0 for a rule without one;
 * suppress_prefixlength only when set (the kernel sends -1 for none); src null for "all".
 */
public record RuleMessage(int family, int priority, String src, Long fwmark, Long fwmask, int table,
    Integer suppressPrefixLength, int protocol) {
  private static final int FIB_RULE_HDR = 12;
  private static final int FRA_SRC = 2;
  private static final int FRA_PRIORITY = 6;
  private static final int FRA_FWMARK = 10;
  private static final int FRA_SUPPRESS_PREFIXLEN = 14;
  private static final int FRA_TABLE = 15;
  private static final int FRA_FWMASK = 16;
  private static final int FRA_PROTOCOL = 21;

  static RuleMessage parse(ByteBuffer b, int at, int length) {
    if (length < Messages.HEADER + FIB_RULE_HDR) {
      throw new IllegalArgumentException("rule message of " + length + " bytes, below nlmsghdr + fib_rule_hdr");
    }
    int h = at + Messages.HEADER;
    int family = b.get(h) & 0xff;
    int bytes = Messages.addressBytes(family);
    int srcLen = b.get(h + 2) & 0xff;
    Attributes a = Attributes.parse(b, h + FIB_RULE_HDR, at + length, FRA_PROTOCOL);
    String src = null;
    if (a.has(FRA_SRC)) {
      String addr = a.address(FRA_SRC, bytes);
      src = srcLen == bytes * 8 ? addr : addr + "/" + srcLen;
    } else if (srcLen != 0) {
      src = "0/" + srcLen;
    }
    Long mark = null;
    Long mask = null;
    if (a.has(FRA_FWMARK) || a.has(FRA_FWMASK)) {
      mark = a.has(FRA_FWMARK) ? Integer.toUnsignedLong(a.u32(FRA_FWMARK)) : 0L;
      mask = a.has(FRA_FWMASK) ? Integer.toUnsignedLong(a.u32(FRA_FWMASK)) : 0xffffffffL;
    }
    int table = a.has(FRA_TABLE) ? a.u32(FRA_TABLE) : b.get(h + 4) & 0xff;
    Integer suppress = null;
    if (table != 0 && a.has(FRA_SUPPRESS_PREFIXLEN) && a.u32(FRA_SUPPRESS_PREFIXLEN) != -1) {
      suppress = a.u32(FRA_SUPPRESS_PREFIXLEN);
    }
    return new RuleMessage(family,
        a.has(FRA_PRIORITY) ? a.u32(FRA_PRIORITY) : 0, src, mark, mask, table, suppress,
        a.has(FRA_PROTOCOL) ? a.u8(FRA_PROTOCOL) : 0);
  }
}
