package io.scenestream.tools;

import io.scenestream.job.JobOptions;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.description.HtmlFormatter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Writes the job options' tables in {@code docs/configuration.md} from the {@link ConfigOption}s of
 * {@link JobOptions}, their keys, defaults and descriptions, as Flink generates its configuration
 * pages. Each table sits between {@code <!-- options: PREFIX... -->} and {@code <!-- /options -->}
 * and lists the options whose key starts with one of the prefixes; the prose around them is the
 * page's own. Every option must fall in exactly one table. {@code ConfigurationDocsTest} fails when
 * the page is stale.
 */
@Command(
        name = "scenestream-config-docs",
        mixinStandardHelpOptions = true,
        description =
                "Regenerate the job options' tables of docs/configuration.md from JobOptions.")
public final class ConfigurationDocs implements Callable<Integer> {

    private static final Pattern TABLE =
            Pattern.compile(
                    "(<!-- options: ([^>]*?) -->\\n)(.*?)(<!-- /options -->)", Pattern.DOTALL);

    @Option(names = "--file", description = "the page (default: ${DEFAULT-VALUE})")
    Path file = Path.of("docs/configuration.md");

    @Option(
            names = "--check",
            description = "only check that the page is up to date; exit 1 if not")
    boolean check;

    public static void main(String[] args) {
        System.exit(new CommandLine(new ConfigurationDocs()).execute(args));
    }

    @Override
    public Integer call() throws IOException {
        String page = Files.readString(file, StandardCharsets.UTF_8);
        String fresh = render(page, options());
        if (fresh.equals(page)) {
            System.out.println(file + " is up to date");
            return 0;
        }
        if (check) {
            System.err.println(file + " is stale: run bin/scenestream-config-docs");
            return 1;
        }
        Files.writeString(file, fresh, StandardCharsets.UTF_8);
        System.out.println("wrote " + file);
        return 0;
    }

    /** The public ConfigOption constants of {@link JobOptions}. */
    static List<ConfigOption<?>> options() {
        List<ConfigOption<?>> out = new ArrayList<>();
        for (Field f : JobOptions.class.getFields()) {
            if (Modifier.isStatic(f.getModifiers())
                    && ConfigOption.class.isAssignableFrom(f.getType())) {
                try {
                    out.add((ConfigOption<?>) f.get(null));
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        out.sort(Comparator.comparing(ConfigOption::key));
        return out;
    }

    /**
     * {@code page} with every options table rewritten; fails if an option falls in no table or in
     * two.
     */
    static String render(String page, List<ConfigOption<?>> options) {
        Set<String> placed = new LinkedHashSet<>();
        Matcher m = TABLE.matcher(page);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            List<String> prefixes = Arrays.asList(m.group(2).trim().split("\\s+"));
            StringBuilder table =
                    new StringBuilder("| option | default | description |\n| --- | --- | --- |\n");
            for (ConfigOption<?> o : options) {
                if (prefixes.stream().anyMatch(p -> o.key().startsWith(p))) {
                    if (!placed.add(o.key())) {
                        throw new IllegalStateException(
                                "option " + o.key() + " falls in two tables");
                    }
                    table.append(row(o));
                }
            }
            m.appendReplacement(out, Matcher.quoteReplacement(m.group(1) + table + m.group(4)));
        }
        m.appendTail(out);
        for (ConfigOption<?> o : options) {
            if (!placed.contains(o.key())) {
                throw new IllegalStateException(
                        "option "
                                + o.key()
                                + " falls in no table of the page: add its prefix to one");
            }
        }
        return out.toString();
    }

    private static String row(ConfigOption<?> o) {
        String value =
                !o.hasDefaultValue()
                        ? "—"
                        : String.valueOf(o.defaultValue()).isEmpty()
                                ? "empty"
                                : "`" + o.defaultValue() + "`";
        String description = new HtmlFormatter().format(o.description()).replace("|", "\\|");
        return "| `" + o.key() + "` | " + value + " | " + description + " |\n";
    }
}
