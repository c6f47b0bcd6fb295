package dev.rloop;

import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Certificates for the TLS tests, made fresh at test time (nothing secret is checked in): a test
 * CA, server certificates it signed for {@code localhost} (with 127.0.0.1 and ::1) and for
 * {@code other.test} (SNI), a client certificate, an expired server certificate and a
 * self-signed one, as PEM files. BouncyCastle, which GraalPy itself depends on, builds them.
 * The Python tests call {@link #write} through GraalPy's Java interop ({@code tlstest.py}).
 */
public final class TestCertificates {
    private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

    private TestCertificates() {
    }

    /** Writes {@code <name>.pem} (certificate) and {@code <name>.key} (PKCS#8 key) files into {@code directory}. */
    public static void write(String directory) throws GeneralSecurityException, IOException, OperatorCreationException {
        Path dir = Path.of(directory);
        Files.createDirectories(dir);
        KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
        rsa.initialize(2048);
        Instant now = Instant.now();
        Instant from = now.minus(Duration.ofDays(1));
        Instant until = now.plus(Duration.ofDays(30));

        KeyPair caKeys = rsa.generateKeyPair();
        X500Name caName = new X500Name("CN=rloop test CA,O=rloop-graalpy tests");
        X509Certificate ca = sign(new JcaX509v3CertificateBuilder(caName, serial(), Date.from(from),
                Date.from(until), caName, caKeys.getPublic()), true, null, caKeys.getPrivate());
        save(dir, "ca", ca, caKeys.getPrivate());

        leaf(dir, "server", rsa, "localhost", List.of("localhost"), List.of("127.0.0.1", "::1"),
                KeyPurposeId.id_kp_serverAuth, caName, caKeys.getPrivate(), from, until);
        leaf(dir, "other", rsa, "other.test", List.of("other.test"), List.of(),
                KeyPurposeId.id_kp_serverAuth, caName, caKeys.getPrivate(), from, until);
        leaf(dir, "client", rsa, "rloop test client", List.of(), List.of(),
                KeyPurposeId.id_kp_clientAuth, caName, caKeys.getPrivate(), from, until);
        leaf(dir, "expired", rsa, "localhost", List.of("localhost"), List.of("127.0.0.1"),
                KeyPurposeId.id_kp_serverAuth, caName, caKeys.getPrivate(),
                now.minus(Duration.ofDays(60)), now.minus(Duration.ofDays(30)));

        KeyPair selfKeys = rsa.generateKeyPair();
        X500Name selfName = new X500Name("CN=localhost");
        X509Certificate self = sign(new JcaX509v3CertificateBuilder(selfName, serial(), Date.from(from),
                Date.from(until), selfName, selfKeys.getPublic()), false,
                names(List.of("localhost"), List.of("127.0.0.1")), selfKeys.getPrivate());
        save(dir, "selfsigned", self, selfKeys.getPrivate());
    }

    private static void leaf(Path dir, String file, KeyPairGenerator rsa, String commonName, List<String> dnsNames,
            List<String> ips, KeyPurposeId purpose, X500Name issuer, PrivateKey issuerKey, Instant from,
            Instant until) throws GeneralSecurityException, IOException, OperatorCreationException {
        KeyPair keys = rsa.generateKeyPair();
        X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuer, serial(), Date.from(from),
                Date.from(until), new X500Name("CN=" + commonName), keys.getPublic());
        b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose));
        GeneralNames san = dnsNames.isEmpty() && ips.isEmpty() ? null : names(dnsNames, ips);
        save(dir, file, sign(b, false, san, issuerKey), keys.getPrivate());
    }

    private static GeneralNames names(List<String> dnsNames, List<String> ips) throws IOException {
        List<GeneralName> all = new ArrayList<>();
        for (String d : dnsNames) {
            all.add(new GeneralName(GeneralName.dNSName, d));
        }
        for (String ip : ips) {
            // numeric literals only: no name lookup happens here
            all.add(new GeneralName(GeneralName.iPAddress,
                    new org.bouncycastle.asn1.DEROctetString(InetAddress.getByName(ip).getAddress())));
        }
        return new GeneralNames(all.toArray(new GeneralName[0]));
    }

    private static X509Certificate sign(X509v3CertificateBuilder b, boolean isCa, GeneralNames san, PrivateKey key)
            throws GeneralSecurityException, IOException, OperatorCreationException {
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(isCa));
        b.addExtension(Extension.keyUsage, true, isCa
                ? new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign | KeyUsage.digitalSignature)
                : new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
        if (san != null) {
            b.addExtension(Extension.subjectAlternativeName, false, san);
        }
        return new JcaX509CertificateConverter()
                .getCertificate(b.build(new JcaContentSignerBuilder("SHA256withRSA").build(key)));
    }

    private static BigInteger serial() {
        return BigInteger.valueOf(SERIAL.incrementAndGet());
    }

    private static void save(Path dir, String name, X509Certificate cert, PrivateKey key)
            throws GeneralSecurityException, IOException {
        Files.writeString(dir.resolve(name + ".pem"), pem("CERTIFICATE", cert.getEncoded()));
        Files.writeString(dir.resolve(name + ".key"), pem("PRIVATE KEY", key.getEncoded()));
        // the same key as OpenSSL's "traditional" PKCS#1 form, which older tools still write
        byte[] pkcs1 = org.bouncycastle.asn1.pkcs.PrivateKeyInfo.getInstance(key.getEncoded())
                .parsePrivateKey().toASN1Primitive().getEncoded();
        Files.writeString(dir.resolve(name + ".rsa.key"), pem("RSA PRIVATE KEY", pkcs1));
        // and the certificate with its key in one file (load_cert_chain without a keyfile)
        Files.writeString(dir.resolve(name + ".both.pem"),
                pem("CERTIFICATE", cert.getEncoded()) + pem("PRIVATE KEY", key.getEncoded()));
    }

    private static String pem(String type, byte[] der) {
        String body = Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der);
        return "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n";
    }
}
