import { describe, expect, it } from 'vitest';
import {
  compareDriveVersions,
  parseDriveVersion,
  supportsForwardedUriMediaAuth,
} from './drive-release.js';

describe('Drive releases', () => {
  it('orders release tags, suffixed tags before their release', () => {
    expect(compareDriveVersions('v0.21.1', 'v0.21.0')).toBe(1);
    expect(compareDriveVersions('v0.9.0', 'v0.21.0')).toBe(-1);
    expect(compareDriveVersions('v0.21.1-preprod', 'v0.21.1')).toBe(-1);
    expect(compareDriveVersions('v1.0.0', 'v1.0.0')).toBe(0);
  });

  it('rejects what is not a release tag', () => {
    expect(parseDriveVersion('latest')).toBeUndefined();
    expect(() => compareDriveVersions('main', 'v0.21.1')).toThrow(/not a Drive release tag: main/);
  });

  it('knows no release yet reads X-Forwarded-Uri in media-auth (upstream PR #794 unmerged)', () => {
    expect(supportsForwardedUriMediaAuth('v0.21.1')).toBe(false);
  });
});
