// `make certs` against a real rendering of examples/compose/dev: real mkcert issues the pair the
// edge mounts, real nginx loads and serves it. CAROOT is a temporary directory and
// MKCERT_INSTALL=no keeps mkcert away from the machine's trust stores.
import { execFile } from 'node:child_process';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { appendFile, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../cli/lasuitectl.js';
import { REPO_ROOT } from '../repo-root.js';
import { binaries, systemBinary } from '../testbed/binaries.js';
import { startNginx } from '../testbed/nginx.js';

const DEV = join(REPO_ROOT, 'examples/compose/dev');
const DEV_HOSTS = ['drive.dev.lan', 's3.dev.lan', 'auth.dev.lan'];

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

function makeCerts(directory: string, caroot: string): Promise<Outcome> {
  const make = systemBinary('make', 'apt-get install -y make');
  return new Promise((resolve) => {
    execFile(
      make,
      ['--no-print-directory', 'certs', `DIR=${directory}`, 'MKCERT_INSTALL=no'],
      { cwd: REPO_ROOT, env: { ...process.env, CAROOT: caroot } },
      (error, stdout, stderr) => {
        resolve({ code: error === null ? 0 : Number(error.code ?? 1), stdout, stderr });
      },
    );
  });
}

/** A TLS handshake as a browser trusting only `ca` makes it, naming `servername` by SNI. */
function handshake(port: number, servername: string, ca: string): Promise<X509Certificate> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, servername, ca }, () => {
      const peer = socket.getPeerX509Certificate();
      socket.end();
      if (peer === undefined) reject(new Error('no peer certificate'));
      else resolve(peer);
    });
    socket.on('error', reject);
  });
}

function sans(certificate: X509Certificate): string[] {
  return (certificate.subjectAltName ?? '').split(', ').sort();
}

