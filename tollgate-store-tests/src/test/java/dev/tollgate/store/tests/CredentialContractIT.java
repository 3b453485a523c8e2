package dev.tollgate.store.tests;

import dev.tollgate.testkit.contract.CredentialContract;
import dev.tollgate.testkit.contract.StoreSpec;
import java.util.List;

/** {@link CredentialContract} on every store of {@link StoreSpecs#all()}. */
final class CredentialContractIT extends CredentialContract {
    static List<StoreSpec> stores() {
        return StoreSpecs.all();
    }
}
