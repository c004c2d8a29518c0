package org.omnispark.expertparallel.transport;

import javax.net.ssl.SSLContext;

/**
 * The limits, the security and the wire format of a {@link PeerMesh}: every bound here comes from the job's
 * configuration, never from what a peer sends.
 *
 * @param timeoutMillis the longest wait for any peer: the rendezvous, all connections of the mesh, each exchange
 * @param handshakeMillis the absolute deadline of one connection's handshake (TLS and the HMAC challenge), counted
 *     from its accept or dial: a connection still handshaking then is closed, however it trickles bytes
 * @param maxPendingHandshakes how many accepted connections may be handshaking at once; one more is closed at once
 * @param maxFrameBytes the largest frame payload this rank sends or receives; a larger one announced by a peer (its
 *     split counts) fails before anything is allocated for it
 * @param tls the TLS context ({@link MeshTls#context}), or null for plain TCP
 * @param ports the ports this rank may listen on ({@link PortRange}), or null for one the OS chooses
 * @param wireDtype the type token rows and all-reduce chunks travel as ({@code expert_parallel.wire_dtype}):
 *     {@link WireDtype#FLOAT32} (exact) or {@link WireDtype#BFLOAT16} (half the bytes); every process group on the
 *     mesh uses it
 * @param ringPieceBytes on a float32 wire, the ring all-reduce streams pieces of at most this many bytes ({@code
 *     expert_parallel.ring_piece_kb}); 0: a ring step at a time (the bfloat16 wire always)
 */
public record MeshOptions(long timeoutMillis, long handshakeMillis, int maxPendingHandshakes, long maxFrameBytes,
        SSLContext tls, PortRange ports, WireDtype wireDtype, long ringPieceBytes) {

    /** The longest handshake by default: a real rank on the same network handshakes in milliseconds. */
    public static final long MAX_HANDSHAKE_MILLIS = 10_000;
    /** Pending handshakes by default. */
    public static final int DEFAULT_MAX_PENDING_HANDSHAKES = 64;
    /** The largest frame payload by default: 1 GiB. */
    public static final long DEFAULT_MAX_FRAME_BYTES = 1L << 30;

    /** Validates. */
    public MeshOptions {
        if (timeoutMillis < 1 || handshakeMillis < 1 || maxPendingHandshakes < 1 || maxFrameBytes < 1) {
            throw new IllegalArgumentException("mesh options must be positive: timeout " + timeoutMillis
                    + " ms, handshake " + handshakeMillis + " ms, pending handshakes " + maxPendingHandshakes
                    + ", frame " + maxFrameBytes + " B");
        }
        if (ringPieceBytes < 0 || ringPieceBytes % 4 != 0) {
            throw new IllegalArgumentException("the ring's piece must be a whole number of floats (0: no pieces), got "
                    + ringPieceBytes + " B");
        }
        if (wireDtype == null || !wireDtype.isFloat()) {
            throw new IllegalArgumentException("the wire dtype of float tensors must be float32 or bfloat16, got "
                    + wireDtype);
        }
    }

    /**
     * The defaults for a timeout: handshakes of at most min({@value #MAX_HANDSHAKE_MILLIS} ms, timeout), at most
     * {@value #DEFAULT_MAX_PENDING_HANDSHAKES} pending, frames of at most 1 GiB, plain TCP, any port, float32 on the
     * wire.
     *
     * @param timeoutMillis the longest wait for any peer
     * @return the options
     */
    public static MeshOptions of(long timeoutMillis) {
        return new MeshOptions(timeoutMillis, Math.min(MAX_HANDSHAKE_MILLIS, timeoutMillis),
                DEFAULT_MAX_PENDING_HANDSHAKES, DEFAULT_MAX_FRAME_BYTES, null, null, WireDtype.FLOAT32, 0);
    }

    /** @param context TLS context, or null for plain TCP @return a copy with it */
    public MeshOptions withTls(SSLContext context) {
        return new MeshOptions(timeoutMillis, handshakeMillis, maxPendingHandshakes, maxFrameBytes, context, ports,
                wireDtype, ringPieceBytes);
    }

    /** @param bytes the largest frame payload @return a copy with it */
    public MeshOptions withMaxFrameBytes(long bytes) {
        return new MeshOptions(timeoutMillis, handshakeMillis, maxPendingHandshakes, bytes, tls, ports, wireDtype,
                ringPieceBytes);
    }

    /** @param millis the handshake deadline @return a copy with it */
    public MeshOptions withHandshakeMillis(long millis) {
        return new MeshOptions(timeoutMillis, millis, maxPendingHandshakes, maxFrameBytes, tls, ports, wireDtype,
                ringPieceBytes);
    }

    /** @param pending the cap on pending handshakes @return a copy with it */
    public MeshOptions withMaxPendingHandshakes(int pending) {
        return new MeshOptions(timeoutMillis, handshakeMillis, pending, maxFrameBytes, tls, ports, wireDtype,
                ringPieceBytes);
    }

    /** @param range the ports to listen on, or null for any @return a copy with it */
    public MeshOptions withPorts(PortRange range) {
        return new MeshOptions(timeoutMillis, handshakeMillis, maxPendingHandshakes, maxFrameBytes, tls, range,
                wireDtype, ringPieceBytes);
    }

    /** @param dtype the type float tensors travel as @return a copy with it */
    public MeshOptions withWireDtype(WireDtype dtype) {
        return new MeshOptions(timeoutMillis, handshakeMillis, maxPendingHandshakes, maxFrameBytes, tls, ports,
                dtype, ringPieceBytes);
    }

    /** @param bytes the ring all-reduce's piece (0: a step at a time) @return a copy with it */
    public MeshOptions withRingPieceBytes(long bytes) {
        return new MeshOptions(timeoutMillis, handshakeMillis, maxPendingHandshakes, maxFrameBytes, tls, ports,
                wireDtype, bytes);
    }
}
