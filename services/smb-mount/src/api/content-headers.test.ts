import { describe, expect, it } from 'vitest';
import { attachment, safeContentType } from './content-headers.js';

describe('download headers', () => {
  it('guesses a type from the extension, but never one a browser renders or runs', () => {
    expect(safeContentType('a.pdf')).toBe('application/pdf');
    expect(safeContentType('a.PNG')).toBe('image/png');
    expect(safeContentType('notes.txt')).toBe('text/plain');
    for (const name of [
      'a.html',
      'a.htm',
      'a.xhtml',
      'a.svg',
      'a.xml',
      'a.js',
      'a.mjs',
      'a.xsl',
      'a.wasm',
      'a',
    ])
      expect(safeContentType(name), name).toBe('application/octet-stream');
  });

  it('names the file as an attachment, with an ASCII fallback and RFC 5987', () => {
    expect(attachment('a.txt')).toBe('attachment; filename=a.txt');
    expect(attachment('résumé.pdf')).toBe(
      `attachment; filename="r?sum?.pdf"; filename*=UTF-8''r%C3%A9sum%C3%A9.pdf`,
    );
    expect(attachment('a "quoted" name.txt')).toBe(
      'attachment; filename="a \\"quoted\\" name.txt"',
    );
  });
});
