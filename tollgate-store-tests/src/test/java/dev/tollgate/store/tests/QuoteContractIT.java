package dev.tollgate.store.tests;

import dev.tollgate.testkit.contract.QuoteContract;
import dev.tollgate.testkit.contract.StoreSpec;
import java.util.List;

/** {@link QuoteContract} on every store of {@link StoreSpecs#all()}. */
final class QuoteContractIT extends QuoteContract {
    static List<StoreSpec> stores() {
        return StoreSpecs.all();
    }
}
