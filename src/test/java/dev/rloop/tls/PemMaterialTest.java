package dev.rloop.tls;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.util.Base64;

import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.rloop.TestCertificates;

/** The PEM forms a Python program's SSLContext may have loaded, read back for the Java engine. */
class PemMaterialTest {
    @TempDir
    Path dir;

    @Test
    void pkcs8AndPkcs1RsaKeysGiveTheSameKey() throws Exception {
        KeyPair rsa = generate("RSA", 2048);
        byte[] pkcs1 = PrivateKeyInfo.getInstance(rsa.getPrivate().getEncoded())
                .parsePrivateKey().toASN1Primitive().getEncoded();
        PrivateKey fromPkcs8 = PemMaterial.privateKey(pem("PRIVATE KEY", rsa.getPrivate().getEncoded()));
        PrivateKey fromPkcs1 = PemMaterial.privateKey(pem("RSA PRIVATE KEY", pkcs1));
        assertArrayEquals(rsa.getPrivate().getEncoded(), fromPkcs8.getEncoded());
        assertArrayEquals(rsa.getPrivate().getEncoded(), fromPkcs1.getEncoded());
    }

    @Test
    void ecKeysInPkcs8FormAreRead() throws Exception {
        KeyPair ec = generate("EC", 256);
        PrivateKey key = PemMaterial.privateKey(pem("PRIVATE KEY", ec.getPrivate().getEncoded()));
        assertEquals("EC", key.getAlgorithm());
    }

    @Test
    void encryptedAndSec1KeysAreLeftToAsyncioTls() throws Exception {
        assertThrows(UnsupportedOperationException.class,
                () -> PemMaterial.privateKey(pem("ENCRYPTED PRIVATE KEY", new byte[] {1, 2, 3})));
        assertThrows(UnsupportedOperationException.class,
                () -> PemMaterial.privateKey(pem("EC PRIVATE KEY", new byte[] {1, 2, 3})));
        assertNull(PemMaterial.privateKey("no key here"));
    }

    @Test
    void certificatesFromPemTextAndFromDer() throws Exception {
        TestCertificates.write(dir.toString());
        String both = Files.readString(dir.resolve("ca.pem")) + Files.readString(dir.resolve("server.pem"));
        var certs = PemMaterial.certificates(both, false);
        assertEquals(2, certs.size());
        String der = Base64.getEncoder().encodeToString(certs.get(1).getEncoded());
        assertEquals(certs.get(1), PemMaterial.certificates(der, true).get(0));
    }

    @Test
    void aConfigRefusesAChainWithoutItsKey() throws Exception {
        TestCertificates.write(dir.toString());
        TlsConfig config = TlsConfig.create("TLSv1.3", 0, false, "", false);
        String cert = Files.readString(dir.resolve("server.pem"));
        assertEquals("no certificate or no private key in the loaded files", config.addKeyPair(cert, null));
        assertNull(config.addKeyPair(cert, Files.readString(dir.resolve("server.key"))));
        assertNull(config.build());
    }

    private static KeyPair generate(String algorithm, int size) throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance(algorithm);
        g.initialize(size);
        return g.generateKeyPair();
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder().encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }
}
