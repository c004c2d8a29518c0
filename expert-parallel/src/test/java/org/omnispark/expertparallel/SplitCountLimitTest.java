package org.omnispark.expertparallel;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.omnispark.expertparallel.transport.ProtocolException;
import org.omnispark.expertparallel.transport.TransportException;

/**
 * The sizes a rank allocates for an all-to-all come from its peers' counts (the dispatcher's all-gather of routing
 * counts); a peer that announces a count whose frame is over the configured maximum, or whose sum with the others
 * overflows, is refused with a {@link ProtocolException} naming it and the limit, before anything is allocated.
 * "Rank 1" announces the count through the real framing; rank 0 derives its output splits from it, as the dispatcher
 * does.
 */
@Timeout(60)
class SplitCountLimitTest {

    @ParameterizedTest
    @ValueSource(longs = {Long.MAX_VALUE, 1L << 31, -5})
    void aPeersCountOverTheLimitOrOverflowingIsRefusedBeforeAllocating(long announced) throws Exception {
        int d = 4;
        List<String> results = InProcessRanks.run(2, 10_000, mesh -> {
            MeshProcessGroup world = new MeshProcessGroup(mesh, new int[] {0, 1}, "world", new CommunicationClock());
            // each rank announces the rows it will send to rank 0; rank 1's count is corrupt
            long[] counts = world.allGather(new long[] {mesh.rank() == 0 ? 1 : announced}, "routing counts");
            if (mesh.rank() == 1) {
                return "rank 1 announced " + counts[1];
            }
            try (NDManager m = NDManager.newBaseManager("PyTorch")) {
                NDArray rows = m.zeros(new Shape(2, d));
                try {
                    world.allToAll(rows, new long[] {1, 1}, new long[] {counts[0], counts[1]}, "step 9 dispatch");
                    return "the all-to-all accepted " + counts[1] + " rows from rank 1";
                } catch (TransportException e) {
                    assertTrue(e.getCause() instanceof ProtocolException, "a ProtocolException: " + e);
                    return e.getMessage();
                }
            }
        });
        String message = results.get(0);
        assertTrue(message.contains("rank 1") && message.contains("step 9 dispatch"), message);
        assertTrue(announced < 0 ? message.contains("negative") || message.contains("corrupt")
                : message.contains("limit of " + (1L << 30) + " bytes") || message.contains("overflow"), message);
    }
}
