package dev.tollgate.store.tests;

import dev.tollgate.testkit.contract.IsolationContract;
import dev.tollgate.testkit.contract.StoreSpec;
import java.util.List;

/** {@link IsolationContract} on every store of {@link StoreSpecs#all()}. */
final class IsolationContractIT extends IsolationContract {
    static List<StoreSpec> stores() {
        return StoreSpecs.all();
    }
}
