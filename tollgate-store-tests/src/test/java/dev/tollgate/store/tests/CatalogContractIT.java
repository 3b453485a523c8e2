package dev.tollgate.store.tests;

import dev.tollgate.testkit.contract.CatalogContract;
import dev.tollgate.testkit.contract.StoreSpec;
import java.util.List;

/** {@link CatalogContract} on every store of {@link StoreSpecs#all()}. */
final class CatalogContractIT extends CatalogContract {
    static List<StoreSpec> stores() {
        return StoreSpecs.all();
    }
}
