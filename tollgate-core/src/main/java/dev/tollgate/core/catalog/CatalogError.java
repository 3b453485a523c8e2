package dev.tollgate.core.catalog;

/**
 * One problem in a catalog document.
 *
 * @param path where it is, in the document's own terms ({@code plans[2].entitlements.ai-queries.limit})
 * @param message what is wrong ({@code must be >= 0})
 */
public record CatalogError(String path, String message) {
    @Override
    public String toString() {
        return path + ": " + message;
    }
}
