package dev.tollgate.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ClassHistogramTest {
    private static final String BEFORE = """
            12345:
             num     #instances         #bytes  class name (module)
            -------------------------------------------------------
               1:          1000          64000  [B (java.base@17)
               2:           100           2400  java.lang.String (java.base@17)
            Total          1100          66400
            """;
    private static final String AFTER = """
            12345:
             num     #instances         #bytes  class name (module)
            -------------------------------------------------------
               1:          1000          64000  [B (java.base@17)
               2:           300           7200  java.lang.String (java.base@17)
               3:            10            320  dev.tollgate.core.engine.OpenSession
            Total          1310          71520
            """;

    @Test
    void names_the_classes_that_grew_most_first_and_leaves_out_those_that_did_not() {
        var grown = ClassHistogram.parse(AFTER).grownSince(ClassHistogram.parse(BEFORE), 10);

        assertThat(grown).hasSize(2);
        assertThat(grown.get(0))
                .contains("java.lang.String")
                .contains("+4.7 KB")
                .contains("+200");
        assertThat(grown.get(1))
                .contains("dev.tollgate.core.engine.OpenSession")
                .contains("+10");
    }
}
