package org.omnispark.data.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.omnispark.data.ingest.JsonLinesManifest;
import org.omnispark.data.ingest.ParsedLine;
import org.omnispark.data.reader.ShardReader;

/**
 * Two attempts of one shard task racing, as speculation or a zombie task on a lost executor makes them (Spark will
 * not put a speculative copy on the same host, so the race is staged here with the task itself): the second
 * attempt passes the "already done?" check, then the first commits. The committed shard must survive untouched, the
 * late attempt must leave nothing behind, and a marker of another plan is refused.
 */
class ShardAttemptRaceTest {

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void aLateAttemptNeverReplacesOrDeletesTheCommittedShard(@TempDir Path tmp) throws Exception {
        Path manifest = TestCorpora.corpus(12, 5, 0.0).resolve("manifest.jsonl");
        List<PlannedUtterance> planned = new ArrayList<>();
        long line = 0;
        for (String l : Files.readAllLines(manifest)) {
            ParsedLine p = org.omnispark.data.ingest.ManifestSource.resolve(JsonLinesManifest.parse(l,
                    manifest.toString(), line++), manifest.getParent().toString());
            if (!p.isMalformed()) {
                planned.add(new PlannedUtterance(p.entry(), 1.0));
            }
        }
        PrepareConfig config = TestCorpora.config(List.of(manifest.toString()), "filters.min_confidence=0");
        UtteranceProcessor.Recipe recipe = TestCorpora.recipe(config,
                planned.stream().map(PlannedUtterance::entry).toList());
        Path out = tmp.resolve("out");
        OutputCommitter committer = OutputCommitter.begin(out.toString(), false, new Configuration(), "test\n");
        ShardPlan.Info plan = new ShardPlan.Info("plan-v1:1:12:test", 1, planned.size(), 12_000_000);
        ShardTask task = new ShardTask(recipe, committer.output().toString(), plan, config.output());

        CountDownLatch lateChecked = new CountDownLatch(1);
        CountDownLatch firstCommitted = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(1);
        try {
            // The late attempt has passed its marker check; its input then waits until the first one committed.
            Future<ShardOutcome> late = pool.submit(() -> task.run(0, blockingUntil(lateChecked, firstCommitted,
                    planned)));
            assertTrue(lateChecked.await(1, TimeUnit.MINUTES), "the late attempt passed its marker check");
            ShardOutcome first = task.run(0, planned.iterator());
            assertNotNull(first.file(), "some rows are accepted: " + first.rejects());
            Path committed = out.resolve(first.file());
            Object identity = Files.readAttributes(committed, java.nio.file.attribute.BasicFileAttributes.class)
                    .fileKey();
            firstCommitted.countDown();
            ShardOutcome second = late.get(2, TimeUnit.MINUTES);

            assertEquals(first.file(), second.file(), "the late attempt returns the committed outcome");
            assertTrue(Files.exists(committed), "the committed shard file is still there");
            assertEquals(identity, Files.readAttributes(committed,
                    java.nio.file.attribute.BasicFileAttributes.class).fileKey(), "and was not replaced");
            try (Stream<Path> staged = Files.list(committed.getParent())) {
                assertEquals(List.of(committed), staged.filter(f -> !f.getFileName().toString().startsWith("."))
                        .toList(), "the late attempt deleted its own file");
            }
            FileSystem fs = FileSystem.get(out.toUri(), new Configuration());
            ShardOutcome marker = ShardTask.readMarker(fs, ShardTask.marker(committer.output().toString(), 0), plan);
            assertNotNull(marker);
            assertEquals(first.file(), marker.file());

            List<ShardOutcome> published = ShardPublisher.publish(committer, plan, Set.of());
            Path shard = out.resolve(published.get(0).file());
            assertEquals(out.resolve("shards/shard-00000-of-00001.parquet"), shard);
            try (ShardReader r = ShardReader.open(shard)) {
                long rows = 0;
                while (r.hasNext()) {
                    r.next();
                    rows++;
                }
                assertEquals(first.rows(), rows);
            }

            ShardPlan.Info other = new ShardPlan.Info("plan-v1:1:12:other", 1, planned.size(), 12_000_000);
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> new ShardTask(recipe,
                    committer.output().toString(), other, config.output()).run(0, planned.iterator()));
            assertTrue(e.getMessage().contains("made for shard plan plan-v1:1:12:test"), e.getMessage());
        } finally {
            pool.shutdownNow();
            assertTrue(pool.awaitTermination(1, TimeUnit.MINUTES));
        }
    }

    private static Iterator<PlannedUtterance> blockingUntil(CountDownLatch reached, CountDownLatch latch,
            List<PlannedUtterance> rows) {
        Iterator<PlannedUtterance> it = rows.iterator();
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                reached.countDown();
                try {
                    if (!latch.await(2, TimeUnit.MINUTES)) {
                        throw new IllegalStateException("the first attempt did not commit within 2 minutes");
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
                return it.hasNext();
            }

            @Override
            public PlannedUtterance next() {
                return it.next();
            }
        };
    }
}
