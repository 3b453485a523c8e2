package dev.tollgate.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The packaged server ({@code target/tollgate-server.jar}) in a process of its own, so that a test can kill it with
 * SIGKILL ({@link Process#destroyForcibly()} on Unix) as a crash would, or freeze it with SIGSTOP and let it run on with
 * SIGCONT. The process is the JVM itself ({@code java -jar}, no shell or wrapper between), so its pid is the server's.
 * Its output is appended to a log file.
 */
final class ServerProcess extends ApiClient implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("Tollgate listening on http://localhost:(\\d+)");

    private final Process process;
    private final int port;

    private ServerProcess(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /** The shaded jar that {@code mvn package} built before the integration tests run. */
    static Path jar() {
        Path jar = Path.of("target", "tollgate-server.jar").toAbsolutePath();
        assertThat(jar).as("the packaged server; failsafe runs after package").exists();
        return jar;
    }

    /**
     * Runs the jar with {@code args} and waits for its output.
     *
     * @return the exit status and everything it printed
     */
    static Result run(Path log, List<String> args) {
        return run(log, args, KEY);
    }

    /** {@link #run(Path, List)} with another {@code TOLLGATE_API_KEY}. */
    static Result run(Path log, List<String> args, String apiKey) {
        try {
            ProcessBuilder b = builder(args);
            b.environment().put("TOLLGATE_API_KEY", apiKey);
            Process p = b.start();
            CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> readAll(p));
            boolean ended = p.waitFor(120, TimeUnit.SECONDS);
            if (!ended) {
                p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            }
            String out = output.get(30, TimeUnit.SECONDS);
            Files.writeString(log, out, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            assertThat(ended)
                    .as("the process ended by itself within 120 s; it printed:%n%s", out)
                    .isTrue();
            return new Result(p.exitValue(), out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot read the process's output", e);
        }
    }

    private static String readAll(Process p) {
        try {
            return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What a finished run printed. */
    record Result(int exitCode, String output) {}

    /**
     * Starts the server on a free port with the test API key and waits until it listens.
     *
     * @param log where its output goes
     * @param args flags after {@code --port 0}
     */
    static ServerProcess start(Path log, List<String> args) {
        List<String> all = new ArrayList<>(List.of("--port", "0"));
        all.addAll(args);
        return startWith(log, all);
    }

    /**
     * Starts the server with exactly {@code commandLine} (nothing added: it names the port itself) and the test API
     * key, and waits until it listens.
     *
     * @param log where its output goes
     */
    static ServerProcess startWith(Path log, List<String> commandLine) {
        Process p = null;
        try {
            p = builder(commandLine).start();
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            CompletableFuture<Integer> port = new CompletableFuture<>();
            Thread pump = new Thread(() -> pump(out, log, port), "server-output");
            pump.setDaemon(true);
            pump.start();
            // a server that exits fails at once (pump); the bound only ends a hang: a start on a machine loaded by
            // other
            // builds took over 60 s (Flyway alone 27 s at load 27)
            int listening = port.get(5, TimeUnit.MINUTES);
            return new ServerProcess(p, listening);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (Exception e) {
            if (p != null) {
                p.destroyForcibly(); // one that never listened must not outlive the test
            }
            throw new IllegalStateException("the server did not start; see " + log + ", which ends:\n" + tail(log), e);
        }
    }

    /** The last lines of a log, for a failure's message. */
    private static String tail(Path log) {
        try {
            List<String> lines = Files.exists(log) ? Files.readAllLines(log, StandardCharsets.UTF_8) : List.of();
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }

    private static ProcessBuilder builder(List<String> args) {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m",
                "-jar",
                jar().toString()));
        command.addAll(args);
        ProcessBuilder b = new ProcessBuilder(command).redirectErrorStream(true);
        b.environment().put("TOLLGATE_API_KEY", KEY);
        return b;
    }

    private static void pump(BufferedReader out, Path log, CompletableFuture<Integer> port) {
        try {
            String line;
            while ((line = out.readLine()) != null) {
                Files.writeString(log, line + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                Matcher m = LISTENING.matcher(line);
                if (m.find()) {
                    port.complete(Integer.parseInt(m.group(1)));
                }
            }
            port.completeExceptionally(new IllegalStateException("the server exited before listening"));
        } catch (IOException e) {
            port.completeExceptionally(e);
        }
    }

    @Override
    int port() {
        return port;
    }

    /** The server's process id. */
    long pid() {
        return process.pid();
    }

    /** SIGKILL: no shutdown hook, no final commit, as a power cut would leave a process. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }

    /** SIGSTOP: the process is frozen where it is, its sockets open, until {@link #resume()}. */
    void pause() {
        signal("STOP");
    }

    /** SIGCONT: a paused process runs on from where it stopped. */
    void resume() {
        signal("CONT");
    }

    private void signal(String name) {
        try {
            Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid()))
                    .redirectErrorStream(true)
                    .start();
            String out = new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(kill.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(kill.exitValue())
                    .as("kill -%s %d: %s", name, process.pid(), out)
                    .isZero();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** SIGTERM: the shutdown hook commits what is queued. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
