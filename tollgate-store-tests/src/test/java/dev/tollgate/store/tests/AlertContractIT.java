package dev.tollgate.store.tests;

import dev.tollgate.testkit.contract.AlertContract;
import dev.tollgate.testkit.contract.StoreSpec;
import java.util.List;

/** {@link AlertContract} on every store of {@link StoreSpecs#all()}. */
final class AlertContractIT extends AlertContract {
    static List<StoreSpec> stores() {
        return StoreSpecs.all();
    }
}
