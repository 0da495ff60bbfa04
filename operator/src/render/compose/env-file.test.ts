import { describe, expect, it } from 'vitest';
import type { EnvVariable } from './compose-values.js';
import { parseEnvFile, renderEnvFile } from './env-file.js';

const VARIABLES: EnvVariable[] = [
  { name: 'DRIVE_GENERATED__DJANGO_SECRET_KEY', kind: 'generated', length: 64, description: 'Django key' },
  { name: 'DRIVE_OIDC__CLIENT_SECRET', kind: 'required', description: 'client secret' },
];

let counter = 0;
const random = (length: number) => `v${String((counter += 1))}`.padEnd(length, 'x');

describe('.env', () => {
  it('generates what the project owns and leaves what the user sets empty, described', () => {
    const result = renderEnvFile(undefined, VARIABLES, 'drive', random);
    const values = parseEnvFile(result.text);
    expect(values.get('DRIVE_GENERATED__DJANGO_SECRET_KEY')).toHaveLength(64);
    expect(values.get('DRIVE_OIDC__CLIENT_SECRET')).toBe('');
    expect(result.generated).toEqual(['DRIVE_GENERATED__DJANGO_SECRET_KEY']);
    expect(result.missing).toEqual(['DRIVE_OIDC__CLIENT_SECRET']);
    expect(result.text).toContain('# client secret\nDRIVE_OIDC__CLIENT_SECRET=\n');
  });

  it('keeps every value on a second render, as written, and adds only what is missing', () => {
    const first = renderEnvFile(undefined, VARIABLES, 'drive', random);
    const edited = first.text
      .replace('DRIVE_OIDC__CLIENT_SECRET=', "DRIVE_OIDC__CLIENT_SECRET='s3cr$t with space'")
      .concat('MY_OWN=kept\n');
    const more: EnvVariable[] = [
      ...VARIABLES,
      { name: 'DRIVE_REDIS__PASSWORD', kind: 'generated', length: 32, description: 'Redis' },
    ];
    const second = renderEnvFile(edited, more, 'drive', random);
    const before = parseEnvFile(first.text);
    const after = parseEnvFile(second.text);
    expect(after.get('DRIVE_GENERATED__DJANGO_SECRET_KEY')).toBe(
      before.get('DRIVE_GENERATED__DJANGO_SECRET_KEY'),
    );
    expect(after.get('DRIVE_OIDC__CLIENT_SECRET')).toBe("'s3cr$t with space'");
    expect(after.get('MY_OWN')).toBe('kept');
    expect(second.generated).toEqual(['DRIVE_REDIS__PASSWORD']);
    expect(second.missing).toEqual([]);
    expect(second.text).toContain('# --- Not used by this project');
  });

  it('treats an empty quoted value as unset', () => {
    const result = renderEnvFile('DRIVE_OIDC__CLIENT_SECRET=""\n', VARIABLES, 'drive', random);
    expect(result.missing).toEqual(['DRIVE_OIDC__CLIENT_SECRET']);
  });
});
