// The steps every mount route takes, in this order: who is asking (401), may they see the mount
// (404), is the path acceptable (400), may they do this there (403/404), and only then SMB.
import type { FastifyRequest } from 'fastify';
import { authorize, type Grant } from '../auth/grant.js';
import type { Action } from '../auth/roles.js';
import type { ServiceContext } from '../context.js';
import type { SmbBackend, SmbStat } from '../smb/backend.js';
import { MountPath } from '../smb/paths.js';
import { etagOf } from './download-plan.js';

/** A path from a query parameter or a JSON body: already decoded once, checked here. */
export function mountPath(value: string | undefined): MountPath {
  return MountPath.parse(value ?? '');
}

/**
 * The caller's grant on the mount, the request's paths checked and authorized, then the backend.
 * Paths are parsed once the grant is known, so that an unauthenticated request is a 401 and a
 * hidden mount a 404 whatever its paths; all are parsed before any is authorized.
 */
export async function access<Key extends string>(
  context: ServiceContext,
  request: FastifyRequest,
  mount: string,
  wanted: Readonly<Record<Key, readonly [Action, string | undefined]>>,
): Promise<{ grant: Grant; backend: SmbBackend; paths: Record<Key, MountPath> }> {
  const grant = await context.auth.grant(request, mount);
  const keys = Object.keys(wanted) as Key[];
  const paths = {} as Record<Key, MountPath>;
  for (const key of keys) paths[key] = mountPath(wanted[key][1]);
  for (const key of keys) authorize(grant, wanted[key][0], paths[key]);
  return { grant, backend: await context.mounts.backend(mount), paths };
}

export interface EntryBody {
  name: string;
  path: string;
  type: 'file' | 'directory';
  size: number;
  mtime: string;
  version: string;
  etag: string;
}

export function entryBody(stat: SmbStat): EntryBody {
  return {
    name: stat.name,
    path: stat.path,
    type: stat.type,
    size: stat.size,
    mtime: stat.mtime.toISOString(),
    version: stat.version,
    etag: etagOf(stat.version),
  };
}
