package org.omnispark.expertparallel.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.omnispark.expertparallel.transport.MeshOptions;
import org.omnispark.expertparallel.transport.WireDtype;
import org.omnispark.trainer.model.TinyDatasets;

/**
 * The {@code expert_parallel} settings reach a rank's mesh by one route, {@link RankTask#meshOptions}: the wire dtype
 * (float32 unless set; bfloat16 when set; anything else refused when the config is loaded, naming the key), the
 * timeout, the largest frame, the ports, the ring all-reduce's pieces (none unless set; a negative size refused).
 */
class MeshOptionsFromConfigTest {

    @Test
    void float32IsTheDefaultWireDtype() {
        MeshOptions options = RankTask.meshOptions(TinyDatasets.train(), null);
        assertEquals(WireDtype.FLOAT32, options.wireDtype());
        assertEquals(120_000, options.timeoutMillis(), "conf/train/tiny.yaml's timeout_seconds");
        assertNull(options.ports());
        assertEquals(0, options.ringPieceBytes(), "the ring a step at a time unless set");
    }

    @Test
    void ringPiecesAreSetByTheConfigKeyAndReachTheGroups() {
        MeshOptions options = RankTask.meshOptions(TinyDatasets.train("expert_parallel.ring_piece_kb=512"), null);
        assertEquals(512L << 10, options.ringPieceBytes());
        Exception e = assertThrows(Exception.class, () -> TinyDatasets.train("expert_parallel.ring_piece_kb=-1"));
        String message = e.getMessage() + (e.getCause() == null ? "" : " " + e.getCause().getMessage());
        assertTrue(message.contains("expert_parallel.ring_piece_kb"), message);
    }

    @Test
    void bfloat16IsSetByTheConfigKey() {
        MeshOptions options = RankTask.meshOptions(TinyDatasets.train("expert_parallel.wire_dtype=bfloat16",
                "expert_parallel.max_frame_mb=8"), "47000-47010");
        assertEquals(WireDtype.BFLOAT16, options.wireDtype());
        assertEquals(8L << 20, options.maxFrameBytes());
        assertEquals(47000, options.ports().first());
    }

    @Test
    void anotherWireDtypeIsAConfigError() {
        Exception e = assertThrows(Exception.class, () -> TinyDatasets.train("expert_parallel.wire_dtype=fp16"));
        String message = e.getMessage() + (e.getCause() == null ? "" : " " + e.getCause().getMessage());
        assertTrue(message.contains("expert_parallel.wire_dtype") && message.contains("bfloat16"), message);
    }
}
