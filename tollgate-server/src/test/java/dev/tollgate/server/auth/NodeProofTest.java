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

        assertThat(receiver.check("n2", sender.of("n2"))).isEqualTo(NodeProof.Mark.NODE);
        assertThat(receiver.check("n2", " " + sender.of("n2").toUpperCase(java.util.Locale.ROOT) + " "))
                .as("hex in either case, surrounding space trimmed")
                .isEqualTo(NodeProof.Mark.NODE);
        assertThat(receiver.check("n2", sender.of("n2")))
                .as("again, from the kept proof")
                .isEqualTo(NodeProof.Mark.NODE);
    }

    @Test
    void a_mark_without_the_proof_of_its_node_under_this_root_key_is_forged() {
        NodeProof receiver = under(ROOT);
        String proofOfN2 = receiver.of("n2");

        assertThat(receiver.check(null, null)).as("no mark: a client's request").isEqualTo(NodeProof.Mark.NONE);
        assertThat(receiver.check(null, proofOfN2))
                .as("a proof alone marks nothing")
                .isEqualTo(NodeProof.Mark.NONE);
        assertThat(receiver.check("n2", null)).as("no proof").isEqualTo(NodeProof.Mark.FORGED);
        assertThat(receiver.check("n3", proofOfN2)).as("another node's proof").isEqualTo(NodeProof.Mark.FORGED);
        assertThat(receiver.check(
                        "n2", under("tg_sk_other_secret_0123456789abcdef").of("n2")))
                .as("a proof under another root key")
                .isEqualTo(NodeProof.Mark.FORGED);
        assertThat(receiver.check("n2", "not hex")).isEqualTo(NodeProof.Mark.FORGED);
        assertThat(receiver.check("n2", "")).isEqualTo(NodeProof.Mark.FORGED);
        assertThat(receiver.check("n2", proofOfN2.substring(2))).as("cut short").isEqualTo(NodeProof.Mark.FORGED);
    }

    @Test
    void made_up_node_ids_beyond_the_kept_proofs_are_still_checked() {
        NodeProof proofs = under(ROOT);
        for (int i = 0; i < 200; i++) {
            assertThat(proofs.check("x" + i, "00")).isEqualTo(NodeProof.Mark.FORGED);
        }
        assertThat(proofs.check("n7", proofs.of("n7"))).isEqualTo(NodeProof.Mark.NODE);
    }

    @Test
    void each_node_has_its_own_proof() {
        NodeProof proofs = under(ROOT);

        assertThat(proofs.of("n1")).isNotEqualTo(proofs.of("n2")).hasSize(64);
        assertThat(proofs.of("n1")).isEqualTo(proofs.of("n1"));
    }
}
