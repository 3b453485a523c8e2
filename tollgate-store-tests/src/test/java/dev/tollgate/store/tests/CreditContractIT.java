package dev.tollgate.store.tests;

import dev.tollgate.testkit.contract.CreditContract;
import dev.tollgate.testkit.contract.StoreSpec;
import java.util.List;

/** {@link CreditContract} on every store of {@link StoreSpecs#all()}. */
final class CreditContractIT extends CreditContract {
    static List<StoreSpec> stores() {
        return StoreSpecs.all();
    }
}
