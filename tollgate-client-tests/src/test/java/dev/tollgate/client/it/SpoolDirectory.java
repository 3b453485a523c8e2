package dev.tollgate.client.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * A usage spool seen from outside the process that owns it, through its documented format ({@code docs/sdk.md}, "The
 * usage spool"): segment files {@code segment-<n>.log} and a {@code checkpoint} file {@code "<segment> <offset>"} up to
 * which everything was delivered. Safe to read while the owner appends, delivers and deletes segments.
 */
final class SpoolDirectory {
    private SpoolDirectory() {}

    /** The bytes spooled in {@code dir} and not yet delivered; 0 for a directory that does not exist yet. */
    static long undeliveredBytes(Path dir) {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        long[] checkpoint = checkpoint(dir);
        long undelivered = 0;
        for (Path segment : segments(dir)) {
            String name = segment.getFileName().toString();
            long n = Long.parseLong(name.substring("segment-".length(), name.length() - ".log".length()));
            if (n >= checkpoint[0]) {
                undelivered += Math.max(0, size(segment) - (n == checkpoint[0] ? checkpoint[1] : 0));
            }
        }
        return undelivered;
    }

    private static long[] checkpoint(Path dir) {
        try {
            String[] parts = Files.readString(dir.resolve("checkpoint"), StandardCharsets.US_ASCII)
                    .trim()
                    .split(" ");
            return new long[] {Long.parseLong(parts[0]), Long.parseLong(parts[1])};
        } catch (NoSuchFileException e) {
            return new long[] {0, 0};
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<Path> segments(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> {
                        String name = p.getFileName().toString();
                        return name.startsWith("segment-") && name.endsWith(".log");
                    })
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (NoSuchFileException e) {
            return 0; // delivered and deleted since the listing
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
