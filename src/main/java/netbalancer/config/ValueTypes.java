package netbalancer.config;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongPredicate;
import java.util.regex.Pattern;

/** Value types for scalar settings: integers, masks, durations, booleans, choices. */
final class ValueTypes {
  private static final Pattern DECIMAL = Pattern.compile("[0-9]{1,10}");
  private static final Pattern HEX = Pattern.compile("0[xX][0-9a-fA-F]{1,8}");
  // Plain decimal seconds, nanosecond precision at most; no signs or exponents.
  private static final Pattern SECONDS = Pattern.compile("[0-9]{1,9}(\\.[0-9]{0,9})?|\\.[0-9]{1,9}");
  private static final Map<String, Boolean> BOOLEANS = Map.of(
      "true", true, "yes", true, "on", true, "1", true,
      "false", false, "no", false, "off", false, "0", false);

  private ValueTypes() {
  }

  static ValueType<Integer> integer(long min, long max) {
    return integer("an integer " + min + ".." + max, v -> v >= min && v <= max);
  }

  /** A decimal integer that {@code ok} accepts; {@code allowed} describes that set. */
  static ValueType<Integer> integer(String allowed, LongPredicate ok) {
    return new ValueType<>() {
      @Override
      public Integer parse(String text) throws InvalidValue {
        if (!DECIMAL.matcher(text).matches()) {
          throw invalid();
        }
        long v = Long.parseLong(text);
        if (v > Integer.MAX_VALUE || !ok.test(v)) {
          throw invalid();
        }
        return (int) v;
      }

      @Override
      public String format(Integer value) {
        return value.toString();
      }

      @Override
      public String allowed() {
        return allowed;
      }
    };
  }

  /**
   * A 32-bit fwmark mask, hex or decimal, whose one bits are contiguous and at least
   * {@code minBits} wide: uplink marks are index << trailing zeros, so they must fit inside it.
   */
  static ValueType<Long> mask(int minBits) {
    return new ValueType<>() {
      @Override
      public Long parse(String text) throws InvalidValue {
        long v;
        if (HEX.matcher(text).matches()) {
          v = Long.parseLong(text.substring(2), 16);
        } else if (DECIMAL.matcher(text).matches()) {
          v = Long.parseLong(text);
        } else {
          throw invalid();
        }
        long run = v == 0 ? 0 : v >>> Long.numberOfTrailingZeros(v);
        if (v == 0 || v > 0xffff_ffffL || (run & (run + 1)) != 0 || Long.bitCount(v) < minBits) {
          throw invalid();
        }
        return v;
      }

      @Override
      public String format(Long value) {
        return "0x" + Long.toHexString(value);
      }

      @Override
      public String allowed() {
        return "a 32-bit mask, hex (0xff00) or decimal, of at least " + minBits
            + " contiguous one bits";
      }
    };
  }

  /** Decimal seconds such as 2 or 0.5, in (min, max] when minExclusive, else [min, max]. */
  static ValueType<Duration> seconds(long min, boolean minExclusive, long max) {
    String allowed = minExclusive
        ? "a number of seconds > " + min + ", at most " + max
        : "a number of seconds " + min + ".." + max;
    return new ValueType<>() {
      @Override
      public Duration parse(String text) throws InvalidValue {
        if (!SECONDS.matcher(text).matches()) {
          throw invalid();
        }
        BigDecimal s = new BigDecimal(text);
        int low = s.compareTo(BigDecimal.valueOf(min));
        if (low < 0 || (minExclusive && low == 0) || s.compareTo(BigDecimal.valueOf(max)) > 0) {
          throw invalid();
        }
        return Duration.ofSeconds(s.longValue(), s.remainder(BigDecimal.ONE).movePointRight(9).intValue());
      }

      @Override
      public String format(Duration value) {
        return BigDecimal.valueOf(value.getSeconds())
            .add(BigDecimal.valueOf(value.getNano(), 9))
            .stripTrailingZeros().toPlainString();
      }

      @Override
      public String allowed() {
        return allowed;
      }
    };
  }

  static ValueType<Boolean> bool() {
    return new ValueType<>() {
      @Override
      public Boolean parse(String text) throws InvalidValue {
        Boolean v = BOOLEANS.get(text.toLowerCase(Locale.ROOT));
        if (v == null) {
          throw invalid();
        }
        return v;
      }

      @Override
      public String format(Boolean value) {
        return value.toString();
      }

      @Override
      public String allowed() {
        return "true or false (also yes/no, on/off, 1/0)";
      }
    };
  }

  /** One of an enum's constants, written in lower case; accepted in any case. */
  static <E extends Enum<E>> ValueType<E> choice(Class<E> type) {
    E[] values = type.getEnumConstants();
    StringBuilder names = new StringBuilder();
    for (E e : values) {
      names.append(names.length() == 0 ? "" : ", ").append(e.name().toLowerCase(Locale.ROOT));
    }
    String allowed = "one of: " + names;
    return new ValueType<>() {
      @Override
      public E parse(String text) throws InvalidValue {
        for (E e : values) {
          if (e.name().equalsIgnoreCase(text)) {
            return e;
          }
        }
        throw invalid();
      }

      @Override
      public String format(E value) {
        return value.name().toLowerCase(Locale.ROOT);
      }

      @Override
      public String allowed() {
        return allowed;
      }
    };
  }
}
