// Throwaway TLS certificates for the edges under test, made by openssl: one certificate for
// several names, as an edge serving Drive, S3 and the IdP needs.
import { execFile } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { systemBinary } from '../testbed/binaries.js';

export interface TestCertificate {
  directory: string;
  certificate: string;
  key: string;
}

/** A self-signed certificate for `hosts`, in a new directory (or `directory`). */
export async function selfSignedCertificate(
  hosts: readonly string[],
  directory?: string,
): Promise<TestCertificate> {
  const target = directory ?? (await mkdtemp(join(tmpdir(), 'lasuite-cert-')));
  const certificate = join(target, 'tls.crt');
  const key = join(target, 'tls.key');
  await promisify(execFile)(systemBinary('openssl', 'apt-get install -y openssl'), [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '1',
    '-subj',
    `/CN=${hosts[0] ?? 'localhost'}`,
    '-addext',
    `subjectAltName=${hosts.map((host) => `DNS:${host}`).join(',')}`,
    '-keyout',
    key,
    '-out',
    certificate,
  ]);
  return { directory: target, certificate, key };
}
