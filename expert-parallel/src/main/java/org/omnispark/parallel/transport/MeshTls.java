package org.omnispark.parallel.transport;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The TLS context of the exchange mesh: this rank's certificate and key (a PKCS12 key store) and the certificates it
 * trusts (a PKCS12 trust store). Every rank of a job uses the same files, e.g. shipped with {@code spark-submit
 * --files}; a connection is accepted only from a peer whose certificate the trust store holds (mutual TLS 1.3), and
 * then the per-attempt HMAC challenge still runs inside it.
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
     * The context from the {@code expert_parallel.tls} file names and the password environment variables.
     *
     * @param keystore the key store path (relative paths resolve in the executor's working folder, where {@code
     *     --files} puts them)
     * @param truststore the trust store path
     * @return a TLS 1.3 context
     */
    public static SSLContext fromEnvironment(String keystore, String truststore) {
        return context(Path.of(keystore), password(KEYSTORE_PASSWORD_ENV), Path.of(truststore),
                password(TRUSTSTORE_PASSWORD_ENV));
    }

    private static char[] password(String variable) {
        String value = System.getenv(variable);
        return value == null ? new char[0] : value.toCharArray();
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
                    + "); is it PKCS12, and is its password in " + passwordVariable + " (spark.executorEnv."
                    + passwordVariable + ")?", e);
        }
    }
}
