package dev.tollgate.store.tests;

import dev.tollgate.testkit.contract.BillingContract;
import dev.tollgate.testkit.contract.StoreSpec;
import java.util.List;

/** {@link BillingContract} on every store of {@link StoreSpecs#all()}. */
final class BillingContractIT extends BillingContract {
    static List<StoreSpec> stores() {
        return StoreSpecs.all();
    }
}
