import { Metadata } from '@tus/utils';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../api/errors.js';
import { PathError } from '../smb/paths.js';
import { uploadTarget } from './upload-target.js';

function failure(header: string | undefined): unknown {
  try {
    uploadTarget(header);
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('an upload target from Upload-Metadata', () => {
  it('reads filename and directory, the root when no directory is given', () => {
    const target = uploadTarget(
      Metadata.stringify({ filename: 'a b.txt', directory: 'x/y', filetype: 'text/plain' }),
    );
    expect(target.path.toString()).toBe('x/y/a b.txt');
    expect(target.dir.toString()).toBe('x/y');
    expect(uploadTarget(Metadata.stringify({ filename: 'r.txt' })).path.toString()).toBe('r.txt');
  });

  it('refuses a missing name, malformed metadata, and any path the mount refuses', () => {
    expect(failure(undefined)).toBeInstanceOf(ApiError);
    expect(failure('filename not-base64!')).toBeInstanceOf(ApiError);
    const refused: Record<string, string>[] = [
      { filename: '..' },
      { filename: 'a/b' },
      { filename: 'ok', directory: '../x' },
      { filename: 'ok', directory: '/abs' },
      { filename: 'a\\b' },
    ];
    for (const metadata of refused)
      expect(failure(Metadata.stringify(metadata)), JSON.stringify(metadata)).toBeInstanceOf(
        PathError,
      );
  });
});
