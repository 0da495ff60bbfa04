// The integration suite's secret-leak audit. Every operator started by an integration test logs
// (at debug level) into one directory, every test file records the values of every Secret in its
// cluster before it stops, and `log-audit.audit.test.ts` runs after the whole suite and looks for
// each value in each log line.
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';
import { REPO_ROOT } from '../repo-root.js';
import type { ApiClient, KubeObject } from '../runtime/api-client.js';

/** Emptied by `npm run test:integration` before the suite; LASUITE_LOG_AUDIT_DIR overrides it. */
export function logAuditDirectory(): string {
  const directory = process.env.LASUITE_LOG_AUDIT_DIR ?? join(REPO_ROOT, '.testbed', 'log-audit');
  mkdirSync(directory, { recursive: true });
  return directory;
}

export const SECRET_VALUES_FILE = 'secret-values.ndjson';

/** A debug-level operator logger whose lines go to the audit directory (and to `also`, if given). */
export function auditedLogger(testName: string, also?: (line: string) => void): Logger {
  const file = join(logAuditDirectory(), `${testName}-${String(process.pid)}.log`);
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      const line = chunk.toString();
      appendFileSync(file, line);
      also?.(line);
      done();
    },
  });
  return pino({ level: 'debug' }, sink);
}

/** Records the decoded value of every key of every Secret the cluster holds. */
export async function recordClusterSecretValues(api: ApiClient): Promise<number> {
  const secrets = await api.list<KubeObject & { data?: Record<string, string> }>(
    'v1',
    'Secret',
    undefined,
  );
  const values = secrets.items.flatMap((secret) =>
    Object.values(secret.data ?? {}).map((encoded) => Buffer.from(encoded, 'base64').toString()),
  );
  appendFileSync(
    join(logAuditDirectory(), SECRET_VALUES_FILE),
    values.map((value) => JSON.stringify(value) + '\n').join(''),
  );
  return values.length;
}
