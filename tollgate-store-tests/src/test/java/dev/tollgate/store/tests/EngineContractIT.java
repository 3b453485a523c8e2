package dev.tollgate.store.tests;

import dev.tollgate.testkit.contract.EngineContract;
import dev.tollgate.testkit.contract.StoreSpec;
import java.util.List;

/** {@link EngineContract} on every store of {@link StoreSpecs#all()}. */
final class EngineContractIT extends EngineContract {
    static List<StoreSpec> stores() {
        return StoreSpecs.all();
    }
}
