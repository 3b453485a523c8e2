package dev.tollgate.store.tests;

import dev.tollgate.testkit.contract.AllotmentContract;
import dev.tollgate.testkit.contract.StoreSpec;
import java.util.List;

/** {@link AllotmentContract} on every store of {@link StoreSpecs#all()}. */
final class AllotmentContractIT extends AllotmentContract {
    static List<StoreSpec> stores() {
        return StoreSpecs.all();
    }
}
