package netbalancer.netlink;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads of one nft table over nfnetlink (NETLINK_NETFILTER, linux/netfilter/nf_tables.h), each a
 * kernel dump filtered by table (and by set, or by object type): whether the table exists, how
 * many rules it holds, its named counters, the elements of one set or map. nft's own listings of
 * rules or counters fetch every element of every set in the table first (nft 1.0.6: 1.4-1.9 s and
 * 110 MB with two sticky maps of 65 536 sources each, and an 8 MB JSON answer for {@code list
 * table}); these reads never touch a set that is not asked for, and hand a set's elements over one
 * at a time. One thread uses an instance at a time.
 */
public final class NftDumps implements AutoCloseable {
  /** nfgen_family of an {@code inet} table. */
  public static final int NFPROTO_INET = 1;
  private static final int SUBSYS_NFTABLES = 10 << 8;
  private static final int NEWTABLE = SUBSYS_NFTABLES;
  private static final int GETTABLE = SUBSYS_NFTABLES | 1;
  private static final int NEWRULE = SUBSYS_NFTABLES | 6;
  private static final int GETRULE = SUBSYS_NFTABLES | 7;
  private static final int NEWSETELEM = SUBSYS_NFTABLES | 12;
  private static final int GETSETELEM = SUBSYS_NFTABLES | 13;
  private static final int NEWGEN = SUBSYS_NFTABLES | 15;
  private static final int GETGEN = SUBSYS_NFTABLES | 16;
  private static final int NEWOBJ = SUBSYS_NFTABLES | 18;
  private static final int GETOBJ = SUBSYS_NFTABLES | 19;
  /** nfgenmsg: family, version, res_id. */
  private static final int NFGENMSG = 4;
  private static final int NFTA_TABLE_NAME = 1;
  private static final int NFTA_RULE_TABLE = 1;
  private static final int NFTA_GEN_ID = 1;
  private static final int NFTA_OBJ_TABLE = 1;
  private static final int NFTA_OBJ_NAME = 2;
  private static final int NFTA_OBJ_TYPE = 3;
  private static final int NFTA_OBJ_DATA = 4;
  private static final int NFT_OBJECT_COUNTER = 1;
  private static final int NFTA_COUNTER_PACKETS = 2;
  private static final int NFTA_SET_ELEM_LIST_TABLE = 1;
  private static final int NFTA_SET_ELEM_LIST_SET = 2;
  private static final int NFTA_SET_ELEM_LIST_ELEMENTS = 3;
  private static final int NFTA_LIST_ELEM = 1;
  private static final int NFTA_SET_ELEM_KEY = 1;
  private static final int NFTA_SET_ELEM_DATA = 2;
  private static final int NFTA_SET_ELEM_EXPIRATION = 5;
  private static final int NFTA_DATA_VALUE = 1;
  private static final int ENOENT = 2;
  private static final Duration TIMEOUT = Duration.ofSeconds(5);

  /** One element of a set (data null) or map (data: its value's bytes; null for a verdict). */
  public interface Element {
    void accept(byte[] key, byte[] data);
  }

  /** One element of a set with timeouts: its key and what is left of its timeout (ms; -1: none). */
  public interface TimedElement {
    void accept(byte[] key, long expiresMillis);
  }

  private final Dump.Endpoint socket;
  private final ByteBuffer buffer = Dump.threadBuffer();

  NftDumps(Dump.Endpoint socket) {
    this.socket = socket;
  }

  /** @throws IOException JNA unavailable, or the kernel refused the socket (no nf_tables) */
  public static NftDumps open() throws IOException {
    return new NftDumps(NetlinkSocket.forNetfilter(TIMEOUT));
  }

  /** The ruleset's generation: every nft transaction moves it, so equal before and after a read, nothing changed. */
  public long generation() throws IOException {
    long[] id = {-1};
    Dump.run(socket, buffer, "nft generation", request(GETGEN, Messages.NLM_F_REQUEST, 0), NEWGEN, false,
        (b, at, len) -> {
          Attributes a = Attributes.parse(b, at + Messages.HEADER + NFGENMSG, at + len, NFTA_GEN_ID);
          id[0] = Integer.toUnsignedLong(bigEndianInt(b, a.offset(NFTA_GEN_ID)));
          return true;
        });
    return id[0];
  }

