import { describe, expect, it } from 'vitest';
import { ConfigError, configFromEnv } from './config.js';

const minimal = {
  DRIVE_MEDIA_AUTH_URL:
    'http://drive-backend.apps.svc.cluster.local:8000/api/v1.0/items/media-auth/',
  PUBLIC_HOST: 'Drive.Example.com',
};

describe('configFromEnv', () => {
  it('applies the defaults', () => {
    expect(configFromEnv(minimal)).toEqual({
      ...minimal,
      PUBLIC_HOST: 'drive.example.com',
      PORT: 8080,
      BIND_ADDRESS: '0.0.0.0',
      AUTH_TIMEOUT_MS: 5000,
      MAX_CONNECTIONS: 32,
      LOG_LEVEL: 'info',
    });
  });

  it('names every wrong variable with its value', () => {
    expect(() =>
      configFromEnv({
        DRIVE_MEDIA_AUTH_URL: 'ftp://drive/media-auth/',
        PUBLIC_HOST: 'drive.example.com/evil',
        MAX_CONNECTIONS: '0',
      }),
    ).toThrow(ConfigError);
    try {
      configFromEnv({ DRIVE_MEDIA_AUTH_URL: 'ftp://x/', PUBLIC_HOST: 'a b', MAX_CONNECTIONS: '0' });
    } catch (error) {
      const message = (error as Error).message;
      expect(message).toContain('DRIVE_MEDIA_AUTH_URL="ftp://x/"');
      expect(message).toContain('PUBLIC_HOST="a b"');
      expect(message).toContain('MAX_CONNECTIONS="0"');
    }
  });

  it('says a missing variable is missing', () => {
    expect(() => configFromEnv({ PUBLIC_HOST: 'drive.example.com' })).toThrow(
      /DRIVE_MEDIA_AUTH_URL=null/,
    );
  });
});
