// Where a tus upload goes, from its Upload-Metadata: `directory` (mount-relative, "" or absent
// for the mount root) and `filename`, base64 as tus encodes every value. Both are checked like
// any other path before anything reaches SMB.
import { Metadata } from '@tus/utils';
import { ApiError } from '../api/errors.js';
import { MountPath } from '../smb/paths.js';

export interface UploadTarget {
  dir: MountPath;
  name: string;
  path: MountPath;
  metadata: Record<string, string | null>;
}

export function uploadTarget(header: string | undefined): UploadTarget {
  let metadata: Record<string, string | null>;
  try {
    metadata = Metadata.parse(header);
  } catch {
    throw new ApiError('Invalid', 'Upload-Metadata is malformed');
  }
  const name = metadata.filename;
  if (typeof name !== 'string' || name === '')
    throw new ApiError('Invalid', 'Upload-Metadata must name the file (filename)');
  const dir = MountPath.parse(metadata.directory ?? '');
  const path = dir.child(name);
  return { dir, name, path, metadata };
}
