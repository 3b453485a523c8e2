package dev.tollgate.store.tests;

import dev.tollgate.testkit.contract.StoreContract;
import dev.tollgate.testkit.contract.StoreSpec;
import java.util.List;

/** {@link StoreContract} on every store of {@link StoreSpecs#all()}. */
final class StoreContractIT extends StoreContract {
    static List<StoreSpec> stores() {
        return StoreSpecs.all();
    }
}
