package netbalancer.netlink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The nft table monitor's filter, run on datagrams laid out as nf_tables sends them (one
 * transaction's messages packed together), and its exact reading of what passes.
 */
class TableFilterTest {
  private static final int ACCEPT = -1;
  private static final int NEWSETELEM = 10 << 8 | 12;
  private static final int DELSETELEM = 10 << 8 | 14;
  private static final int NEWGEN = 10 << 8 | 15;
  private static final int NEWRULE = 10 << 8 | 6;

  /** An nf_tables message: nfgenmsg, then a name attribute (its length varies the message's). */
  private static byte[] message(int type, String name) {
    return Nl.message(type, 0, 0).u8(1).u8(0).u16(0).attrString(1, name).done();
  }

  private static byte[] packed(byte[]... messages) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] m : messages) {
      out.writeBytes(m);
    }
    return out.toByteArray();
  }

  private static int run(byte[] datagram) {
    return BpfMachine.run(TableFilter.program(), datagram);
  }

  private static boolean matters(byte[] datagram) {
    return TableFilter.matters(ByteBuffer.wrap(datagram));
  }

  @Test
  void aTableAddedOrDeletedPassesElementsAndGenerationsDoNot() {
    for (int type : new int[] {TableFilter.NFT_MSG_NEWTABLE, TableFilter.NFT_MSG_DELTABLE, TableFilter.NFT_MSG_DESTROYTABLE}) {
      byte[] d = message(type, "net_balancer");
      assertEquals(ACCEPT, run(d), "type " + type);
      assertTrue(matters(d));
    }
    for (int type : new int[] {NEWSETELEM, DELSETELEM, NEWGEN, NEWRULE}) {
      byte[] d = message(type, "deny");
      assertEquals(0, run(d), "type " + type);
      assertFalse(matters(d));
    }
    byte[] swapped = message(Short.reverseBytes((short) TableFilter.NFT_MSG_DELTABLE) & 0xffff, "x");
    assertEquals(0, run(swapped), "byte order");
  }

  @Test
  void aTableMessageAfterOthersInOneDatagramStillPasses() {
    // e.g. "add element inet blocklist deny { … }; delete table inet net_balancer" in one nft -f
    List<byte[]> messages = new ArrayList<>();
    for (int i = 0; i < TableFilter.SCANNED - 1; i++) {
      messages.add(message(i % 2 == 0 ? NEWSETELEM : DELSETELEM, "deny-" + "x".repeat(i % 7)));
    }
    byte[] elements = packed(messages.toArray(byte[][]::new));
    assertEquals(0, run(elements));
    assertFalse(matters(elements));
    messages.add(message(TableFilter.NFT_MSG_DELTABLE, "net_balancer"));
    byte[] last = packed(messages.toArray(byte[][]::new));
    assertEquals(ACCEPT, run(last), "the table's message is the last one scanned");
    assertTrue(matters(last));
  }

  @Test
  void aDatagramOfMoreMessagesThanScannedPassesAndIsReadExactly() {
    List<byte[]> messages = new ArrayList<>();
    for (int i = 0; i < TableFilter.SCANNED + 10; i++) {
      messages.add(message(NEWSETELEM, "deny"));
    }
    byte[] many = packed(messages.toArray(byte[][]::new));
    assertEquals(ACCEPT, run(many));
    assertFalse(matters(many), "elements only");
    messages.add(message(TableFilter.NFT_MSG_NEWTABLE, "net_balancer"));
    assertTrue(matters(packed(messages.toArray(byte[][]::new))));
  }

  @Test
  void errorsAndOverrunsMatterAMalformedLengthIsDroppedOrRefused() {
    assertTrue(matters(Nl.message(Messages.NLMSG_OVERRUN, 0, 0).zeros(4).done()));
    assertTrue(matters(Nl.message(Messages.NLMSG_ERROR, 0, 0).u32(-105).zeros(16).done()));
    assertFalse(matters(Nl.message(Messages.NLMSG_ERROR, 0, 0).u32(0).zeros(16).done()), "an ACK");
    byte[] shortLength = message(NEWSETELEM, "deny");
    ByteBuffer.wrap(shortLength).order(java.nio.ByteOrder.nativeOrder()).putInt(0, 8);
    assertEquals(0, run(shortLength));
    assertThrows(IllegalArgumentException.class, () -> matters(shortLength));
  }

  @Test
  void theProgramFitsTheKernelsLimits() {
    List<Bpf> p = TableFilter.program();
    assertTrue(p.size() <= 4096, "BPF_MAXINSNS: " + p.size());
    assertEquals(Bpf.RET_K, p.get(p.size() - 1).code());
  }
}
