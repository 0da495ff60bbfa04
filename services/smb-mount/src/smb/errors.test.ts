import { describe, expect, it } from 'vitest';
import { isConnectionError, kindOf, SmbError, toSmbError } from './errors.js';

describe('kindOf', () => {
  it.each([
    ['ENOENT', 'NotFound'],
    ['EEXIST', 'Conflict'],
    ['EISDIR', 'Conflict'],
    ['ENOTDIR', 'Conflict'],
    ['EBUSY', 'Conflict'],
    ['ENOTEMPTY', 'NotEmpty'],
    ['EACCES', 'Forbidden'],
    ['EPERM', 'Forbidden'],
    ['ETIMEDOUT', 'Timeout'],
    ['EINVAL', 'Invalid'],
    ['ENAMETOOLONG', 'Invalid'],
    ['ECONNRESET', 'Unavailable'],
    ['EIO', 'Unavailable'],
    ['ENOSPC', 'Unavailable'],
    [undefined, 'Unavailable'],
  ])('%s is %s', (code, kind) => {
    expect(kindOf(code)).toBe(kind);
  });
});

describe('isConnectionError', () => {
  it('names the errors after which a fresh connection may work', () => {
    for (const code of ['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ENOTCONN', 'ETIMEDOUT'])
      expect(isConnectionError(code)).toBe(true);
    for (const code of ['ENOENT', 'EACCES', 'EIO', undefined])
      expect(isConnectionError(code)).toBe(false);
  });
});

describe('toSmbError', () => {
  it('keeps the errno name, the operation and the path', () => {
    const native = Object.assign(
      new Error('stat smb://h/s/a: ENOENT (No such file or directory)'),
      {
        code: 'ENOENT',
      },
    );
    const error = toSmbError(native, 'stat', 'a');
    expect(error).toMatchObject({ kind: 'NotFound', code: 'ENOENT', operation: 'stat', path: 'a' });
    expect(error.message).toBe('stat /a: stat smb://h/s/a: ENOENT (No such file or directory)');
    expect(error.cause).toBe(native);
  });

  it('passes an SmbError through and copes with what is not an Error', () => {
    const known = new SmbError('Timeout', 'slow', { operation: 'list' });
    expect(toSmbError(known, 'stat')).toBe(known);
    expect(toSmbError('boom', 'list')).toMatchObject({
      kind: 'Unavailable',
      message: 'list: boom',
    });
  });
});
