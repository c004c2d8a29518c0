package org.omnispark.trainer.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.omnispark.trainer.nn.ModelParameter;

/**
 * One writer per checkpoint folder. Without a lease, a second job saving into the folder of a running one prunes the
 * first one's checkpoints (with keep=1 its commit of step 5 deletes the other job's step 10), and a slow rank 0 of a
 * failed attempt can still commit or prune after the retry has started. With it: the second job is refused, naming
 * the owner; a later attempt of the same run takes over and the earlier one can no longer commit or prune; a dead
 * owner's claim goes stale; a finished run gives the folder up at once.
 */
@Timeout(60)
class CheckpointLeaseTest {
    private static final Duration BEAT = Duration.ofMillis(100);
    private static final Duration STALE = Duration.ofSeconds(2);

    @TempDir
    Path dir;

    private org.apache.hadoop.fs.Path folder() {
        return CheckpointManager.localPath(dir);
    }

    private CheckpointManager manager(CheckpointLease lease, int keep) {
        return CheckpointManager.builder().setDirectory(dir).optKeep(keep).optLease(lease).build();
    }

    private static List<ModelParameter> model(NDManager manager) {
        return List.of(ModelParameter.uniform(manager, "w", new Shape(2), DataType.FLOAT32, 0.5, 1, false));
    }

    private static TrainingState at(long step) {
        return new TrainingState(step, 0, step, 0, step);
    }

    @Test
    void aSecondRunIsRefusedWhileTheFirstIsAlive() {
        try (NDManager nd = TrainTestSupport.newManager();
                CheckpointLease first = CheckpointLease.claim(folder(), new Configuration(), "job-A", 0, BEAT, STALE)) {
            manager(first, 3).save(model(nd), null, at(10), null);
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> CheckpointLease.claim(folder(), new Configuration(), "job-B", 0, BEAT, STALE));
            assertTrue(e.getMessage().contains("in use by run job-A") && e.getMessage().contains("another --out"),
                    e.getMessage());
            assertTrue(Files.exists(dir.resolve("ckpt-10/checkpoint.json")), "job A's checkpoint is untouched");
        }
    }

    @Test
    void aLaterAttemptTakesOverAndTheEarlierOneCanNoLongerCommitOrPrune() {
        try (NDManager nd = TrainTestSupport.newManager();
                CheckpointLease attempt0 = CheckpointLease.claim(folder(), new Configuration(), "job-A", 0, BEAT,
                        STALE)) {
            CheckpointManager slow = manager(attempt0, 1);
            slow.save(model(nd), null, at(10), null);
            try (CheckpointLease attempt1 = CheckpointLease.claim(folder(), new Configuration(), "job-A", 1, BEAT,
                    STALE)) {
                IllegalStateException e = assertThrows(IllegalStateException.class,
                        () -> slow.save(model(nd), null, at(20), null));
                assertTrue(e.getMessage().contains("no longer owns") && e.getMessage().contains("job-A attempt 1"),
                        e.getMessage());
                assertFalse(Files.exists(dir.resolve("ckpt-20/checkpoint.json")), "the superseded attempt committed "
                        + "nothing");
                assertTrue(Files.exists(dir.resolve("ckpt-10/checkpoint.json")), "and pruned nothing");
                manager(attempt1, 1).save(model(nd), null, at(20), null);
                assertEquals(List.of(new org.apache.hadoop.fs.Path(folder(), "ckpt-20")), manager(null, 1).list());
                assertThrows(IllegalStateException.class,
                        () -> CheckpointLease.claim(folder(), new Configuration(), "job-A", 0, BEAT, STALE),
                        "an earlier attempt never takes the folder back");
            }
        }
    }

    @Test
    void aDeadOwnersClaimGoesStaleAndAFinishedRunGivesTheFolderUp() throws Exception {
        CheckpointLease dead = CheckpointLease.claim(folder(), new Configuration(), "job-A", 0, BEAT, STALE);
        dead.close(); // died: no more heartbeats, the claim stays
        assertThrows(IllegalStateException.class,
                () -> CheckpointLease.claim(folder(), new Configuration(), "job-B", 0, BEAT, STALE));
        Thread.sleep(STALE.toMillis() + 500);
        CheckpointLease next = CheckpointLease.claim(folder(), new Configuration(), "job-B", 0, BEAT, STALE);
        next.release();
        CheckpointLease.claim(folder(), new Configuration(), "job-C", 0, BEAT, STALE).release();
    }
}
