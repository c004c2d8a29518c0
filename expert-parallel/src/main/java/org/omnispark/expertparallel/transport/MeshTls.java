package org.omnispark.expertparallel.transport;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.Arrays;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The TLS context of the exchange mesh: this rank's certificate and key (a PKCS12 key store) and the certificates it
 * trusts (a PKCS12 trust store). Every rank of a job uses the same files, e.g. shipped with {@code spark-submit
 * --files}; a connection is accepted only from a peer whose certificate the trust store holds (mutual TLS 1.3), and
 * then the per-attempt HMAC challenge runs inside it, over both certificates' fingerprints ({@link Handshake}), so
 * the TLS connection is bound to the job's key. Store passwords come from files ({@link #fromFiles}), not from
 * command lines.
 */
public final class MeshTls {

    /** The environment variable holding the key store's password. */
    public static final String KEYSTORE_PASSWORD_ENV = "OMNISPARK_TLS_KEYSTORE_PASSWORD";
    /** The environment variable holding the trust store's password. */
    public static final String TRUSTSTORE_PASSWORD_ENV = "OMNISPARK_TLS_TRUSTSTORE_PASSWORD";

    private MeshTls() {}

    /**
     * @param keystore PKCS12 file with this rank's private key and certificate
     * @param keystorePassword its password
     * @param truststore PKCS12 file with the certificates to trust
     * @param truststorePassword its password
     * @return a TLS 1.3 context
     * @throws IllegalArgumentException when a file is missing or cannot be opened, saying which and why
     */
    public static SSLContext context(Path keystore, char[] keystorePassword, Path truststore,
            char[] truststorePassword) {
        try {
            KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(load(keystore, keystorePassword, "key store", KEYSTORE_PASSWORD_ENV), keystorePassword);
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(load(truststore, truststorePassword, "trust store", TRUSTSTORE_PASSWORD_ENV));
            SSLContext context = SSLContext.getInstance("TLSv1.3");
            context.init(keys.getKeyManagers(), trust.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot set up TLS for the exchange from " + keystore + " and "
                    + truststore + ": " + e.getMessage(), e);
        }
    }

    /**
     * The context from the {@code expert_parallel.tls} file names, passwords from the environment variables.
     *
     * @param keystore the key store path (relative paths resolve in the executor's working folder, where {@code
     *     --files} puts them)
     * @param truststore the trust store path
     * @return a TLS 1.3 context
     */
    public static SSLContext fromEnvironment(String keystore, String truststore) {
        return fromFiles(keystore, "", truststore, "");
    }

    /**
     * The context from the {@code expert_parallel.tls} settings: each password from its file when one is named (the
     * file's first line; a Kubernetes secret mounted as a file, or a file only the job's user can read), else from
     * its environment variable ({@value #KEYSTORE_PASSWORD_ENV}, {@value #TRUSTSTORE_PASSWORD_ENV}).
     *
     * @param keystore the key store path (relative paths resolve in the executor's working folder)
     * @param keystorePasswordFile the file holding its password, or "" for the environment variable
     * @param truststore the trust store path
     * @param truststorePasswordFile the file holding its password, or "" for the environment variable
     * @return a TLS 1.3 context
     * @throws IllegalArgumentException naming the file when a password file or store cannot be read
     */
    public static SSLContext fromFiles(String keystore, String keystorePasswordFile, String truststore,
            String truststorePasswordFile) {
        char[] keystorePassword = password(keystorePasswordFile, KEYSTORE_PASSWORD_ENV, "key store");
        char[] truststorePassword = password(truststorePasswordFile, TRUSTSTORE_PASSWORD_ENV, "trust store");
        try {
            return context(Path.of(keystore), keystorePassword, Path.of(truststore), truststorePassword);
        } finally {
            Arrays.fill(keystorePassword, '\0');
            Arrays.fill(truststorePassword, '\0');
        }
    }

    private static char[] password(String file, String variable, String what) {
        if (file == null || file.isEmpty()) {
            String value = System.getenv(variable);
            return value == null ? new char[0] : value.toCharArray();
        }
        Path path = Path.of(file);
        try {
            String text = Files.readString(path, StandardCharsets.UTF_8);
            int end = text.indexOf('\n');
            String line = end < 0 ? text : text.substring(0, end);
            return (line.endsWith("\r") ? line.substring(0, line.length() - 1) : line).toCharArray();
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the TLS " + what + " password file "
                    + path.toAbsolutePath() + " (" + e + "): make it readable by the job's user on every executor "
                    + "(e.g. a mounted secret) and name it in expert_parallel.tls", e);
        }
    }

    private static KeyStore load(Path file, char[] password, String what, String passwordVariable)
            throws GeneralSecurityException {
        if (!Files.isReadable(file)) {
            throw new IllegalArgumentException("the TLS " + what + " " + file.toAbsolutePath() + " is not readable "
                    + "here: ship it to every executor (spark-submit --files) and name it in expert_parallel.tls");
        }
        try (InputStream in = Files.newInputStream(file)) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(in, password);
            return store;
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot open the TLS " + what + " " + file + " (" + e.getMessage()
                    + "); is it PKCS12, and is its password in the file named by expert_parallel.tls."
                    + (passwordVariable.equals(KEYSTORE_PASSWORD_ENV) ? "keystore" : "truststore")
                    + "_password_file (or, without one, in " + passwordVariable + ")?", e);
        }
    }
}
