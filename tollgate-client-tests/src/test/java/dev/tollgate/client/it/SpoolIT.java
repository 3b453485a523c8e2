package dev.tollgate.client.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.client.Tollgate;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The usage spool: reports made while the server is down survive a kill -9 and are recorded exactly once later. */
final class SpoolIT extends WithServer {

    private Tollgate client(Path spool) {
        return Tollgate.builder()
                .baseUrl(server.url())
                .apiKey(ServerUnderTest.KEY)
                .timeout(Duration.ofSeconds(5))
                .spoolDirectory(spool)
                .build();
    }

    @Test
    void reports_spooled_by_an_application_killed_with_sigkill_are_recorded_exactly_once() throws Exception {
        server.stop();
        Path spool = dir.resolve("spool");
        try (AppProcess app = AppProcess.start(
                SpoolingApp.class, dir.resolve("app.log"), "SPOOLED", server.url(), spool.toString(), "1000")) {
            assertThat(app.awaitLine()).isEqualTo("SPOOLED 1000");
            app.kill();
        }
        // a kill in the middle of an append would leave half a line behind
        Files.writeString(lastSegment(spool), "1234abcd {\"v\":1,\"t\":\"ev", StandardOpenOption.APPEND);
        Path copy = dir.resolve("spool-copy");
        copyDirectory(spool, copy);

        server.start();
        try (Tollgate tollgate = client(spool)) {
            tollgate.flush();
        }
        assertThat(server.usage("acme", "reports")).isEqualByComparingTo("1000");
        assertThat(server.usageEvents("acme", "reports")).isEqualTo(1000);

        // the same spool delivered once more changes nothing: every event is a duplicate
        try (Tollgate again = client(copy)) {
            again.flush();
        }
        assertThat(server.usage("acme", "reports")).isEqualByComparingTo("1000");
        assertThat(server.usageEvents("acme", "reports")).isEqualTo(1000);
    }

    private static Path lastSegment(Path spool) throws IOException {
        try (Stream<Path> files = Files.list(spool)) {
            List<Path> segments = files.filter(p -> p.getFileName().toString().startsWith("segment-"))
                    .sorted()
                    .toList();
            assertThat(segments).isNotEmpty();
            return segments.get(segments.size() - 1);
        }
    }

    private static void copyDirectory(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (Stream<Path> files = Files.list(from)) {
            for (Path p : files.toList()) {
                Files.copy(p, to.resolve(p.getFileName()));
            }
        }
    }
}
