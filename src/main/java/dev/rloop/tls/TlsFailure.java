package dev.rloop.tls;

import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.util.Locale;

import javax.net.ssl.SSLException;

/**
 * Why a TLS connection failed, in the terms Python's {@code ssl} module uses: a kind that picks
 * the exception class ({@code SSLCertVerificationError}, {@code SSLError}, an {@code OSError} from
 * the socket, or a peer that left mid-handshake), OpenSSL's reason name and, for verification
 * failures, OpenSSL's verify code and message.
 */
record TlsFailure(String kind, String reason, String message, int verifyCode) {
    // OpenSSL's X509_V_ERR codes that Python reports as SSLCertVerificationError.verify_code
    private static final int CERT_NOT_YET_VALID = 9;
    private static final int CERT_HAS_EXPIRED = 10;
    private static final int SELF_SIGNED_IN_CHAIN = 19;
    private static final int UNABLE_TO_GET_ISSUER_CERT_LOCALLY = 20;
    private static final int HOSTNAME_MISMATCH = 62;

    /** The socket failed: the channel's errno says why. */
    static TlsFailure socket() {
        return new TlsFailure("os", null, null, 0);
    }

    static TlsFailure eof() {
        return new TlsFailure("eof", null, "the peer closed the connection during the TLS handshake", 0);
    }

    static TlsFailure ssl(String reason, String message) {
        return new TlsFailure("ssl", reason, message, 0);
    }

    /** Classifies an engine failure; {@code hostname} names the host a mismatch was checked against. */
    static TlsFailure of(Exception e, String hostname) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof CertificateExpiredException) {
                return verify(CERT_HAS_EXPIRED, "certificate has expired");
            }
            if (t instanceof CertificateNotYetValidException) {
                return verify(CERT_NOT_YET_VALID, "certificate is not yet valid");
            }
            if (t instanceof TlsConfig.UnknownIssuerException) {
                return verify(UNABLE_TO_GET_ISSUER_CERT_LOCALLY, "unable to get local issuer certificate");
            }
            String m = String.valueOf(t.getMessage());
            if (m.startsWith("No subject alternative") || m.startsWith("No name matching")) {
                return verify(HOSTNAME_MISMATCH,
                        "Hostname mismatch, certificate is not valid for '" + hostname + "'.");
            }
            if (t instanceof CertPathValidatorException
                    || t.getClass().getName().equals("sun.security.validator.ValidatorException")) {
                return m.contains("self-signed") || m.contains("self signed")
                        ? verify(SELF_SIGNED_IN_CHAIN, "self-signed certificate in certificate chain")
                        : verify(UNABLE_TO_GET_ISSUER_CERT_LOCALLY, "unable to get local issuer certificate");
            }
        }
        String m = String.valueOf(e.getMessage());
        if (m.startsWith("Received fatal alert: ")) {
            // the peer refused us: OpenSSL names the alert, e.g. TLSV13_ALERT_CERTIFICATE_REQUIRED
            String alert = m.substring("Received fatal alert: ".length());
            return ssl("TLSV1_ALERT_" + alert.toUpperCase(Locale.ROOT), "tlsv1 alert " + alert.replace('_', ' '));
        }
        return ssl(e instanceof SSLException ? "SSL_HANDSHAKE_FAILURE" : "INTERNAL_ERROR", m);
    }

    private static TlsFailure verify(int code, String verifyMessage) {
        return new TlsFailure("verify", "CERTIFICATE_VERIFY_FAILED", verifyMessage, code);
    }
}