  public boolean tableExists(int family, String table) throws IOException {
    try {
      Dump.run(socket, buffer, "nft table " + table, request(GETTABLE, Messages.NLM_F_REQUEST, family,
          string(NFTA_TABLE_NAME, table)), NEWTABLE, false, (b, at, len) -> true);
      return true;
    } catch (NetlinkError e) {
      if (e.errno() == ENOENT) {
        return false;
      }
      throw e;
    }
  }

  /** The rules of every chain of {@code table}; 0 when there is no such table. */
  public int ruleCount(int family, String table) throws IOException {
    int[] n = {0};
    Dump.run(socket, buffer, "nft rules of " + table, request(GETRULE, Messages.NLM_F_REQUEST | Messages.NLM_F_DUMP,
        family, string(NFTA_RULE_TABLE, table)), NEWRULE, true, (b, at, len) -> {
          n[0]++;
          return true;
        });
    return n[0];
  }

  /** The named counters of {@code table}: packets by name. */
  public Map<String, Long> counters(int family, String table) throws IOException {
    Map<String, Long> out = new LinkedHashMap<>();
    Dump.run(socket, buffer, "nft counters of " + table, request(GETOBJ, Messages.NLM_F_REQUEST | Messages.NLM_F_DUMP,
        family, string(NFTA_OBJ_TABLE, table), be32(NFTA_OBJ_TYPE, NFT_OBJECT_COUNTER)), NEWOBJ, true,
        (b, at, len) -> {
          Attributes a = Attributes.parse(b, at + Messages.HEADER + NFGENMSG, at + len, NFTA_OBJ_DATA);
          if (a.has(NFTA_OBJ_NAME) && a.has(NFTA_OBJ_DATA)) {
            Attributes c = a.nested(NFTA_OBJ_DATA, NFTA_COUNTER_PACKETS);
            out.put(a.string(NFTA_OBJ_NAME), c.has(NFTA_COUNTER_PACKETS) ? bigEndianLong(b, c.offset(NFTA_COUNTER_PACKETS)) : 0L);
          }
          return true;
        });
    return out;
  }

  /**
   * Each element of set or map {@code set} of {@code table}, in the kernel's order.
   *
   * @return false when there is no such set (or table)
   */
  public boolean elements(int family, String table, String set, Element each) throws IOException {
    return elements(family, table, set, each, null);
  }

  /**
   * Each element of set {@code set} of {@code table} with what is left of its timeout, in the
   * kernel's order.
   *
   * @return false when there is no such set (or table)
   */
  public boolean timedElements(int family, String table, String set, TimedElement each) throws IOException {
    return elements(family, table, set, null, each);
  }

  private boolean elements(int family, String table, String set, Element each, TimedElement timed) throws IOException {
    try {
      Dump.run(socket, buffer, "nft elements of " + set, request(GETSETELEM, Messages.NLM_F_REQUEST
          | Messages.NLM_F_DUMP, family, string(NFTA_SET_ELEM_LIST_TABLE, table), string(NFTA_SET_ELEM_LIST_SET, set)),
          NEWSETELEM, true, (b, at, len) -> {
            Attributes a = Attributes.parse(b, at + Messages.HEADER + NFGENMSG, at + len, NFTA_SET_ELEM_LIST_ELEMENTS);
            if (a.has(NFTA_SET_ELEM_LIST_ELEMENTS)) {
              int from = a.offset(NFTA_SET_ELEM_LIST_ELEMENTS);
              eachElement(b, from, from + a.length(NFTA_SET_ELEM_LIST_ELEMENTS), each, timed);
            }
            return true;
          });
      return true;
    } catch (NetlinkError e) {
      if (e.errno() == ENOENT) {
        return false;
      }
      throw e;
    }
  }

