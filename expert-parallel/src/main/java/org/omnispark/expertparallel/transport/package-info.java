/**
 * The wire between ranks: a full mesh of TCP connections ({@link org.omnispark.expertparallel.transport.PeerMesh}), one
 * sender and one receiver thread per peer, and frames carrying Arrow IPC record batches whose bodies go from tensor
 * memory to the socket and back without Java copies ({@link org.omnispark.expertparallel.transport.Frames}; each
 * frame names its values' {@link org.omnispark.expertparallel.transport.WireDtype}). Every wait has
 * a timeout whose error names the rank, the peer and the phase. Set-up ({@link
 * org.omnispark.expertparallel.transport.MeshConnector}, {@link org.omnispark.expertparallel.transport.HandshakeAcceptor}) handshakes
 * every connection concurrently under an absolute deadline; sizes from peers are bounded by {@link
 * org.omnispark.expertparallel.transport.FrameLimit}; every limit comes from {@link
 * org.omnispark.expertparallel.transport.MeshOptions}.
 */
package org.omnispark.expertparallel.transport;
