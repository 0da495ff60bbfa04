import { describe, expect, it } from 'vitest';
import { SmbError } from '../smb/errors.js';
import { MountPath, type PathError } from '../smb/paths.js';
import { ApiError, errorAnswer } from './errors.js';

function pathError(): PathError {
  try {
    MountPath.parse('a/../b');
  } catch (error) {
    return error as PathError;
  }
  throw new Error('no PathError');
}

describe('error answers', () => {
  it('maps every SMB kind to its status, with Retry-After when the server is away', () => {
    const smb = (kind: SmbError['kind'], code?: string) =>
      errorAnswer(
        new SmbError(kind, `stat /x: smb://secret-host/share failed`, {
          operation: 'stat',
          path: 'x',
          code,
        }),
      );
    expect(smb('NotFound', 'ENOENT')).toMatchObject({
      status: 404,
      body: { error: 'NotFound', message: 'not found: /x' },
    });
    expect(smb('Conflict', 'EBUSY').body).toEqual({
      error: 'Conflict',
      message: 'conflict at /x: the file is in use',
    });
    expect(smb('NotEmpty', 'ENOTEMPTY').status).toBe(409);
    expect(smb('Forbidden', 'EACCES').status).toBe(403);
    const away = smb('Unavailable', 'ECONNREFUSED');
    expect(away).toMatchObject({ status: 503, headers: { 'retry-after': '5' }, serverSide: true });
    expect(smb('Timeout', 'ETIMEDOUT').status).toBe(504);
    expect(smb('Invalid', 'EINVAL').status).toBe(400);
    // libsmbclient's text, which may name the server, is never repeated.
    for (const kind of [
      'NotFound',
      'Conflict',
      'Forbidden',
      'Unavailable',
      'Timeout',
      'Invalid',
    ] as const)
      expect(smb(kind, 'EIO').body.message).not.toContain('secret-host');
  });

  it("repeats the backend's own reason, which it wrote itself", () => {
    const answer = errorAnswer(
      new SmbError('Conflict', 'rename /a: the target exists', { operation: 'rename', path: 'a' }),
    );
    expect(answer.body.message).toBe('conflict at /a: the target exists');
  });

  it('names the rule that refused a path', () => {
    expect(errorAnswer(pathError())).toEqual({
      status: 400,
      body: {
        error: 'PathError',
        message: 'refused path: a segment of dots only',
        reason: 'dot-segment',
      },
      headers: {},
      serverSide: false,
    });
  });

  it('answers API errors as they are, and anything else as an internal error without its text', () => {
    const unauthorized = errorAnswer(
      new ApiError('Unauthorized', 'authentication required', { 'www-authenticate': 'Bearer' }),
    );
    expect(unauthorized).toMatchObject({ status: 401, headers: { 'www-authenticate': 'Bearer' } });
    const internal = errorAnswer(new Error('password=hunter2 at /srv/x.js:10'));
    expect(internal).toEqual({
      status: 500,
      body: { error: 'Internal', message: 'internal error' },
      headers: {},
      serverSide: true,
    });
    const validation = Object.assign(new Error('body must have required property path'), {
      validation: [],
    });
    expect(errorAnswer(validation)).toMatchObject({ status: 400, body: { error: 'Invalid' } });
  });
});
