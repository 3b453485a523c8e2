package dev.tollgate.core.mapping;

/**
 * Which JSON a record is written as: the journal's stored form, or the API's answer. The writers of this package take
 * it only where the two differ on purpose.
 */
public enum Form {
    /**
     * The journal's payload, read back on every start: compact (a default is left out and put back by the reader),
     * enums by their stored names, plan references as {@code {"key", "version"}} objects. Never changes for a record
     * already stored.
     */
    JOURNAL,
    /**
     * The API's answer ({@code API.md}): every figure shown, wire names, plan references as {@code plan} and
     * {@code planVersion}.
     */
    ANSWER
}
