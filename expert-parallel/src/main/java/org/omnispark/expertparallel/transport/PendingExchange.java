package org.omnispark.expertparallel.transport;

import java.io.EOFException;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Transfers started by {@link PeerMesh#start}, under way on the links' threads: {@link #await} waits for all of
 * them until the mesh's timeout after the start, and on a failure closes the mesh (every link thread joined) before
 * it throws, so the caller may free the buffers.
 */
public final class PendingExchange {
    private final PeerMesh mesh;
    private final List<Future<Void>> futures;
    private final List<String> what;
    private final String phase;
    private final long deadline;

    PendingExchange(PeerMesh mesh, List<Future<Void>> futures, List<String> what, String phase, long deadline) {
        this.mesh = mesh;
        this.futures = futures;
        this.what = what;
        this.phase = phase;
        this.deadline = deadline;
    }

    /**
     * Waits until every transfer is done.
     *
     * @throws TransportException naming this rank, the peer and the phase, after closing the mesh, when a transfer
     *     failed or timed out
     */
    public void await() {
        int rank = mesh.rank();
        for (int i = 0; i < futures.size(); i++) {
            try {
                futures.get(i).get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                String stuck = mesh.fail();
                throw new TransportException("rank " + rank + " timed out after " + mesh.timeoutMillis() + " ms "
                        + what.get(i) + " in " + phase + "; that rank is slow, hung or dead (raise "
                        + "expert_parallel.timeout_seconds if it is only slow)" + stuck, e);
            } catch (ExecutionException e) {
                String stuck = mesh.fail();
                Throwable cause = e.getCause();
                String why = cause instanceof EOFException ? "the connection was closed by the peer"
                        : cause.getClass().getSimpleName() + ": " + cause.getMessage();
                throw new TransportException("rank " + rank + " failed " + what.get(i) + " in " + phase + ": " + why
                        + stuck, cause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                String stuck = mesh.fail();
                throw new TransportException("rank " + rank + " was interrupted " + what.get(i) + " in " + phase
                        + stuck, e);
            } catch (CancellationException e) {
                String stuck = mesh.fail();
                throw new TransportException("rank " + rank + ": " + what.get(i) + " was cancelled in " + phase
                        + stuck, e);
            }
        }
    }
}
