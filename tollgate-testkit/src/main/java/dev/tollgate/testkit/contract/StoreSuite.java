package dev.tollgate.testkit.contract;

import dev.tollgate.core.store.Store;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The base of every contract suite: runs each of the suite's tests once per {@link StoreSpec} that the concrete test
 * class lists in a static {@code stores()} method, on fresh data per test.
 *
 * <p>A store's test class extends a suite and lists its specs; it writes nothing else:
 *
 * <pre>{@code
 * final class EngineContractIT extends EngineContract {
 *     static List<StoreSpec> stores() {
 *         return StoreSpecs.all();
 *     }
 * }
 * }</pre>
 *
 * <p>A test opens its store with {@link #openStore()}, again to restart on the same data; it closes every store it
 * opened (the suites do so in their own {@code @AfterEach}), and this class then deletes the data. JUnit runs the
 * {@code @AfterEach} methods of a subclass before those of its superclass, so the data outlives the stores on it.
 */
@ParameterizedClass(name = "[{index}] {0}")
@MethodSource("stores")
public abstract class StoreSuite {
    @Parameter
    private @Nullable StoreSpec spec;

    private StoreSpec.@Nullable Data data;

    /** The store this invocation of the suite runs on. */
    protected final StoreSpec spec() {
        if (spec == null) {
            throw new IllegalStateException("no StoreSpec: the test class must list them in a static stores() method");
        }
        return spec;
    }

    /**
     * Opens the store of the current test, on data made at the test's first call and kept until it ends.
     *
     * @return an open store on this test's data; the caller closes it
     */
    protected final Store openStore() {
        if (data == null) {
            data = spec().fresh().get();
        }
        return data.open();
    }

    @AfterEach
    final void deleteData() {
        if (data != null) {
            data.close();
            data = null;
        }
    }
}
