package dev.tollgate.console.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The screenshot tour ({@link ScreenshotTour}) on every build: each main view renders over the demo data, passes the
 * page checks ({@link Pages}) at a laptop's and a phone's width, and is captured, into {@code target/screenshots} or
 * the directory {@code -Dtollgate.screenshots} names ({@code docs/images} to refresh the committed ones).
 */
final class ScreenshotsIT {
    @TempDir
    Path dir;

    @Test
    void every_main_view_renders_and_is_captured_at_laptop_and_phone_widths() throws Exception {
        Path out = Path.of(System.getProperty("tollgate.screenshots", "target/screenshots"));
        try (ConsoleServer server = ConsoleServer.start(dir)) {
            DemoData.write(server, Instant.now());
            DemoData.publishWithProQueries(server, 1500);
            List<Path> files = ScreenshotTour.run(server, out);
            assertThat(files).hasSize(2 * (1 + ScreenshotTour.OPERATOR.size() + ScreenshotTour.PORTAL.size() + 1));
            for (Path f : files) {
                // a PNG's signature, and more than a blank page's few hundred bytes
                assertThat(Files.readAllBytes(f))
                        .startsWith(0x89, 'P', 'N', 'G')
                        .hasSizeGreaterThan(10_000);
            }
        }
    }
}
