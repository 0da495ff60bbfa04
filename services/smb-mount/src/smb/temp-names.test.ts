import { describe, expect, it } from 'vitest';
import { MountPath } from './paths.js';
import { isTempName, newTempId, replacedTempName, uploadTempName } from './temp-names.js';

const ID = '0123456789abcdef';

describe('temporary names', () => {
  it('sit next to the target as hidden files', () => {
    expect(uploadTempName('report.pdf', ID)).toBe('.report.pdf.~upload-0123456789abcdef');
    expect(replacedTempName('report.pdf', ID)).toBe('.report.pdf.~replaced-0123456789abcdef');
    expect(newTempId()).toMatch(/^[0-9a-f]{16}$/);
  });

  it('fit in 255 bytes, cutting whole characters, and are valid names', () => {
    for (const name of ['x'.repeat(255), 'é'.repeat(127) + 'x', '😀'.repeat(63)]) {
      const temp = uploadTempName(name, ID);
      expect(new TextEncoder().encode(temp).length).toBeLessThanOrEqual(255);
      expect(temp).not.toContain('\ufffd');
      expect(isTempName(temp)).toBe(true);
      expect(MountPath.root.child(temp).name).toBe(temp);
    }
  });

  it('are told apart from the names of users', () => {
    expect(isTempName(replacedTempName('a', ID))).toBe(true);
    expect(isTempName('.a.~upload-xyz')).toBe(false);
    expect(isTempName('a.~upload-0123456789abcdef')).toBe(false);
    expect(isTempName('.a.~upload-0123456789abcdef.txt')).toBe(false);
  });

  it('need a 16-hex-digit id', () => {
    expect(() => uploadTempName('a', '../x')).toThrow(RangeError);
  });
});
