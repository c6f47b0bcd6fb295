package dev.rloop.tls;

import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;

import org.graalvm.polyglot.HostAccess;

import dev.rloop.net.StreamChannel;

/**
 * A Python {@code ssl.SSLContext}'s settings rebuilt as a Java {@link SSLContext}, so the loop's
 * channels can run TLS in Java ({@link TlsChannel}). {@code rloop._tls_settings} records what the
 * program loaded into its context and builds one of these per context and settings; everything
 * a Python context can hold that is not mapped here keeps that context on asyncio's own TLS
 * layer.
 *
 * <p>One {@code TlsConfig} serves every connection of its Python context. Sessions are not
 * resumed behind the program's back: CPython resumes a session only when it is handed one
 * ({@code session=}), which asyncio never does, so every client connection makes a full
 * handshake there. Java's client would resume any session it cached for the same host and port,
 * so each client engine gets a key of its own ({@link #NEXT_SESSION_KEY}) and the cache keeps
 * one entry.
 */
public final class TlsConfig {
    /** Python's ssl.CERT_NONE, CERT_OPTIONAL, CERT_REQUIRED. */
    static final int CERT_NONE = 0;
    static final int CERT_OPTIONAL = 1;

    /** The port half of a client engine's session-cache key: never the same twice in a row. */
    private static final java.util.concurrent.atomic.AtomicInteger NEXT_SESSION_KEY =
            new java.util.concurrent.atomic.AtomicInteger();

    private final String[] protocols;
    private final int verifyMode;
    private final boolean checkHostname;
    private final String[] alpn;
    private final boolean systemTrust;
    private final KeyStore keys;
    private final KeyStore trusted;
    private SSLContext context;
    private String[] enabledProtocols; // protocols, less those this JDK's TLS does not offer

    private TlsConfig(String[] protocols, int verifyMode, boolean checkHostname, String[] alpn,
                      boolean systemTrust) throws GeneralSecurityException {
        this.protocols = protocols;
        this.verifyMode = verifyMode;
        this.checkHostname = checkHostname;
        this.alpn = alpn;
        this.systemTrust = systemTrust;
        this.keys = emptyStore();
        this.trusted = emptyStore();
    }

    /**
     * A configuration to fill with {@link #addKeyPair} and {@link #addTrusted}, then
     * {@link #build}. {@code protocols} and {@code alpn} are comma-separated ("TLSv1.3,TLSv1.2";
     * "" for none); {@code systemTrust} adds the JDK's CA store (the context loaded its defaults).
     */
    @HostAccess.Export
    public static TlsConfig create(String protocols, int verifyMode, boolean checkHostname, String alpn,
                                   boolean systemTrust) throws GeneralSecurityException {
        return new TlsConfig(split(protocols), verifyMode, checkHostname, split(alpn), systemTrust);
    }

    /** A certificate chain and its key, as load_cert_chain read them (PEM); null, or why not. */
    @HostAccess.Export
    public String addKeyPair(String certPem, String keyPem) {
        try {
            List<X509Certificate> chain = PemMaterial.certificates(certPem, false);
            PrivateKey key = PemMaterial.privateKey(keyPem == null ? certPem : keyPem);
            if (chain.isEmpty() || key == null) {
                return "no certificate or no private key in the loaded files";
            }
            keys.setKeyEntry("key" + keys.size(), key, new char[0], chain.toArray(new X509Certificate[0]));
            return null;
        } catch (GeneralSecurityException | RuntimeException e) {
            return String.valueOf(e.getMessage());
        }
    }

    /** CA certificates the context trusts: PEM text, or base64 of DER when {@code der}; null, or why not. */
    @HostAccess.Export
    public String addTrusted(String text, boolean der) {
        try {
            for (X509Certificate cert : PemMaterial.certificates(text, der)) {
                trusted.setCertificateEntry("ca" + trusted.size(), cert);
            }
            return null;
        } catch (GeneralSecurityException | RuntimeException e) {
            return String.valueOf(e.getMessage());
        }
    }

