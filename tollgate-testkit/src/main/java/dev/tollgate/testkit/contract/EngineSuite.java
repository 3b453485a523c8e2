package dev.tollgate.testkit.contract;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.core.engine.Engine;
import dev.tollgate.core.engine.Verifier;
import dev.tollgate.core.store.Store;
import dev.tollgate.testkit.MutableClock;
import java.time.Instant;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;

/**
 * The base of the suites that drive an {@link Engine} on a store: a simulated clock, the engine and its store,
 * {@link #restart()} on the same data, and after each test the engine closed, the store checked by {@link Verifier}
 * if the suite asks for it, and closed.
 */
public abstract class EngineSuite extends StoreSuite {
    /** What to check after each test, once the engine is closed. */
    protected enum AfterEachTest {
        /** {@link Verifier} finds no difference between the store's counters and its records. */
        VERIFY,
        /** Nothing beyond the test's own assertions. */
        NOTHING
    }

    /** The engine's clock; tests move it. */
    protected final MutableClock clock;

    private final AfterEachTest afterEachTest;
    private @Nullable Store store;
    private @Nullable Engine engine;

    /**
     * @param start the clock's time when each test starts
     * @param afterEachTest what to check after each test
     */
    protected EngineSuite(Instant start, AfterEachTest afterEachTest) {
        this.clock = MutableClock.at(start);
        this.afterEachTest = afterEachTest;
    }

    /** Closes the engine and its store if open, then starts an engine on a store opened afresh on the test's data. */
    protected final void restart() {
        closeEngineAndStore();
        Store opened = openStore();
        store = opened;
        engine = Engine.start(opened, clock, null);
    }

    /** Closes the running engine and leaves its store open, for a test that writes to the store as nothing else runs. */
    protected final void stopEngine() {
        engine().close();
        engine = null;
    }

    /** The running engine; fails the test if {@link #restart()} has not started one. */
    protected final Engine engine() {
        assertThat(engine).isNotNull();
        return engine;
    }

    /** The store the running engine uses; fails the test if there is none. */
    protected final Store store() {
        assertThat(store).isNotNull();
        return store;
    }

    @AfterEach
    final void verifyAndStop() {
        try {
            if (engine != null) {
                engine.close();
                engine = null;
            }
            if (store != null && afterEachTest == AfterEachTest.VERIFY) {
                assertThat(Verifier.verify(store).differences())
                        .as("the store agrees with its records after the test")
                        .isEmpty();
            }
        } finally {
            closeEngineAndStore();
        }
    }

    private void closeEngineAndStore() {
        if (engine != null) {
            engine.close();
            engine = null;
        }
        if (store != null) {
            store.close();
            store = null;
        }
    }
}
