package dev.tollgate.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.tollgate.core.engine.Verifier;
import dev.tollgate.core.store.Store;
import dev.tollgate.store.sqlite.SqliteStores;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 16 item 2: the SQLite store's disk fills up under load and is freed again. The real server on a 4 MB tmpfs
 * (mounting needs root; under {@code CI=true} a failed mount fails the test, elsewhere it skips saying why).
 *
 * <p>What must hold: while the disk is full, writes are refused ({@code 503 STORE_UNAVAILABLE}, or {@code 504
 * COMMIT_IN_DOUBT} when the store cannot tell); once space is freed, writes resume without a restart; after a restart
 * every acknowledged write is stored, no write answered 503 is, and {@code verify} finds no difference.
 */
final class DiskFullIT {
    private static final Instant START = Instant.parse("2026-03-02T09:00:00Z");
    private static final int THREADS = 4;

    @TempDir
    Path tmp;

    private Path disk;
    private boolean mounted;
    private @Nullable Harness h;

    @BeforeEach
    void mount() throws Exception {
        disk = Files.createDirectories(tmp.resolve("disk"));
        Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", disk.toString())
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (p.waitFor() != 0) {
            String why = "DiskFullIT needs a 4 MB tmpfs (mount runs as root only): mount said: " + out;
            if ("true".equals(System.getenv("CI"))) {
                fail(why);
            }
            Assumptions.abort(why);
        }
        mounted = true;
    }

    @AfterEach
    void unmount() throws Exception {
        if (h != null) {
            h.close();
        }
        if (mounted) {
            new ProcessBuilder("umount", "-l", disk.toString())
                    .redirectErrorStream(true)
                    .start()
                    .waitFor();
        }
    }

    @Test
    void a_full_disk_refuses_writes_without_storing_them_and_writes_resume_when_space_is_freed() throws Exception {
        Path data = disk.resolve("data");
        h = new Harness(data, START);
        Harness server = h;
        assertThat(server.applySampleCatalog().status()).isEqualTo(200);
        server.customerOn("acme", "enterprise");

        Path filler = disk.resolve("filler");
        fill(filler);

        Map<String, Boolean> acked = new ConcurrentHashMap<>();
        Map<String, Boolean> refused = new ConcurrentHashMap<>();
        Map<String, Boolean> inDoubt = new ConcurrentHashMap<>();
        List<String> other = new ArrayList<>();
        AtomicInteger sent = new AtomicInteger();
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            int thread = t;
            workers.add(new Thread(() -> {
                for (int i = 0; refused.size() < 200 && sent.incrementAndGet() < 4000; i++) {
                    String key = "full-" + thread + "-" + i;
                    ApiClient.Reply r = server.consume("acme", "ai-queries", 1, key);
                    if (r.status() == 200) {
                        acked.put(key, true);
                    } else if (r.status() == 503
                            && "STORE_UNAVAILABLE".equals(r.error().get("code"))) {
                        refused.put(key, true);
                    } else if (r.status() == 504
                            && "COMMIT_IN_DOUBT".equals(r.error().get("code"))) {
                        inDoubt.put(key, true);
                    } else {
                        synchronized (other) {
                            other.add(r.status() + " " + r.text());
                        }
                    }
                }
            }));
        }
        workers.forEach(Thread::start);
        for (Thread w : workers) {
            w.join();
        }
        assertThat(refused).as("writes refused while the disk is full").isNotEmpty();

        Files.delete(filler);
        long freed = System.nanoTime();
        long deadline = freed + 30_000_000_000L;
        int resumed = 0;
        long recoveredAfterNanos = -1;
        for (int i = 0; resumed < 50; i++) {
            assertThat(System.nanoTime())
                    .as("writes resume within 30 s of freeing space")
                    .isLessThan(deadline);
            String key = "freed-" + i;
            ApiClient.Reply r = server.consume("acme", "ai-queries", 1, key);
            if (r.status() == 200) {
                acked.put(key, true);
                resumed++;
                if (recoveredAfterNanos < 0) {
                    recoveredAfterNanos = System.nanoTime() - freed;
                }
            } else if (r.status() == 503) {
                refused.put(key, true);
                Thread.sleep(20);
            } else {
                assertThat(r.status()).as(r.text()).isEqualTo(504);
                inDoubt.put(key, true);
            }
        }

        server.restart();
        List<String> lost = new ArrayList<>();
        for (String key : acked.keySet()) {
            if (!server.consume("acme", "ai-queries", 1, key).replayed()) {
                lost.add(key);
            }
        }
        List<String> storedAfter503 = new ArrayList<>();
        for (String key : refused.keySet()) {
            if (server.consume("acme", "ai-queries", 1, key).replayed()) {
                storedAfter503.add(key);
            }
        }
        System.out.printf(
                "DiskFullIT: %d acknowledged, %d answered 503, %d answered 504, %d stored after 503, writes resumed"
                        + " %d ms after space was freed%n",
                acked.size(), refused.size(), inDoubt.size(), storedAfter503.size(), recoveredAfterNanos / 1_000_000);
        server.close();
        h = null;
        try (Store store = SqliteStores.open(data)) {
            assertThat(Verifier.verify(store).differences()).as("verify").isEmpty();
        }
        assertThat(other)
                .as("answers other than 200, 503 STORE_UNAVAILABLE, 504 COMMIT_IN_DOUBT")
                .isEmpty();
        assertThat(lost).as("acknowledged writes missing after the restart").isEmpty();
        assertThat(storedAfter503).as("writes answered 503 but stored").isEmpty();
    }

    /** Writes a file until the file system has no room left. */
    private static void fill(Path file) throws IOException {
        byte[] block = new byte[4096];
        try (OutputStream out = Files.newOutputStream(file)) {
            while (true) {
                out.write(block);
                out.flush();
            }
        } catch (IOException full) {
            // the disk is full now
        }
    }
}
