import { describe, expect, it } from 'vitest';
import { MountPath, PathError, smbUrl, type PathRejection } from './paths.js';

function rejection(run: () => unknown): PathRejection | undefined {
  try {
    run();
  } catch (error) {
    if (error instanceof PathError) return error.reason;
    throw error;
  }
  return undefined;
}

describe('MountPath.fromUrl', () => {
  it.each([
    ['a/b/c.txt', ['a', 'b', 'c.txt']],
    ['caf%C3%A9/%E2%98%83%20x.txt', ['café', '☃ x.txt']],
    ['100%25%20sure%2B%23%3B%40.txt', ['100% sure+#;@.txt']],
    ['.hidden/a..b/x.tar.gz', ['.hidden', 'a..b', 'x.tar.gz']],
    [' leading space', [' leading space']],
    // A literal "%41" decodes further only to "A": no separator at any depth.
    ['x%2541', ['x%41']],
    // Dot lookalikes inside a name are ordinary characters (a Japanese full stop, say).
    ['%E5%A0%B1%E5%91%8A%E3%80%82docx', ['報告。docx']],
    ['', []],
  ])('accepts %j', (raw, segments) => {
    expect(MountPath.fromUrl(raw).segments).toEqual(segments);
  });

  it.each<[string, PathRejection]>([
    ['..', 'dot-segment'],
    ['.', 'dot-segment'],
    ['...', 'dot-segment'],
    ['a/../../etc/passwd', 'dot-segment'],
    ['a/./b', 'dot-segment'],
    ['%2e%2e/secret', 'dot-segment'],
    ['%2E%2E', 'dot-segment'],
    ['.%2e', 'dot-segment'],
    ['%252e%252e/secret', 'encoded-separator'],
    ['%25252e%25252e', 'encoded-separator'],
    ['a%2fb', 'encoded-separator'],
    ['a%2F..%2Fsecret', 'encoded-separator'],
    ['a%252fb', 'encoded-separator'],
    ['a%25252fb', 'encoded-separator'],
    ['a%5c..%5csecret', 'encoded-separator'],
    ['a%255cb', 'encoded-separator'],
    ['a%2500b', 'encoded-separator'],
    ['a\\b', 'backslash'],
    ['..\\..\\windows', 'backslash'],
    ['/etc/passwd', 'absolute'],
    ['//server/share/x', 'absolute'],
    ['a%00b', 'control-character'],
    ['a\u0000b', 'control-character'],
    ['a\nb', 'control-character'],
    ['a%0Ab', 'control-character'],
    ['a%7Fb', 'control-character'],
    ['evil%E2%80%AEtxt.exe', 'control-character'],
    ['a//b', 'empty-segment'],
    ['a/', 'empty-segment'],
    ['%E0%A4%A', 'malformed-encoding'],
    ['a%zz', 'malformed-encoding'],
    ['a%E2%88%95..%E2%88%95secret', 'lookalike'],
    ['a%EF%BC%8Fb', 'lookalike'],
    ['a%E2%81%84b', 'lookalike'],
    ['a%EF%BC%BCb', 'lookalike'],
    ['a%E2%88%96b', 'lookalike'],
    ['%EF%BC%8E%EF%BC%8E', 'lookalike'],
    ['%E2%80%A5', 'lookalike'],
    ['%E3%80%82%E3%80%82', 'lookalike'],
    ['%E2%80%A4%E2%80%A4', 'lookalike'],
    ['.%EF%BC%8E', 'lookalike'],
    ['C%3A', 'reserved-character'],
    ['file.txt%3A%3A%24DATA', 'reserved-character'],
    ['a*b', 'reserved-character'],
    ['a%3Fb', 'reserved-character'],
    ['a%22b', 'reserved-character'],
    ['a%3Cb%3E', 'reserved-character'],
    ['a%7Cb', 'reserved-character'],
    ['trailing.', 'trailing-dot-or-space'],
    ['trailing%20', 'trailing-dot-or-space'],
    ['x'.repeat(256), 'name-too-long'],
    ['%C3%A9'.repeat(128), 'name-too-long'],
    [Array.from({ length: 13 }, () => 'x'.repeat(250)).join('/'), 'path-too-long'],
    ['x'.repeat(10_000), 'path-too-long'],
  ])('refuses %j (%s)', (raw, reason) => {
    expect(rejection(() => MountPath.fromUrl(raw))).toBe(reason);
  });

  it('accepts a 255-byte name and a path of exactly the limit', () => {
    expect(MountPath.fromUrl('%C3%A9'.repeat(127) + 'x').name).toHaveLength(128);
    const path = [...Array.from({ length: 12 }, () => 'x'.repeat(250)), 'x'.repeat(60)].join('/');
    expect(new TextEncoder().encode(path)).toHaveLength(3072);
    expect(MountPath.fromUrl(path).segments).toHaveLength(13);
  });

  it('is an SmbError of kind Invalid, naming the reason', () => {
    let caught: unknown;
    try {
      MountPath.fromUrl('../x');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(PathError);
    expect(caught).toMatchObject({ kind: 'Invalid', reason: 'dot-segment' });
    expect((caught as Error).message).toBe('refused path: a segment of dots only');
  });
});

describe('MountPath.parse (decoded paths)', () => {
  it('takes names as they are', () => {
    expect(MountPath.parse('a/b c/100%.txt').segments).toEqual(['a', 'b c', '100%.txt']);
  });

  it.each<[string, PathRejection]>([
    ['../x', 'dot-segment'],
    ['a/b/..', 'dot-segment'],
    ['a%2fb', 'encoded-separator'],
    ['%2e%2e', 'encoded-separator'],
    ['a\\b', 'backslash'],
    ['/x', 'absolute'],
    ['a//b', 'empty-segment'],
    ['a\u2215b', 'lookalike'],
    ['\uff0e\uff0e', 'lookalike'],
    ['a\u0000', 'control-character'],
  ])('refuses %j (%s)', (path, reason) => {
    expect(rejection(() => MountPath.parse(path))).toBe(reason);
  });
});

describe('MountPath', () => {
  const path = MountPath.parse('a/b/c.txt');

  it('knows its name, parent and root', () => {
    expect(path.name).toBe('c.txt');
    expect(path.parent.toString()).toBe('a/b');
    expect(path.parent.parent.parent.isRoot).toBe(true);
    expect(MountPath.root.parent.isRoot).toBe(true);
    expect(MountPath.root.name).toBe('');
  });

  it('checks a child name like a segment', () => {
    expect(path.parent.child('d.txt').toString()).toBe('a/b/d.txt');
    expect(rejection(() => path.child('..'))).toBe('dot-segment');
    expect(rejection(() => path.child('x/y'))).toBe('encoded-separator');
    expect(rejection(() => path.child(''))).toBe('empty-segment');
  });

  it('tells what lies below it', () => {
    expect(MountPath.parse('a').contains(path)).toBe(true);
    expect(path.contains(path)).toBe(true);
    expect(MountPath.parse('a/bb').contains(MountPath.parse('a/b'))).toBe(false);
    expect(MountPath.root.contains(path)).toBe(true);
  });

  it('reads smb.path as the root inside the share', () => {
    expect(MountPath.shareRoot('/').isRoot).toBe(true);
    expect(MountPath.shareRoot('/Team/Shared/').segments).toEqual(['Team', 'Shared']);
    expect(rejection(() => MountPath.shareRoot('Team'))).toBe('absolute');
    expect(rejection(() => MountPath.shareRoot('/a/../b'))).toBe('dot-segment');
  });
});

describe('smbUrl', () => {
  it('percent-encodes every segment, since libsmbclient decodes the URL', () => {
    const location = {
      host: '127.0.0.1',
      share: 'Team Share',
      root: MountPath.shareRoot('/Docs 2'),
    };
    expect(smbUrl(location, MountPath.parse('café ☃/100% #;@.txt'))).toBe(
      'smb://127.0.0.1/Team%20Share/Docs%202/caf%C3%A9%20%E2%98%83/100%25%20%23%3B%40.txt',
    );
    expect(smbUrl(location, MountPath.root)).toBe('smb://127.0.0.1/Team%20Share/Docs%202');
  });

  it('ends the share root in a slash, and brackets an IPv6 host', () => {
    expect(smbUrl({ host: '::1', share: 's', root: MountPath.root }, MountPath.root)).toBe(
      'smb://[::1]/s/',
    );
  });
});
