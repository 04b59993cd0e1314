package ai.booth.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** Output file names as AUTOMATIC1111 numbers them: {@code 00012-<seed>.png}, counting on from the folder's highest. */
final class Outputs {

    private static final Pattern NUMBERED = Pattern.compile("^(\\d{5,})-.*");

    private Outputs() {
    }

    static Path next(Path dir, String suffix) {
        try {
            Files.createDirectories(dir);
            int highest = -1;
            try (Stream<Path> files = Files.list(dir)) {
                for (Path f : (Iterable<Path>) files::iterator) {
                    Matcher m = NUMBERED.matcher(f.getFileName().toString());
                    if (m.matches()) {
                        highest = Math.max(highest, Integer.parseInt(m.group(1)));
                    }
                }
            }
            return dir.resolve(String.format("%05d-%s.png", highest + 1, suffix));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot use output folder " + dir, e);
        }
    }
}
