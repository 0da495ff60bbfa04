import { describe, expect, it } from 'vitest';
import { cachedBinary, MissingPrerequisiteError, systemBinary, version } from './binaries.js';

describe('test-bed binaries', () => {
  it('name the command that builds a missing cached binary', () => {
    const missing = () =>
      cachedBinary('kube-apiserver', 'v0.0.0-missing', 'hack/build-go-tools.sh kubernetes');
    expect(missing).toThrow(MissingPrerequisiteError);
    expect(missing).toThrow(
      /^kube-apiserver v0\.0\.0-missing is not in .*: run hack\/build-go-tools\.sh kubernetes$/,
    );
  });

  it('name the command that installs a missing package', () => {
    expect(() => systemBinary('no-such-server', 'hack/install-debian-deps.sh nginx')).toThrow(
      'no-such-server is not installed: run hack/install-debian-deps.sh nginx',
    );
  });

  it('read every pin from hack/versions.env', () => {
    expect(version('KUBERNETES_VERSION')).toMatch(/^v1\.\d+\.\d+$/);
    expect(version('TRAEFIK_VERSION')).toMatch(/^v3\.6\.\d+$/);
    expect(() => version('NOT_PINNED')).toThrow('hack/versions.env has no NOT_PINNED');
  });
});