    /** Makes the Java context; null, or why it cannot be made. */
    @HostAccess.Export
    public String build() {
        try {
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keys, new char[0]);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf.getKeyManagers(), new TrustManager[] {trustManager()}, null);
            ctx.getClientSessionContext().setSessionCacheSize(1);
            List<String> enabled = new ArrayList<>(Arrays.asList(protocols));
            enabled.retainAll(Arrays.asList(ctx.getSupportedSSLParameters().getProtocols()));
            enabledProtocols = enabled.toArray(new String[0]);
            context = ctx;
            return null;
        } catch (GeneralSecurityException | RuntimeException e) {
            return String.valueOf(e.getMessage());
        }
    }

    /**
     * Starts TLS on a connected channel: a client sends its hello at once. {@code serverHostname}
     * (clients) is sent as SNI unless it is an IP address, and checked against the certificate
     * when the context checks host names.
     */
    @HostAccess.Export
    public TlsChannel open(StreamChannel channel, boolean serverSide, String serverHostname) {
        // the host is what Java checks the certificate against; the "port" only keys its session
        // cache, and a fresh one means no resumption (see the class comment)
        SSLEngine engine = serverSide || serverHostname == null
                ? context.createSSLEngine()
                : context.createSSLEngine(serverHostname, NEXT_SESSION_KEY.incrementAndGet() & 0xffff);
        engine.setUseClientMode(!serverSide);
        SSLParameters params = engine.getSSLParameters();
        params.setProtocols(enabledProtocols);
        if (serverSide) {
            params.setNeedClientAuth(verifyMode > CERT_OPTIONAL);
            if (verifyMode == CERT_OPTIONAL) {
                params.setWantClientAuth(true);
            }
        } else if (serverHostname != null) {
            if (!isIpAddress(serverHostname)) {
                try {
                    params.setServerNames(List.of(new SNIHostName(serverHostname)));
                } catch (IllegalArgumentException notAHostName) {
                    // not a name SNI can carry (RFC 6066): sent without it, checked all the same
                }
            }
            if (checkHostname && verifyMode != CERT_NONE) {
                params.setEndpointIdentificationAlgorithm("HTTPS");
            }
        }
        if (alpn.length > 0) {
            params.setApplicationProtocols(alpn);
        }
        engine.setSSLParameters(params);
        return new TlsChannel(channel, engine, serverSide, serverHostname);
    }

    private X509TrustManager trustManager() throws GeneralSecurityException {
        if (verifyMode == CERT_NONE) {
            return TrustEveryone.INSTANCE; // CERT_NONE: the peer's certificate is not checked
        }
        if (systemTrust) {
            TrustManagerFactory system = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            system.init((KeyStore) null);
            for (TrustManager tm : system.getTrustManagers()) {
                if (tm instanceof X509TrustManager x509) {
                    for (X509Certificate ca : x509.getAcceptedIssuers()) {
                        trusted.setCertificateEntry("system" + trusted.size(), ca);
                    }
                }
            }
        }
        if (trusted.size() == 0) {
            return TrustNoOne.INSTANCE; // nothing loaded: every certificate is unverifiable, as in OpenSSL
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
        tmf.init(trusted);
        for (TrustManager tm : tmf.getTrustManagers()) {
            if (tm instanceof X509TrustManager x509) {
                return x509;
            }
        }
        throw new GeneralSecurityException("no X.509 trust manager");
    }

    private static KeyStore emptyStore() throws GeneralSecurityException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try {
            store.load(null, null);
        } catch (java.io.IOException e) {
            throw new GeneralSecurityException(e);
        }
        return store;
    }

    private static String[] split(String list) {
        return list == null || list.isEmpty() ? new String[0] : list.split(",");
    }

    static boolean isIpAddress(String host) {
        return host.indexOf(':') >= 0 || host.matches("[0-9.]+");
    }

    /** CERT_NONE: accepts any certificate (the connection is encrypted, not authenticated). */
    private static final class TrustEveryone extends X509ExtendedTrustManager {
        static final TrustEveryone INSTANCE = new TrustEveryone();

        @Override public void checkClientTrusted(X509Certificate[] chain, String authType, Socket s) { }
        @Override public void checkServerTrusted(X509Certificate[] chain, String authType, Socket s) { }
        @Override public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine e) { }
        @Override public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine e) { }
        @Override public void checkClientTrusted(X509Certificate[] chain, String authType) { }
        @Override public void checkServerTrusted(X509Certificate[] chain, String authType) { }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }

    /** A context that verifies but trusts no CA: every peer certificate fails verification. */
    private static final class TrustNoOne implements X509TrustManager {
        static final TrustNoOne INSTANCE = new TrustNoOne();

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new UnknownIssuerException();
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new UnknownIssuerException();
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }

    /** The certificate's issuer is not among the trusted CAs. */
    static final class UnknownIssuerException extends CertificateException {
        UnknownIssuerException() {
            super("unable to get local issuer certificate");
        }
    }
}
