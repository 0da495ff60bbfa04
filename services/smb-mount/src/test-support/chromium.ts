// Headless Chromium (Debian's, driven by playwright-core) for the web UI's tests, reaching only
// loopback. The public names the tests use (the Drive origin, the editor's origin) are mapped
// to loopback ports by Chromium's own resolver and every other name fails to resolve, so no
// request can leave the machine. Those origins are HTTPS, as in production (the session cookies
// are Secure and __Secure- prefixed): a TLS front with a certificate made here (mkcert, its own
// throw-away CA) stands in for the edge, and Chromium trusts that certificate's key alone.
import { execFile } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer as createTlsServer } from 'node:tls';
import { promisify } from 'node:util';
import { chromium, type Browser } from 'playwright-core';
import { binaries } from '../../../../operator/src/testbed/binaries.js';

const run = promisify(execFile);

export interface TestCertificate {
  cert: string;
  key: string;
  /** base64 SHA-256 of the certificate's public key (what Chromium is told to trust). */
  spki: string;
}

/** A certificate for `names`, from a CA made for this run only (never installed anywhere). */
export async function testCertificate(names: string[]): Promise<TestCertificate> {
  const directory = await mkdtemp(join(tmpdir(), 'smb-mount-ui-cert-'));
  try {
    const certFile = join(directory, 'cert.pem');
    const keyFile = join(directory, 'key.pem');
    await run(binaries.mkcert(), ['-cert-file', certFile, '-key-file', keyFile, ...names], {
      env: { ...process.env, CAROOT: join(directory, 'ca') },
      timeout: 30_000,
    });
    const cert = await readFile(certFile, 'utf8');
    const key = await readFile(keyFile, 'utf8');
    const der = new X509Certificate(cert).publicKey.export({ type: 'spki', format: 'der' });
    return { cert, key, spki: createHash('sha256').update(der).digest('base64') };
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}

export interface TlsFront {
  port: number;
  stop(): Promise<void>;
}

/** TLS in front of a loopback HTTP port, byte for byte behind it: what the edge does. */
export async function startTlsFront(
  targetPort: number,
  certificate: TestCertificate,
): Promise<TlsFront> {
  const server = createTlsServer({ cert: certificate.cert, key: certificate.key }, (socket) => {
    const upstream = connect(targetPort, '127.0.0.1');
    const close = () => {
      socket.destroy();
      upstream.destroy();
    };
    socket.on('error', close);
    upstream.on('error', close);
    socket.pipe(upstream).pipe(socket);
  });
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => {
          resolve();
        });
      }),
  };
}

/** The flags the machine's notes require: nothing in the background may go out. */
const QUIET_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Chromium with `hosts` (name → loopback port) resolved to loopback and every other name
 * unresolvable; only `certificate`'s key is trusted besides the system's roots. playwright
 * gives each launch a fresh, empty profile (user-data-dir).
 */
export async function launchChromium(options: {
  hosts: Record<string, number>;
  certificate: TestCertificate;
}): Promise<Browser> {
  const rules = [
    ...Object.entries(options.hosts).map(([name, port]) => `MAP ${name} 127.0.0.1:${String(port)}`),
    'MAP * ~NOTFOUND',
    'EXCLUDE 127.0.0.1',
  ].join(', ');
  return chromium.launch({
    // Throws with the install command when Debian's chromium is missing.
    executablePath: binaries.chromium(),
    headless: true,
    args: [
      ...QUIET_FLAGS,
      `--host-resolver-rules=${rules}`,
      `--ignore-certificate-errors-spki-list=${options.certificate.spki}`,
    ],
  });
}
