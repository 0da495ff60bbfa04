import { describe, expect, it } from 'vitest';
import { MountPath } from '../smb/paths.js';
import { WopiRefusal } from './errors.js';
import { decodeFileId, encodeFileId } from './file-id.js';

function refusal(run: () => unknown): WopiRefusal {
  try {
    run();
  } catch (error) {
    if (error instanceof WopiRefusal) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

const id = (text: string) => Buffer.from(text, 'utf8').toString('base64url');

describe('WOPI file ids', () => {
  it.each(['docs/report.odt', 'a.docx', 'Équipe/☃ notes.odt', 'deep/er/still/x.xlsx'])(
    'round-trips %j, stable and URL-safe',
    (path) => {
      const encoded = encodeFileId('team-share', MountPath.parse(path));
      expect(encoded).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(encodeFileId('team-share', MountPath.parse(path))).toBe(encoded);
      const decoded = decodeFileId(encoded);
      expect(decoded.mount).toBe('team-share');
      expect(decoded.path.toString()).toBe(path);
    },
  );

  it('gives different files different ids', () => {
    expect(encodeFileId('m', MountPath.parse('a/b.odt'))).not.toBe(
      encodeFileId('m', MountPath.parse('a/B.odt')),
    );
    expect(encodeFileId('m', MountPath.parse('a.odt'))).not.toBe(
      encodeFileId('n', MountPath.parse('a.odt')),
    );
  });

  it.each([
    ['', 'empty'],
    ['not base64!', 'alphabet'],
    ['YQ==', 'padding'],
    [id('nomount'), 'no slash'],
    [id('/a.odt'), 'empty mount'],
    [id('Bad_Mount/a.odt'), 'not a mount name'],
    [id('m/'), 'the mount root'],
    [id('m/../etc/passwd'), 'dot segment'],
    [id('m/a/../../b.odt'), 'climbing'],
    [id('m//a.odt'), 'empty segment'],
    [id('m/a\\b.odt'), 'backslash'],
    [id('m/a\u0000b.odt'), 'NUL'],
    [id('m/a\u2215b.odt'), 'slash lookalike'],
    [id('m/%2e%2e/b.odt'), 'encoded dot segment'],
    [id('m/dir/.x.odt.~upload-0123456789abcdef'), 'an upload in progress'],
    [Buffer.from([0x6d, 0x2f, 0xff, 0xfe]).toString('base64url'), 'not UTF-8'],
    ['x'.repeat(10_000), 'too long'],
  ])('refuses %j (%s) as an unknown file', (fileId) => {
    expect(refusal(() => decodeFileId(fileId)).status).toBe(404);
  });

  it('refuses a second spelling of an id', () => {
    const canonical = encodeFileId('m', MountPath.parse('a.odt'));
    // "m/a.odt" is 7 bytes: the last base64 character carries 4 unused bits.
    const last = canonical.at(-1)!;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const twin = canonical.slice(0, -1) + alphabet[alphabet.indexOf(last) + 1]!;
    expect(Buffer.from(twin, 'base64url').equals(Buffer.from(canonical, 'base64url'))).toBe(true);
    expect(refusal(() => decodeFileId(twin)).status).toBe(404);
  });

  it('never encodes the mount root or a bad mount name', () => {
    expect(() => encodeFileId('m', MountPath.root)).toThrow(RangeError);
    expect(() => encodeFileId('M!', MountPath.parse('a.odt'))).toThrow(RangeError);
  });
});
