package dev.tollgate.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

final class DecimalsTest {
    /** The definition: trailing zeros stripped, never a negative scale, every zero {@link BigDecimal#ZERO}. */
    private static BigDecimal canonical(BigDecimal value) {
        if (value.signum() == 0) {
            return BigDecimal.ZERO;
        }
        BigDecimal stripped = value.stripTrailingZeros();
        return stripped.scale() < 0 ? stripped.setScale(0) : stripped;
    }

    @Test
    void normalize_is_the_canonical_form_for_every_scale() {
        long seed = System.nanoTime();
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < 100_000; i++) {
            BigInteger unscaled = BigInteger.valueOf(random.nextLong(-1_000_000_000L, 1_000_000_000L))
                    .multiply(BigInteger.TEN.pow(random.nextInt(0, 4)));
            BigDecimal value = new BigDecimal(unscaled, random.nextInt(-3, 8));
            BigDecimal normal = Decimals.normalize(value);
            assertThat(normal).as("seed %d, %s", seed, value).isEqualTo(canonical(value));
            assertThat(normal.scale()).as("seed %d, %s", seed, value).isNotNegative();
            assertThat(normal.compareTo(value)).isZero();
        }
        assertThat(Decimals.normalize(new BigDecimal("1000"))).isEqualTo(new BigDecimal("1000"));
        assertThat(Decimals.normalize(new BigDecimal("0E-5"))).isSameAs(BigDecimal.ZERO);
        assertThat(Decimals.normalize(new BigDecimal("1E+3"))).isEqualTo(new BigDecimal("1000"));
        assertThat(Decimals.normalize(new BigDecimal("2.500"))).isEqualTo(new BigDecimal("2.5"));
    }
}
