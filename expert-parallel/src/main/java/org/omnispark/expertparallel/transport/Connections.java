package org.omnispark.expertparallel.transport;

import java.io.IOException;
import java.net.Socket;
import java.net.StandardSocketOptions;
import java.nio.channels.SocketChannel;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/** What every connection of the mesh goes through, dialled or accepted: TLS layering, the link, the hard close. */
final class Connections {

    private Connections() {}

    /** The channel's socket, or a TLS socket layered on it (handshake done), with the given read timeout. */
    static Socket secure(SocketChannel channel, SSLContext tls, boolean client, int timeoutMillis)
            throws IOException {
        Socket plain = channel.socket();
        plain.setSoTimeout(timeoutMillis);
        if (tls == null) {
            return plain;
        }
        SSLSocket socket = (SSLSocket) tls.getSocketFactory().createSocket(plain,
                plain.getInetAddress().getHostAddress(), plain.getPort(), true);
        socket.setUseClientMode(client);
        socket.setEnabledProtocols(new String[] {"TLSv1.3"});
        if (!client) {
            socket.setNeedClientAuth(true);
        }
        socket.setSoTimeout(timeoutMillis);
        socket.startHandshake();
        return socket;
    }

    /** The link of an authenticated connection: over the channel itself, or over the TLS socket's streams. */
    static PeerLink link(int rank, int peer, SocketChannel channel, Socket socket) throws IOException {
        socket.setSoTimeout(0);
        if (socket == channel.socket()) {
            return new PeerLink(rank, peer, channel, channel);
        }
        return new PeerLink(rank, peer, channel, new StreamChannel(socket));
    }

    /**
     * Closes the TCP connection underneath everything (never a TLS close_notify, which waits for the TLS record lock
     * that a sender stuck on a full socket buffer holds). Hard: SO_LINGER 0, so the kernel drops unsent bytes and
     * resets the connection (the peer sees it at once, even in the middle of a write); soft: buffered bytes are still
     * delivered, then FIN. Neither blocks; a thread blocked in a read or write on the channel is woken.
     */
    static void close(SocketChannel channel, boolean hard) {
        try {
            if (hard && channel.isOpen()) {
                channel.setOption(StandardSocketOptions.SO_LINGER, 0);
            }
        } catch (IOException e) {
            // closing anyway
        }
        try {
            channel.close();
        } catch (IOException e) {
            // closed
        }
    }
}