  /** The NFTA_LIST_ELEMs between two offsets (a nested list: the same type again and again). */
  private static void eachElement(ByteBuffer b, int from, int to, Element each, TimedElement timed) {
    int p = from;
    while (to - p >= 4) {
      int length = b.getShort(p) & 0xffff;
      int type = b.getShort(p + 2) & 0x3fff;
      if (length < 4 || length > to - p) {
        throw new IllegalArgumentException("set element at " + p + " has length " + length + ", " + (to - p)
            + " bytes left");
      }
      if (type == NFTA_LIST_ELEM) {
        Attributes e = Attributes.parse(b, p + 4, p + length, NFTA_SET_ELEM_EXPIRATION);
        if (e.has(NFTA_SET_ELEM_KEY) && each != null) {
          each.accept(value(e, NFTA_SET_ELEM_KEY), e.has(NFTA_SET_ELEM_DATA) ? value(e, NFTA_SET_ELEM_DATA) : null);
        } else if (e.has(NFTA_SET_ELEM_KEY)) {
          timed.accept(value(e, NFTA_SET_ELEM_KEY),
              e.has(NFTA_SET_ELEM_EXPIRATION) ? bigEndianLong(b, e.offset(NFTA_SET_ELEM_EXPIRATION)) : -1);
        }
      }
      p += Messages.align(length);
    }
  }

  /** The NFTA_DATA_VALUE nested in {@code type}; null when it holds something else (a verdict). */
  private static byte[] value(Attributes e, int type) {
    Attributes d = e.nested(type, NFTA_DATA_VALUE);
    if (!d.has(NFTA_DATA_VALUE)) {
      return null;
    }
    return d.bytes(NFTA_DATA_VALUE);
  }

  /** A request: nlmsghdr, nfgenmsg (family, version 0, res_id 0), then attributes as built by {@link #string} or {@link #be32}. */
  static byte[] request(int type, int flags, int family, byte[]... attributes) {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.writeBytes(new byte[] {(byte) family, 0, 0, 0});
    for (byte[] a : attributes) {
      body.writeBytes(a);
    }
    byte[] payload = body.toByteArray();
    ByteBuffer b = ByteBuffer.allocate(Messages.HEADER + payload.length).order(ByteOrder.nativeOrder());
    b.putInt(Messages.HEADER + payload.length).putShort((short) type).putShort((short) flags)
        .putInt(Messages.nextSequence()).putInt(0).put(payload);
    return b.array();
  }

  /** A NUL-terminated string attribute, padded to 4 bytes. */
  static byte[] string(int type, String value) {
    byte[] s = value.getBytes(StandardCharsets.UTF_8);
    int length = 4 + s.length + 1;
    ByteBuffer b = ByteBuffer.allocate(Messages.align(length)).order(ByteOrder.nativeOrder());
    b.putShort((short) length).putShort((short) type).put(s);
    return b.array();
  }

  /** A u32 attribute in network order (nf_tables' numbers are big-endian). */
  static byte[] be32(int type, int value) {
    ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder());
    b.putShort((short) 8).putShort((short) type);
    b.order(ByteOrder.BIG_ENDIAN).putInt(value);
    return b.array();
  }

  private static int bigEndianInt(ByteBuffer b, int at) {
    return b.duplicate().order(ByteOrder.BIG_ENDIAN).getInt(at);
  }

  private static long bigEndianLong(ByteBuffer b, int at) {
    return b.duplicate().order(ByteOrder.BIG_ENDIAN).getLong(at);
  }

  /** An ifname key (IFNAMSIZ bytes, NUL-padded) as text. */
  public static String ifname(byte[] key) {
    int end = 0;
    while (end < key.length && key[end] != 0) {
      end++;
    }
    return new String(key, 0, end, StandardCharsets.UTF_8);
  }

  /** A mark value (host order, as nft stores {@code meta mark}); -1 when it is not 4 bytes. */
  public static long mark(byte[] data) {
    return data == null || data.length != 4 ? -1 : Integer.toUnsignedLong(
        ByteBuffer.wrap(data).order(ByteOrder.nativeOrder()).getInt());
  }

  /** An address key (4 or 16 bytes) as ip prints it; null when it is neither. */
  public static String address(byte[] key) {
    return key.length == 4 || key.length == 16 ? InetText.of(ByteBuffer.wrap(key), 0, key.length) : null;
  }

  @Override
  public void close() {
    if (socket instanceof NetlinkSocket s) {
      s.close();
    }
  }
}
