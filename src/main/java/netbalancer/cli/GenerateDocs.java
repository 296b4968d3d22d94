package netbalancer.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Map;
import picocli.CommandLine;

/**
 * {@code java -cp net-balancer.jar netbalancer.cli.GenerateDocs DIR}: writes the man pages
 * (DIR/man8/*.8) and the completion scripts (DIR/bash-completion/net-balancer,
 * DIR/zsh/_net-balancer) from the command model, for install.sh and the Debian package. The
 * footer date is SOURCE_DATE_EPOCH's when set (reproducible builds), else today's (UTC).
 */
public final class GenerateDocs {
  private GenerateDocs() {
  }

  public static void main(String[] args) throws IOException {
    if (args.length != 1) {
      System.err.println("usage: java -cp net-balancer.jar netbalancer.cli.GenerateDocs DIR");
      System.exit(ExitCodes.BAD_CONFIG);
    }
    write(Path.of(args[0]), date(System.getenv("SOURCE_DATE_EPOCH")));
  }

  static String date(String sourceDateEpoch) {
    if (sourceDateEpoch == null || sourceDateEpoch.isBlank()) {
      return LocalDate.now(ZoneOffset.UTC).toString();
    }
    try {
      return LocalDate.ofInstant(Instant.ofEpochSecond(Long.parseLong(sourceDateEpoch.strip())), ZoneOffset.UTC).toString();
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("SOURCE_DATE_EPOCH must be seconds since 1970, not '" + sourceDateEpoch + "'", e);
    }
  }

  static void write(Path dir, String date) throws IOException {
    CommandLine root = Main.commandLine();
    Map<String, String> pages = new ManPages("net-balancer " + new BuildVersion().version(), date).render(root);
    Path man = Files.createDirectories(dir.resolve("man" + ManPages.SECTION));
    for (Map.Entry<String, String> page : pages.entrySet()) {
      Files.writeString(man.resolve(page.getKey()), page.getValue(), StandardCharsets.UTF_8);
    }
    Completion completion = new Completion(root);
    Files.writeString(Files.createDirectories(dir.resolve("bash-completion")).resolve(root.getCommandName()),
        completion.bash(), StandardCharsets.UTF_8);
    Files.writeString(Files.createDirectories(dir.resolve("zsh")).resolve("_" + root.getCommandName()),
        completion.zsh(), StandardCharsets.UTF_8);
  }
}