describe('make certs: the dev certificate for a rendered Compose project', () => {
  let project: string;
  let caroot: string;
  let crt: string;
  let key: string;
  let hosts: string[];

  beforeAll(async () => {
    // Fails with the install command when mkcert is missing; the script finds it on PATH.
    binaries.mkcert();
    project = await mkdtemp(join(tmpdir(), 'lasuite-certs-project-'));
    caroot = await mkdtemp(join(tmpdir(), 'lasuite-certs-caroot-'));
    let output = '';
    const io = {
      stdout: (text: string) => (output += text),
      stderr: (text: string) => (output += text),
    };
    expect(await run(['compose', DEV, '-o', project], io), output).toBe(0);
    hosts = (await readFile(join(project, 'compose/hosts'), 'utf8')).split('\n').filter(Boolean);
    crt = join(project, 'certs/tls.crt');
    key = join(project, 'certs/tls.key');
  });
  afterAll(async () => {
    await rm(project, { recursive: true, force: true });
    await rm(caroot, { recursive: true, force: true });
  });

  it('issues, from the CA in CAROOT, a certificate naming exactly the hosts of compose/hosts', async () => {
    expect(hosts).toEqual(DEV_HOSTS);
    const outcome = await makeCerts(project, caroot);
    expect(outcome.code, outcome.stderr).toBe(0);
    expect(outcome.stdout).toContain(`127.0.0.1 ${DEV_HOSTS.join(' ')}\n`);

    const certificate = new X509Certificate(await readFile(crt));
    const ca = new X509Certificate(await readFile(join(caroot, 'rootCA.pem')));
    expect(sans(certificate)).toEqual(hosts.map((host) => `DNS:${host}`).sort());
    expect(certificate.checkIssued(ca)).toBe(true);
    expect(certificate.verify(ca.publicKey)).toBe(true);
    expect(ca.ca).toBe(true);
    expect(certificate.checkPrivateKey(createPrivateKey(await readFile(key)))).toBe(true);
    // The edge reads the key as root; nobody else needs it.
    expect((await stat(key)).mode & 0o777).toBe(0o600);
    expect((await stat(crt)).mode & 0o777).toBe(0o644);
  });

  it('is loaded by nginx (nginx -t, then a real start) and trusted for every host by a client trusting the CA', async () => {
    const ca = await readFile(join(caroot, 'rootCA.pem'), 'utf8');
    // startNginx runs `nginx -t -c` on the configuration before starting it; the master runs as
    // root, as the edge image's does, and reads the 0600 key.
    const nginx = await startNginx(
      (port) => `  server {
    listen 127.0.0.1:${String(port)} ssl;
    server_name ${hosts.join(' ')};
    ssl_certificate ${crt};
    ssl_certificate_key ${key};
    return 200 'ok';
  }`,
    );
    try {
      const served = await readFile(crt, 'utf8');
      for (const host of hosts) {
        const peer = await handshake(nginx.port, host, ca);
        expect(peer.fingerprint256).toBe(new X509Certificate(served).fingerprint256);
      }
      await expect(handshake(nginx.port, 'other.dev.lan', ca)).rejects.toMatchObject({
        code: 'ERR_TLS_CERT_ALTNAME_INVALID',
      });
    } finally {
      await nginx.stop();
    }
  });

  it('keeps the pair on a second run while it still covers the hosts', async () => {
    const before = { crt: await readFile(crt), key: await readFile(key) };
    const outcome = await makeCerts(project, caroot);
    expect(outcome.code, outcome.stderr).toBe(0);
    expect(outcome.stderr).toContain('already covers drive.dev.lan s3.dev.lan auth.dev.lan; kept');
    expect(await readFile(crt)).toEqual(before.crt);
    expect(await readFile(key)).toEqual(before.key);
  });

  it('issues a new pair when the hosts change, a file is missing or the CA is another', async () => {
    const serial = () => readFile(crt).then((pem) => new X509Certificate(pem).serialNumber);
    const first = await serial();

    await appendFile(join(project, 'compose/hosts'), 'office.dev.lan\n');
    let outcome = await makeCerts(project, caroot);
    expect(outcome.code, outcome.stderr).toBe(0);
    expect(outcome.stderr).toContain('compose/hosts names');
    expect(sans(new X509Certificate(await readFile(crt)))).toEqual(
      [...hosts, 'office.dev.lan'].map((host) => `DNS:${host}`).sort(),
    );
    const second = await serial();
    expect(second).not.toBe(first);

    await writeFile(join(project, 'compose/hosts'), `${hosts.join('\n')}\n`);
    await rm(key);
    outcome = await makeCerts(project, caroot);
    expect(outcome.code, outcome.stderr).toBe(0);
    expect(outcome.stderr).toContain('(no certificate yet)');
    const third = new X509Certificate(await readFile(crt));
    expect(sans(third)).toEqual(hosts.map((host) => `DNS:${host}`).sort());
    expect(third.checkPrivateKey(createPrivateKey(await readFile(key)))).toBe(true);

    const otherCaroot = await mkdtemp(join(tmpdir(), 'lasuite-certs-caroot-'));
    try {
      outcome = await makeCerts(project, otherCaroot);
      expect(outcome.code, outcome.stderr).toBe(0);
      const otherCa = new X509Certificate(await readFile(join(otherCaroot, 'rootCA.pem')));
      expect(new X509Certificate(await readFile(crt)).checkIssued(otherCa)).toBe(true);
    } finally {
      await rm(otherCaroot, { recursive: true, force: true });
    }
  });

  it('fails with the way to render the project when compose/hosts is missing', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'lasuite-certs-empty-'));
    try {
      const outcome = await makeCerts(empty, caroot);
      expect(outcome.code).not.toBe(0);
      expect(outcome.stderr).toContain(
        `${empty}/compose/hosts is missing: render the project first: make compose-dev`,
      );
      await expect(stat(join(empty, 'certs'))).rejects.toMatchObject({ code: 'ENOENT' });
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });
});
