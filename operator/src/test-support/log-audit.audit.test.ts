// Runs after the whole integration suite (see vitest.audit.config.ts): no operator log line of
// any integration test holds the value of any Secret those tests' clusters held.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { logAuditDirectory, SECRET_VALUES_FILE } from './log-audit.js';

// Shorter values ("drive", "5432", "db") are ordinary words that logs legitimately contain; the
// tests' own secrets are longer, and so is everything the operator generates.
const MIN_SECRET_LENGTH = 8;

describe('the integration suite’s operator logs', () => {
  it('hold no secret value', async () => {
    const directory = logAuditDirectory();
    const files = await readdir(directory);
    const values = new Set(
      (await readFile(join(directory, SECRET_VALUES_FILE), 'utf8').catch(() => ''))
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as string)
        .filter((value) => value.length >= MIN_SECRET_LENGTH),
    );
    const logs = await Promise.all(
      files
        .filter((file) => file.endsWith('.log'))
        .map(async (file) => ({ file, text: await readFile(join(directory, file), 'utf8') })),
    );
    // Not vacuous: the suite ran operators that logged, and created secrets.
    expect(
      logs.length,
      `no operator log in ${directory}: run the integration suite first`,
    ).toBeGreaterThan(0);
    expect(values.size).toBeGreaterThanOrEqual(5);
    for (const { file, text } of logs) {
      for (const value of values) {
        if (text.includes(value))
          expect.fail(`${file} contains the value of a Secret (${value.slice(0, 3)}…)`);
      }
    }
  });
});
