package org.omnispark.expertparallel.transport;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;

/**
 * Mutual authentication of a new connection between two ranks with a key only this job attempt's ranks hold
 * (HMAC-SHA256 challenge and response, fresh nonces on both sides, so a recorded exchange cannot be replayed and a
 * key of another attempt does not fit):
 *
 * <pre>
 *   connector -&gt; acceptor   magic, from-rank, to-rank, nonceC (16 B)
 *   acceptor  -&gt; connector  nonceA (16 B), HMAC(key, "accept" | from | to | nonceC | binding)
 *   connector -&gt; acceptor   HMAC(key, "connect" | from | to | nonceA | binding)
 *   acceptor  -&gt; connector  magic (accepted)
 *
 *   binding = SHA-256(connector's certificate) | SHA-256(acceptor's certificate) over TLS, empty over plain TCP
 * </pre>
 *
 * The binding ties the challenge to the TLS connection it runs in: each side takes both certificates from its own TLS
 * session, so a relay that terminates TLS on both sides with any other certificate (one signed by the job's CA
 * included) and passes the challenge through makes the two sides compute different MACs, and is refused. Reads are
 * bounded by the socket timeout (and the caller's absolute deadline) and by fixed sizes: nothing is allocated from
 * what the peer sends.
 */
final class Handshake {

    static final int MAGIC = 0x4F4C4548;
    private static final int NONCE = 16;
    private static final int MAC = 32;
    private static final SecureRandom RANDOM = new SecureRandom();

    private Handshake() {}

    /**
     * The connecting side. Throws when the acceptor does not prove it holds the key, or refuses.
     *
     * @param socket a connected socket (its SO_TIMEOUT bounds every read)
     * @param key the attempt's key
     * @param from this rank
     * @param to the rank connected to
     */
    static void connect(Socket socket, byte[] key, int from, int to) throws IOException {
        DataOutputStream out = new DataOutputStream(socket.getOutputStream());
        DataInputStream in = new DataInputStream(socket.getInputStream());
        byte[] binding = binding(socket, true);
        byte[] nonceC = nonce();
        out.writeInt(MAGIC);
        out.writeInt(from);
        out.writeInt(to);
        out.write(nonceC);
        out.flush();
        byte[] nonceA = new byte[NONCE];
        byte[] proof = new byte[MAC];
        in.readFully(nonceA);
        in.readFully(proof);
        if (!MessageDigest.isEqual(proof, mac(key, "accept", nonceC, from, to, binding))) {
            throw new IOException("rank " + to + " could not prove it belongs to this job attempt (wrong key"
                    + (binding.length == 0 ? ")" : ", or the TLS connection does not end at a rank of this job: a "
                    + "relay with a certificate other than the job's)"));
        }
        out.write(mac(key, "connect", nonceA, from, to, binding));
        out.flush();
        if (in.readInt() != MAGIC) {
            throw new IOException("rank " + to + " refused the connection");
        }
    }

    /**
     * The accepting side.
     *
     * @param socket an accepted socket (its SO_TIMEOUT bounds every read)
     * @param key the attempt's key
     * @param self this rank
     * @return the authenticated peer's rank (lower than self), or -1 for a connection that does not belong
     */
    static int accept(Socket socket, byte[] key, int self) {
        try {
            DataOutputStream out = new DataOutputStream(socket.getOutputStream());
            DataInputStream in = new DataInputStream(socket.getInputStream());
            if (in.readInt() != MAGIC) {
                return -1;
            }
            int from = in.readInt();
            int to = in.readInt();
            byte[] nonceC = new byte[NONCE];
            in.readFully(nonceC);
            if (to != self || from < 0 || from >= self) {
                return -1;
            }
            byte[] binding = binding(socket, false);
            byte[] nonceA = nonce();
            out.write(nonceA);
            out.write(mac(key, "accept", nonceC, from, to, binding));
            out.flush();
            byte[] proof = new byte[MAC];
            in.readFully(proof);
            if (!MessageDigest.isEqual(proof, mac(key, "connect", nonceA, from, to, binding))) {
                return -1;
            }
            out.writeInt(MAGIC);
            out.flush();
            return from;
        } catch (IOException e) { // EOF, timeout, reset: not a rank of this attempt
            return -1;
        }
    }

    /**
     * The key of one attempt of a job: HMAC-SHA256(job secret, "attempt " + attempt).
     *
     * @param jobSecret random bytes the driver made for the job (they travel in the task closure)
     * @param attempt the barrier stage's attempt number
     * @return 32 bytes
     */
    static byte[] attemptKey(byte[] jobSecret, int attempt) {
        return hmac(jobSecret, ("attempt " + attempt).getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] nonce() {
        byte[] nonce = new byte[NONCE];
        RANDOM.nextBytes(nonce);
        return nonce;
    }

    private static byte[] mac(byte[] key, String role, byte[] nonce, int from, int to, byte[] binding) {
        byte[] label = (role + " " + from + " " + to).getBytes(StandardCharsets.UTF_8);
        byte[] message = new byte[label.length + nonce.length + binding.length];
        System.arraycopy(label, 0, message, 0, label.length);
        System.arraycopy(nonce, 0, message, label.length, nonce.length);
        System.arraycopy(binding, 0, message, label.length + nonce.length, binding.length);
        return hmac(key, message);
    }

    /**
     * SHA-256 of the connector's certificate, then of the acceptor's, as this side's TLS session saw them; empty
     * without TLS.
     */
    static byte[] binding(Socket socket, boolean connector) throws IOException {
        if (!(socket instanceof SSLSocket tls)) {
            return new byte[0];
        }
        SSLSession session = tls.getSession();
        Certificate[] local = session.getLocalCertificates();
        Certificate[] peer = session.getPeerCertificates(); // throws when the peer presented none
        if (local == null || local.length == 0) {
            throw new SSLPeerUnverifiedException("this rank presented no certificate");
        }
        byte[] mine = fingerprint(local[0]);
        byte[] theirs = fingerprint(peer[0]);
        byte[] binding = new byte[64];
        System.arraycopy(connector ? mine : theirs, 0, binding, 0, 32);
        System.arraycopy(connector ? theirs : mine, 0, binding, 32, 32);
        return binding;
    }

    private static byte[] fingerprint(Certificate certificate) throws IOException {
        try {
            return MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded());
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot fingerprint a TLS certificate: " + e.getMessage(), e);
        }
    }

    private static byte[] hmac(byte[] key, byte[] message) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(message);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is missing from this JVM", e);
        }
    }
}
