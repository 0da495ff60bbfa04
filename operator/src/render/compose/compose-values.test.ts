import { describe, expect, it } from 'vitest';
import { ComposeValueError, escapeCompose, SecretValues, secretVariable } from './compose-values.js';

describe('Secret keys in Compose', () => {
  it('names a .env variable after the Secret and the key', () => {
    expect(secretVariable('drive-oidc', 'client_secret')).toBe('DRIVE_OIDC__CLIENT_SECRET');
    expect(secretVariable('db.app', 'pass-word')).toBe('DB_APP__PASS_WORD');
    expect(secretVariable('1drive', 'key')).toBe('_1DRIVE__KEY');
  });

  it('escapes $ for Compose interpolation', () => {
    expect(escapeCompose('a$b$$c')).toBe('a$$b$$$$c');
  });

  it('writes what the project knows, and makes every other key a variable the user sets', () => {
    const secrets = new SecretValues();
    secrets.literal({ name: 'db', key: 'host' }, 'postgres');
    const password = secrets.generated({ name: 'db', key: 'password' }, 32, 'database password');
    secrets.template({ name: 'redis', key: 'url' }, `redis://:${password}@redis:6379/0`);
    expect(secrets.value({ name: 'db', key: 'host' }, 'x')).toEqual({ literal: 'postgres' });
    expect(password).toBe('${DB__PASSWORD:?run lasuitectl compose again to generate it into .env}');
    expect(secrets.value({ name: 'oidc', key: 'secret' }, 'OidcClient login')).toEqual({
      variable: 'OIDC__SECRET',
    });
    expect(secrets.envVariables()).toEqual([
      { name: 'DB__PASSWORD', kind: 'generated', length: 32, description: 'database password' },
      {
        name: 'OIDC__SECRET',
        kind: 'required',
        description: 'key secret of Secret oidc, referenced by OidcClient login',
      },
    ]);
  });

  it('refuses two keys that would share a variable', () => {
    const secrets = new SecretValues();
    secrets.value({ name: 'a-b', key: 'c' }, 'x');
    expect(() => secrets.value({ name: 'a', key: 'b-c' }, 'y')).not.toThrow();
    expect(() => secrets.value({ name: 'a.b', key: 'c' }, 'y')).toThrow(ComposeValueError);
  });

  it('refuses to put a key written at run time into an environment variable', () => {
    const secrets = new SecretValues();
    secrets.file({ name: 's3', key: 'id' }, '/run/keys/id');
    expect(() => secrets.interpolation({ name: 's3', key: 'id' }, 'the edge')).toThrow(
      /written to \/run\/keys\/id at run time; the edge cannot read it/,
    );
  });
});
