package dev.tollgate.store.tests;

import dev.tollgate.testkit.contract.LimitsContract;
import dev.tollgate.testkit.contract.StoreSpec;
import java.util.List;

/** {@link LimitsContract} on every store of {@link StoreSpecs#all()}. */
final class LimitsContractIT extends LimitsContract {
    static List<StoreSpec> stores() {
        return StoreSpecs.all();
    }
}
