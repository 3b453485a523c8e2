package dev.tollgate.store.tests;

import dev.tollgate.testkit.contract.GovernanceContract;
import dev.tollgate.testkit.contract.StoreSpec;
import java.util.List;

/** {@link GovernanceContract} on every store of {@link StoreSpecs#all()}. */
final class GovernanceContractIT extends GovernanceContract {
    static List<StoreSpec> stores() {
        return StoreSpecs.all();
    }
}
