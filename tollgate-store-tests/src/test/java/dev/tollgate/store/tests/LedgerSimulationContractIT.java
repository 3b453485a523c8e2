package dev.tollgate.store.tests;

import dev.tollgate.testkit.contract.LedgerSimulationContract;
import dev.tollgate.testkit.contract.StoreSpec;
import java.util.List;

/** {@link LedgerSimulationContract} on every store of {@link StoreSpecs#all()}. */
final class LedgerSimulationContractIT extends LedgerSimulationContract {
    static List<StoreSpec> stores() {
        return StoreSpecs.all();
    }
}
