package dev.tollgate.client.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.server.sidecar.Sidecar;
import dev.tollgate.server.sidecar.SidecarConfig;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@code examples/sidecar.py}, run with {@code python3} against a real sidecar of a real server, says what it should. */
final class PythonExampleIT extends WithServer {
    private static final Path EXAMPLE =
            Path.of("..", "examples", "sidecar.py").toAbsolutePath().normalize();

    @Test
    void the_python_example_checks_and_consumes_through_the_sidecar() throws Exception {
        assertThat(EXAMPLE).exists();
        try (Sidecar sidecar = Sidecar.start(SidecarConfig.of(URI.create(server.url()), ServerUnderTest.KEY, 0))) {
            ProcessBuilder python = new ProcessBuilder("python3", EXAMPLE.toString(), "acme", "sso", "queries")
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("python.log").toFile());
            python.environment().put("TOLLGATE_SIDECAR_URL", "http://127.0.0.1:" + sidecar.port());
            Process p = python.start();
            assertThat(p.waitFor(2, TimeUnit.MINUTES)).as("python3 ended").isTrue();
            List<String> lines = Files.readAllLines(dir.resolve("python.log"), StandardCharsets.UTF_8);

            assertThat(p.exitValue()).as("%s", lines).isZero();
            assertThat(lines)
                    .containsExactly(
                            "check sso: status=200 allowed=True source=cache",
                            "consume queries: status=200 allowed=True recorded=True source=server",
                            "bad check: status=400 code=MISSING_FIELD field=feature");
        }
        assertThat(server.usage("acme", "queries")).isEqualByComparingTo("1");
    }
}
