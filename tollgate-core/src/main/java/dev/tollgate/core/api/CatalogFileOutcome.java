package dev.tollgate.core.api;

import dev.tollgate.core.catalog.Catalog;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What became of a start-up catalog file: applied as a new version, or kept out because it has not changed since it
 * was last applied (so a change made through the API since stays current).
 *
 * @param current the current catalog afterwards
 * @param applied {@code true} if the file was published as {@code current}
 * @param lastFromFile the version last applied from this file before, or {@code null} if none was
 * @param file the file's name, as the journal knows it
 */
public record CatalogFileOutcome(
        Catalog current, boolean applied, @Nullable Integer lastFromFile, String file) {

    /** Which version is current and why, for the log. */
    public String reason() {
        if (applied) {
            return lastFromFile == null
                    ? "no version was applied from " + file + " before; it is now version " + current.version()
                    : file + " changed since it was applied as version " + lastFromFile + "; it is now version "
                            + current.version();
        }
        return Objects.equals(lastFromFile, current.version())
                ? file + " is unchanged since it was applied as version " + lastFromFile + ", which is current"
                : file + " is unchanged since it was applied as version " + lastFromFile + "; version "
                        + current.version() + " (by " + current.author() + ") was published since and stays current";
    }
}
