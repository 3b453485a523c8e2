package dev.tollgate.store.tests;

import dev.tollgate.testkit.contract.SessionContract;
import dev.tollgate.testkit.contract.StoreSpec;
import java.util.List;

/** {@link SessionContract} on every store of {@link StoreSpecs#all()}. */
final class SessionContractIT extends SessionContract {
    static List<StoreSpec> stores() {
        return StoreSpecs.all();
    }
}
