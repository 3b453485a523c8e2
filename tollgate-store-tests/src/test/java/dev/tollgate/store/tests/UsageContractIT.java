package dev.tollgate.store.tests;

import dev.tollgate.testkit.contract.StoreSpec;
import dev.tollgate.testkit.contract.UsageContract;
import java.util.List;

/** {@link UsageContract} on every store of {@link StoreSpecs#all()}. */
final class UsageContractIT extends UsageContract {
    static List<StoreSpec> stores() {
        return StoreSpecs.all();
    }
}
