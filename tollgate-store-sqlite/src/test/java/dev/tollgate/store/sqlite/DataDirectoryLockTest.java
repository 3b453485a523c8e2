package dev.tollgate.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.core.store.Store;
import dev.tollgate.core.store.StoreException;
import java.nio.file.Files;
import java.nio.file.Path;
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
