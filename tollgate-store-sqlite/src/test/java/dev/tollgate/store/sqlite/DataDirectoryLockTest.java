package dev.tollgate.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.core.store.Store;
import dev.tollgate.core.store.StoreException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One open store per data directory; the other process's case is {@code StartupIT} in the server. */
final class DataDirectoryLockTest {
    @TempDir
    Path dir;

    @Test
    void a_second_store_on_an_open_data_directory_is_refused_naming_the_holder() {
        try (Store first = SqliteStores.open(dir)) {
            assertThatThrownBy(() -> SqliteStores.open(dir))
                    .isInstanceOf(StoreException.class)
                    .hasMessage("the data directory " + dir.toAbsolutePath() + " is in use by process "
                            + ProcessHandle.current().pid());
            assertThat(first.ping()).isTrue();
        }
    }

    @Test
    void a_refused_second_open_in_this_process_leaves_the_first_store_holding_the_directory(@TempDir Path tools)
            throws Exception {
        try (Store first = SqliteStores.open(dir)) {
            assertThat(anotherProcessCanLock(tools))
                    .as("held by the first store")
                    .isFalse();

            assertThatThrownBy(() -> SqliteStores.open(dir)).hasMessageContaining("is in use by process");

            assertThat(anotherProcessCanLock(tools))
                    .as("the first store is still open: another process is still refused")
                    .isFalse();
            assertThat(first.ping()).isTrue();
        }
        assertThat(anotherProcessCanLock(tools))
                .as("free once the store is closed")
                .isTrue();
    }

    /** Runs a JVM that tries the lock file's OS lock: a real second process, as a second server would be. */
    private boolean anotherProcessCanLock(Path tools) throws Exception {
        Path source = tools.resolve("TryLock.java");
        Files.writeString(source, """
                import java.nio.channels.FileChannel;
                import java.nio.file.Path;
                import java.nio.file.StandardOpenOption;
                public class TryLock {
                    public static void main(String[] args) throws Exception {
                        try (FileChannel c = FileChannel.open(Path.of(args[0]), StandardOpenOption.WRITE)) {
                            System.exit(c.tryLock() != null ? 0 : 1);
                        }
                    }
                }
                """);
        Process p = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        source.toString(),
                        dir.resolve(DataDirectoryLock.FILE_NAME).toString())
                .inheritIO()
                .start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS))
                .as("the probe process ended")
                .isTrue();
        assertThat(p.exitValue()).as("the probe's answer: 0 locked, 1 refused").isIn(0, 1);
        return p.exitValue() == 0;
    }

    @Test
    void the_directory_is_free_again_once_the_store_is_closed() {
        SqliteStores.open(dir).close();

        try (Store again = SqliteStores.open(dir)) {
            assertThat(again.ping()).isTrue();
        }
    }

    @Test
    void a_directory_that_cannot_be_created_is_named_in_the_error() throws Exception {
        Path file = Files.writeString(dir.resolve("a-file"), "x");

        assertThatThrownBy(() -> SqliteStores.open(file.resolve("data")))
                .isInstanceOf(StoreException.class)
                .hasMessageStartingWith(
                        "cannot use the data directory " + file.resolve("data").toAbsolutePath());
    }
}
