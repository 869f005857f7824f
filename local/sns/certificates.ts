import { createHash, generateKeyPair } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import forge from 'node-forge';

/**
 * The keys and certificates SNS uses to sign messages, made once per data
 * directory: a certificate authority of the runtime's own, a TLS certificate
 * for the runtime's HTTPS listener on 127.0.0.1 (so `SigningCertURL`,
 * `SubscribeURL` and `UnsubscribeURL` are https, as in AWS), and the signing
 * certificate whose public key verifies each message's `Signature`.
 *
 * Node's crypto makes the RSA keys; node-forge writes the X.509 certificates
 * (Node can read certificates but not create them). node-forge is chosen over
 * @peculiar/x509 because it needs no global Reflect polyfill and no WebCrypto
 * key juggling: one dependency, synchronous, long maintained.
 */

export interface SnsCertificates {
  /** The runtime's certificate authority (PEM): what NODE_EXTRA_CA_CERTS names. */
  readonly caCertificate: string;
  /** The file holding {@link caCertificate}, for NODE_EXTRA_CA_CERTS. */
  readonly caFile: string;
  readonly tlsKey: string;
  readonly tlsCertificate: string;
  readonly signingKey: string;
  /** The certificate served at `SigningCertURL` (PEM). */
  readonly signingCertificate: string;
  /** `SimpleNotificationService-<32 hex>.pem`, the file name SNS gives its signing certificates. */
  readonly signingCertificateName: string;
}

const generate = promisify(generateKeyPair);

async function rsaKeyPair(): Promise<{ privateKey: string; publicKey: string }> {
  const { privateKey, publicKey } = await generate('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return { privateKey, publicKey };
}

interface Issued {
  subject: forge.pki.CertificateField[];
  publicKey: string;
  issuer: { subject: forge.pki.CertificateField[]; privateKey: string };
  extensions: object[];
}

function certificate({ subject, publicKey, issuer, extensions }: Issued): string {
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey);
  // A positive serial: a leading 0x01 keeps the first bit clear.
  cert.serialNumber = `01${forge.util.bytesToHex(forge.random.getBytesSync(15))}`;
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + 10 * 365 * 24 * 3600 * 1000);
  cert.setSubject(subject);
  cert.setIssuer(issuer.subject);
  cert.setExtensions(extensions);
  cert.sign(
    forge.pki.privateKeyFromPem(issuer.privateKey) as forge.pki.rsa.PrivateKey,
    forge.md.sha256.create(),
  );
  return forge.pki.certificateToPem(cert);
}

const name = (commonName: string): forge.pki.CertificateField[] => [
  { name: 'commonName', value: commonName },
  { name: 'organizationName', value: 's3-metadata-pipeline local runtime' },
];

const FILES = {
  caCertificate: 'ca.pem',
  tlsKey: 'tls-key.pem',
  tlsCertificate: 'tls-cert.pem',
  signingKey: 'signing-key.pem',
  signingCertificate: 'signing-cert.pem',
} as const;

/** Reads the certificates of `dir`, or makes and writes them when there are none. */
export async function loadOrCreateCertificates(dir: string): Promise<SnsCertificates> {
  mkdirSync(dir, { recursive: true });
  const path = (file: string) => join(dir, file);
  const present = Object.values(FILES).every((file) => existsSync(path(file)));
  if (!present) {
    const [ca, tls, signing] = await Promise.all([rsaKeyPair(), rsaKeyPair(), rsaKeyPair()]);
    const caSubject = name('s3-metadata-pipeline local SNS CA');
    const caCertificate = certificate({
      subject: caSubject,
      publicKey: ca.publicKey,
      issuer: { subject: caSubject, privateKey: ca.privateKey },
      extensions: [
        { name: 'basicConstraints', cA: true, critical: true },
        { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
        { name: 'subjectKeyIdentifier' },
      ],
    });
    const issuer = { subject: caSubject, privateKey: ca.privateKey };
    const tlsCertificate = certificate({
      subject: name('127.0.0.1'),
      publicKey: tls.publicKey,
      issuer,
      extensions: [
        { name: 'basicConstraints', cA: false },
        { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
        { name: 'extKeyUsage', serverAuth: true },
        {
          name: 'subjectAltName',
          altNames: [
            { type: 7, ip: '127.0.0.1' },
            { type: 2, value: 'localhost' },
          ],
        },
      ],
    });
    const signingCertificate = certificate({
      subject: name('sns.local.amazonaws.com'),
      publicKey: signing.publicKey,
      issuer,
      extensions: [
        { name: 'basicConstraints', cA: false },
        { name: 'keyUsage', digitalSignature: true, critical: true },
      ],
    });
    // The private keys are written owner-only, as any key file should be.
    writeFileSync(path(FILES.tlsKey), tls.privateKey, { mode: 0o600 });
    writeFileSync(path(FILES.signingKey), signing.privateKey, { mode: 0o600 });
    writeFileSync(path(FILES.tlsCertificate), tlsCertificate);
    writeFileSync(path(FILES.signingCertificate), signingCertificate);
    // Last: its presence says the set is complete.
    writeFileSync(path(FILES.caCertificate), caCertificate);
  }
  const read = (file: string) => readFileSync(path(file), 'utf8');
  const signingCertificate = read(FILES.signingCertificate);
  return {
    caCertificate: read(FILES.caCertificate),
    caFile: path(FILES.caCertificate),
    tlsKey: read(FILES.tlsKey),
    tlsCertificate: read(FILES.tlsCertificate),
    signingKey: read(FILES.signingKey),
    signingCertificate,
    signingCertificateName: `SimpleNotificationService-${createHash('md5').update(signingCertificate).digest('hex')}.pem`,
  };
}
