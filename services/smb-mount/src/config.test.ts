import { describe, expect, it } from 'vitest';
import type { ConfigError } from './config.js';
import { configFromEnv } from './config.js';

const SECRET = 'x'.repeat(48);

function env(overrides: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  return {
    PUBLIC_URL: 'https://drive.example.com',
    MOUNTS: JSON.stringify([
      {
        name: 'team-share',
        host: 'files.example.com',
        port: 445,
        share: 'teams',
        path: '/',
        security: { signing: 'Required', encryption: 'Auto', minProtocol: 'SMB3_00' },
        roles: [{ subject: { group: 'staff' }, role: 'editor' }],
        usernameVariable: 'SMB_TEAM_SHARE_USERNAME',
        passwordVariable: 'SMB_TEAM_SHARE_PASSWORD',
      },
    ]),
    SMB_TEAM_SHARE_USERNAME: 'svc-drive',
    SMB_TEAM_SHARE_PASSWORD: 'hunter2-but-longer',
    OIDC_ISSUER: 'https://sso.example.com/realms/example',
    OIDC_CLIENT_ID: 'drive',
    OIDC_CLIENT_SECRET: 'client-secret-value',
    OIDC_AUTHORIZATION_ENDPOINT: 'https://sso.example.com/auth',
    OIDC_TOKEN_ENDPOINT: 'https://sso.example.com/token',
    OIDC_USERINFO_ENDPOINT: 'https://sso.example.com/userinfo',
    OIDC_JWKS_ENDPOINT: 'https://sso.example.com/jwks',
    REDIS_URL: 'redis://:redis-password@redis:6379/0',
    SESSION_SECRET: SECRET,
    SHARE_LINK_SECRET: SECRET,
    WOPI_TOKEN_SECRET: SECRET,
    ...overrides,
  };
}

describe('the mounts service configuration', () => {
  it('reads the contract the operator writes, with the credentials of each mount', () => {
    const config = configFromEnv(env({ WOPI_DISCOVERY_URLS: 'http://a/d,http://b/d' }));
    expect(config.MOUNTS[0]).toMatchObject({
      name: 'team-share',
      username: 'svc-drive',
      password: 'hunter2-but-longer',
    });
    expect(config.PORT).toBe(8090);
    expect(config.UPLOAD_CHUNKED).toBe(true);
    expect(config.WOPI_DISCOVERY_URLS).toEqual(['http://a/d', 'http://b/d']);
  });

  it('names the variable and value, but never a secret value', () => {
    expect(() => configFromEnv(env({ PUBLIC_URL: 'http://drive.example.com' }))).toThrow(
      /PUBLIC_URL="http:\/\/drive.example.com": /,
    );
    let message = '';
    try {
      configFromEnv(env({ SESSION_SECRET: 'short-secret', REDIS_URL: 'http://x' }));
    } catch (error) {
      message = (error as ConfigError).message;
    }
    expect(message).toContain('SESSION_SECRET=(set, not shown): must be at least 32 characters');
    expect(message).toContain('REDIS_URL=(set, not shown)');
    expect(message).not.toContain('short-secret');
  });

  it('refuses a mount whose credentials are not given', () => {
    expect(() => configFromEnv(env({ SMB_TEAM_SHARE_PASSWORD: undefined }))).toThrow(
      'SMB_TEAM_SHARE_PASSWORD (mount team-share) is not set',
    );
  });

  it('refuses a chunk larger than the largest file', () => {
    expect(() =>
      configFromEnv(
        env({
          UPLOAD_CHUNK_SIZE_BYTES: String(2 ** 30),
          UPLOAD_MAX_FILE_SIZE_BYTES: String(2 ** 20),
        }),
      ),
    ).toThrow('UPLOAD_CHUNK_SIZE_BYTES is larger than UPLOAD_MAX_FILE_SIZE_BYTES');
  });
});
