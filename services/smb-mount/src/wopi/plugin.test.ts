import { describe, expect, it } from 'vitest';
import { redactedUrl } from './plugin.js';

describe('request URLs in logs', () => {
  it.each([
    [
      '/mounts/wopi/files/abc?access_token=eyJ.sig',
      '/mounts/wopi/files/abc?access_token=[redacted]',
    ],
    [
      '/mounts/wopi/files/abc/contents?access_token_ttl=1&access_token=t.s&x=1',
      '/mounts/wopi/files/abc/contents?access_token_ttl=1&access_token=[redacted]&x=1',
    ],
    ['/mounts/wopi/files/abc?ACCESS_TOKEN=t', '/mounts/wopi/files/abc?ACCESS_TOKEN=[redacted]'],
    ['/mounts/wopi/files/abc', '/mounts/wopi/files/abc'],
  ])('%s is logged as %s', (url, logged) => {
    expect(redactedUrl(url)).toBe(logged);
  });
});
