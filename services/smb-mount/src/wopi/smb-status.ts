// SMB failures as WOPI answers. Never 409: an editor reads 409 as a lock conflict or a document
// changed in storage and asks the user to resolve it, where a busy file only needs a retry.
import { SmbError } from '../smb/errors.js';
import { WopiRefusal } from './errors.js';

export function refusalFromSmb(error: unknown): WopiRefusal | undefined {
  if (!(error instanceof SmbError)) return undefined;
  switch (error.kind) {
    case 'NotFound':
      return new WopiRefusal(404, 'no such file on the share');
    case 'Invalid':
      return new WopiRefusal(400, 'the share refused the path');
    case 'Forbidden':
      return new WopiRefusal(403, 'the share refused access to the file');
    case 'Conflict':
    case 'NotEmpty':
      // A file where a directory should be means the path names nothing.
      if (error.code === 'ENOTDIR') return new WopiRefusal(404, 'no such file on the share');
      return new WopiRefusal(503, 'the file is busy on the share', { 'Retry-After': '2' });
    case 'Timeout':
    case 'Unavailable':
      return new WopiRefusal(503, 'the share is not answering', { 'Retry-After': '5' });
  }
}
