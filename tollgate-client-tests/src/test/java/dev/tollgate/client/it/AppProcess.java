package dev.tollgate.client.it;

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
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * An application using the SDK in a JVM of its own (a {@code main} of these tests' class path), so that a test can
 * kill it with SIGKILL ({@link Process#destroyForcibly()}) as a crash would. Its output goes to a log file; the test
 * waits for a line it prints.
 */
final class AppProcess implements AutoCloseable {
    /**
     * An environment that makes {@code java} start quickly rather than run hot (the launcher reads
     * {@code JDK_JAVA_OPTIONS}): the C1 compiler alone and the serial collector start a server in about half the time
     * on a busy two-core machine, for a process that serves a test for seconds.
     */
    static final Map<String, String> QUICK_START =
            Map.of("JDK_JAVA_OPTIONS", "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC");

    private final Process process;
    private final CompletableFuture<String> awaited = new CompletableFuture<>();
    private final List<String> lines = new ArrayList<>();

    private AppProcess(Process process, Path log, String prefix) {
        this.process = process;
        Thread pump = new Thread(() -> pump(log, prefix), "app-output");
        pump.setDaemon(true);
        pump.start();
    }

    /** Runs {@code main} with {@code args}; {@link #awaitLine()} answers its first line starting with {@code prefix}. */
    static AppProcess start(Class<?> main, Path log, String prefix, String... args) {
        return start(main, Map.of(), log, prefix, args);
    }

    /** {@link #start(Class, Path, String, String...)} with {@code env} added to this JVM's environment. */
    static AppProcess start(Class<?> main, Map<String, String> env, Path log, String prefix, String... args) {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m",
                "-cp",
                System.getProperty("java.class.path"),
                main.getName()));
        command.addAll(List.of(args));
        try {
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
            builder.environment().putAll(env);
            return new AppProcess(builder.start(), log, prefix);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void pump(Path log, String prefix) {
        try (BufferedReader out =
                new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                Files.writeString(log, line + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                synchronized (lines) {
                    lines.add(line);
                }
                if (line.startsWith(prefix)) {
                    awaited.complete(line);
                }
            }
            awaited.completeExceptionally(new IllegalStateException("the application ended; see " + log));
        } catch (IOException e) {
            awaited.completeExceptionally(e);
        }
    }

    /** The awaited line; fails if the application ends first or takes over five minutes. */
    String awaitLine() throws Exception {
        return awaited.get(5, TimeUnit.MINUTES);
    }

    /** SIGKILL: no shutdown hook, nothing flushed. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }

    /** SIGTERM: its shutdown hooks run; waits for it to end. */
    void terminate() throws InterruptedException {
        process.destroy();
        assertThat(process.waitFor(5, TimeUnit.MINUTES))
                .as("the application ended")
                .isTrue();
    }

    /** Waits for the application to end by itself; returns its exit status. */
    int awaitExit() throws InterruptedException {
        assertThat(process.waitFor(5, TimeUnit.MINUTES))
                .as("the application ended")
                .isTrue();
        return process.exitValue();
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
