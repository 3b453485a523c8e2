package dev.tollgate.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The door's limits at their edges, decided without arithmetic that grows with an exponent (issue 16). */
final class LimitsTest {
    @Test
    void numbers_fit_up_to_forty_digits_each_side_of_the_point() {
        assertThat(Limits.fits(new BigDecimal("9".repeat(40) + "." + "9".repeat(40))))
                .isTrue();
        assertThat(Limits.fits(new BigDecimal("-1e39"))).isTrue();
        assertThat(Limits.fits(new BigDecimal("1e40"))).isFalse();
        assertThat(Limits.fits(new BigDecimal("1e-40"))).isTrue();
        assertThat(Limits.fits(new BigDecimal("10e-41"))).isTrue();
        assertThat(Limits.fits(new BigDecimal("1e-41"))).isFalse();
        assertThat(Limits.fits(new BigDecimal("1." + "0".repeat(900))))
                .as("trailing zeros")
                .isTrue();
        assertThat(Limits.fits(new BigDecimal("0e-1000000000"))).isTrue();
        assertThat(Limits.fits(new BigDecimal("1e1000000000"))).isFalse();
        assertThat(Limits.fits(new BigDecimal("1e-1000000000"))).isFalse();
        assertThat(Limits.fits(new BigDecimal("-1e20000000"))).isFalse();
    }

    @Test
    void storable_text_is_well_formed_utf16_without_nul() {
        assertThat(Limits.storable("pile of \ud83d\udca9, \u4e2d, \u0001\n\"\\\uffff"))
                .isTrue();
        assertThat(Limits.storable("")).isTrue();
        assertThat(Limits.storable("k\ud800x")).isFalse();
        assertThat(Limits.storable("k\udc00")).isFalse();
        assertThat(Limits.storable("\ud83d")).isFalse();
        assertThat(Limits.storable("\udca9\ud83d")).isFalse();
        assertThat(Limits.storable("a\u0000b")).isFalse();
    }

    @Test
    void instants_fit_from_the_epoch_to_the_end_of_9999() {
        assertThat(Limits.fits(Limits.MIN_INSTANT)).isTrue();
        assertThat(Limits.fits(Limits.MAX_INSTANT)).isTrue();
        assertThat(Limits.fits(Instant.EPOCH.minusNanos(1))).isFalse();
        assertThat(Limits.fits(Instant.parse("+10000-01-01T00:00:00Z"))).isFalse();
        assertThat(Limits.fits(Instant.MIN)).isFalse();
    }
}
