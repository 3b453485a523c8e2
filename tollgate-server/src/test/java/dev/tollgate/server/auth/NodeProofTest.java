package dev.tollgate.server.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NodeProofTest {
    private static final String ROOT = "tg_sk_test_secret_0123456789abcdef";

    @TempDir
    Path dir;

    private NodeProof under(String root) {
        return NodeProof.under(ApiKeys.load(root, dir, created -> {}));
    }

    @Test
    void a_node_proof_made_under_the_same_root_key_is_believed() {
        NodeProof sender = under(ROOT);
        NodeProof receiver = under(ROOT);

        assertThat(receiver.relayedByNode("n2", sender.of("n2"))).isTrue();
        assertThat(receiver.relayedByNode("n2", " " + sender.of("n2").toUpperCase(java.util.Locale.ROOT) + " "))
                .as("hex in either case, surrounding space trimmed")
                .isTrue();
    }

    @Test
    void a_mark_without_the_proof_of_its_node_under_this_root_key_is_not() {
        NodeProof receiver = under(ROOT);
        String proofOfN2 = receiver.of("n2");

        assertThat(receiver.relayedByNode("n2", null)).as("no proof").isFalse();
        assertThat(receiver.relayedByNode(null, proofOfN2)).as("no node").isFalse();
        assertThat(receiver.relayedByNode("n3", proofOfN2))
                .as("another node's proof")
                .isFalse();
        assertThat(receiver.relayedByNode(
                        "n2", under("tg_sk_other_secret_0123456789abcdef").of("n2")))
                .as("a proof under another root key")
                .isFalse();
        assertThat(receiver.relayedByNode("n2", "not hex")).isFalse();
        assertThat(receiver.relayedByNode("n2", "")).isFalse();
        assertThat(receiver.relayedByNode("n2", proofOfN2.substring(2)))
                .as("cut short")
                .isFalse();
    }

    @Test
    void each_node_has_its_own_proof() {
        NodeProof proofs = under(ROOT);

        assertThat(proofs.of("n1")).isNotEqualTo(proofs.of("n2")).hasSize(64);
        assertThat(proofs.of("n1")).isEqualTo(proofs.of("n1"));
    }
}
