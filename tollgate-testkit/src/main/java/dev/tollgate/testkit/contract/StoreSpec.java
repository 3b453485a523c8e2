package dev.tollgate.testkit.contract;

import dev.tollgate.core.store.Store;
import java.util.function.Supplier;

/**
 * One store the contract suites run on: a name for the reports and a way to make fresh, empty data for one test.
 *
 * <p>A suite asks {@link #fresh()} once per test, opens the store on that data as often as the test restarts (each
 * {@link Data#open()} sees what the stores opened before it stored), and closes the data after the test. As in
 * Bucket4j's {@code ProxyManagerSpec}: the suites know nothing of a backend beyond its spec.
 *
 * <pre>{@code
 * StoreSpec sqlite = new StoreSpec("sqlite", () -> {
 *     Path dir = Files.createTempDirectory("tollgate-contract");
 *     return StoreSpec.Data.of(() -> SqliteStores.open(dir), () -> deleteRecursively(dir));
 * });
 * }</pre>
 *
 * @param name the store's name, shown in test reports as {@code [1] sqlite}
 * @param fresh makes new, empty data for one test; may throw {@link org.opentest4j.TestAbortedException} to skip
 *     the test when the store's server is unreachable
 */
public record StoreSpec(String name, Supplier<Data> fresh) {

    /** The data of one test: opened once or more (a restart), then closed once. Used by one test thread. */
    public interface Data extends AutoCloseable {
        /**
         * Opens a store on this data; the caller closes it before opening the next.
         *
         * @return an open store that sees everything stored on this data so far
         */
        Store open();

        /** Deletes the data (the temporary directory, the schema). Every store opened on it is closed by then. */
        @Override
        void close();

        /**
         * Data from two functions.
         *
         * @param open opens a store on the data
         * @param delete deletes the data
         */
        static Data of(Supplier<Store> open, Runnable delete) {
            return new Data() {
                @Override
                public Store open() {
                    return open.get();
                }

                @Override
                public void close() {
                    delete.run();
                }
            };
        }
    }

    /** The name, which JUnit shows for each invocation of a suite. */
    @Override
    public String toString() {
        return name;
    }
}
