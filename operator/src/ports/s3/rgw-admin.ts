// RGW users through Ceph RGW's admin-ops REST API, for a StorageMount of provider `rgw` (Ceph
// without Rook, so no CephObjectStoreUser to lean on). Each bucket gets its own user, so a leaked
// Drive key opens one bucket, not the store. Observe, then create or update, then delete.
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import type { S3Keys } from './bucket.js';
import { StoreError, storeError } from './store-errors.js';

export interface RgwAdminEndpoint {
  endpoint: string;
  region: string;
  credentials: S3Keys;
}

export interface RgwUser {
  uid: string;
  displayName: string;
  accessKeyIds: string[];
  suspended: boolean;
}

const TIMEOUT_MS = 10_000;

type Method = 'GET' | 'PUT' | 'POST' | 'DELETE';
type Resource = 'user' | 'bucket';

interface AdminResponse {
  status: number;
  /** RGW's error code (`{"Code":"NoSuchUser",...}`), when the call failed. */
  code: string | undefined;
  body: unknown;
}

// The signer escapes query keys and values this way (RFC 3986); the URL sent must carry the same
// bytes, or RGW computes another canonical request and answers SignatureDoesNotMatch.
function escapeUri(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/** One admin-ops call; throws only when RGW could not be reached. */
async function call(
  admin: RgwAdminEndpoint,
  method: Method,
  resource: Resource,
  query: Record<string, string>,
  action: string,
): Promise<AdminResponse> {
  try {
    const base = new URL(admin.endpoint);
    const path = `${base.pathname.replace(/\/+$/, '')}/admin/${resource}`;
    const signer = new SignatureV4({
      service: 's3',
      region: admin.region,
      credentials: admin.credentials,
      sha256: Hash.bind(null, 'sha256'),
      // S3 (and so RGW) signs the path as sent, without the second escaping other services use.
      uriEscapePath: false,
    });
    const signed = await signer.sign({
      method,
      protocol: base.protocol,
      hostname: base.hostname,
      port: base.port ? Number(base.port) : undefined,
      path,
      query,
      headers: { host: base.host },
    });
    // fetch sets Host itself from the URL, the same value that was signed.
    const { host: _host, ...headers } = signed.headers;
    const search = Object.entries(query)
      .map(([key, value]) => `${escapeUri(key)}=${escapeUri(value)}`)
      .join('&');
    const response = await fetch(`${base.origin}${path}?${search}`, {
      method,
      headers,
      // A redirect would carry a signature made for another URL; report it instead.
      redirect: 'manual',
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    const text = await response.text();
    let body: unknown = undefined;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      // An HTML page from a proxy in front of RGW: the status alone classifies it.
    }
    const code = response.ok ? undefined : errorCode(body);
    return { status: response.status, code, body };
  } catch (error) {
    throw storeError(error, admin.endpoint, action);
  }
}

function errorCode(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null || !('Code' in body)) return undefined;
  return typeof body.Code === 'string' ? body.Code : undefined;
}

/** A failed call as a StoreError; the message names the code, never the request (it has secrets). */
function failure(admin: RgwAdminEndpoint, response: AdminResponse, action: string): StoreError {
  const { endpoint } = admin;
  const code = response.code ?? `HTTP ${String(response.status)}`;
  if (code === 'AccessDenied')
    return new StoreError(
      'AccessDenied',
      endpoint,
      `${action}: ${endpoint} denies it (AccessDenied): the RGW user of access key ` +
        `${admin.credentials.accessKeyId} lacks admin-ops caps; run ` +
        `radosgw-admin caps add --uid=<admin> --caps="users=*;buckets=*"`,
    );
  if (code === 'KeyExists')
    return new StoreError(
      'Conflict',
      endpoint,
      `${action}: another RGW user of ${endpoint} already has this access key id (KeyExists); ` +
        `use another key in the credentials Secret`,
    );
  return storeError(
    Object.assign(new Error(code), { name: code, $metadata: { httpStatusCode: response.status } }),
    endpoint,
    action,
  );
}

const isNoSuchUser = (response: AdminResponse) =>
  response.status === 404 && response.code === 'NoSuchUser';

function parseUser(admin: RgwAdminEndpoint, body: unknown, action: string): RgwUser {
  const user = body as {
    user_id?: unknown;
    display_name?: unknown;
    suspended?: unknown;
    keys?: unknown;
  } | null;
  const keys = Array.isArray(user?.keys) ? (user.keys as { access_key?: unknown }[]) : undefined;
  if (typeof user?.user_id !== 'string' || !keys)
    throw new StoreError(
      'Unsupported',
      admin.endpoint,
      `${action}: ${admin.endpoint} answered with no user_id or keys; is it Ceph RGW?`,
    );
  return {
    uid: user.user_id,
    displayName: typeof user.display_name === 'string' ? user.display_name : '',
    accessKeyIds: keys.flatMap((key) =>
      typeof key.access_key === 'string' ? [key.access_key] : [],
    ),
    // RGW writes 0 or 1; accept a boolean should a release switch.
    suspended: user.suspended === 1 || user.suspended === true,
  };
}

/** GET /admin/user?uid=…; undefined when the user does not exist (404 NoSuchUser). */
export async function observeRgwUser(
  admin: RgwAdminEndpoint,
  uid: string,
): Promise<RgwUser | undefined> {
  const action = `read RGW user ${uid}`;
  const response = await call(admin, 'GET', 'user', { uid, format: 'json' }, action);
  if (isNoSuchUser(response)) return undefined;
  if (response.status >= 300) throw failure(admin, response, action);
  return parseUser(admin, response.body, action);
}

async function mustSucceed(
  admin: RgwAdminEndpoint,
  method: Method,
  query: Record<string, string>,
  action: string,
): Promise<void> {
  const response = await call(admin, method, 'user', query, action);
  if (response.status >= 300) throw failure(admin, response, action);
}

/**
 * Makes the user exist with the given key pair: creates the user with exactly these keys when
 * missing (PUT /admin/user with access-key/secret-key, generate-key=false), adds the key
 * (PUT /admin/user?key) when the user exists without it, and re-enables a suspended user.
 * Returns what it did.
 */
export async function ensureRgwUser(
  admin: RgwAdminEndpoint,
  user: { uid: string; displayName: string; keys: S3Keys },
): Promise<'created' | 'updated' | 'unchanged'> {
  const { uid, displayName, keys } = user;
  const keyQuery = {
    uid,
    'access-key': keys.accessKeyId,
    'secret-key': keys.secretAccessKey,
    'key-type': 's3',
    'generate-key': 'false',
    format: 'json',
  };
  let current = await observeRgwUser(admin, uid);
  if (!current) {
    const action = `create RGW user ${uid}`;
    const response = await call(
      admin,
      'PUT',
      'user',
      { ...keyQuery, 'display-name': displayName },
      action,
    );
    if (response.status < 300) return 'created';
    // Another reconcile created it between our read and write: update what it made instead.
    if (response.code !== 'UserAlreadyExists') throw failure(admin, response, action);
    current = await observeRgwUser(admin, uid);
    if (!current) throw failure(admin, response, action);
  }
  let changed = false;
  // Only the id can be compared: RGW's answer is no proof the secret works, an S3 call with the
  // keys is, and that check lives with the bucket.
  if (!current.accessKeyIds.includes(keys.accessKeyId)) {
    await mustSucceed(admin, 'PUT', { key: '', ...keyQuery }, `add a key to RGW user ${uid}`);
    changed = true;
  }
  if (current.suspended || current.displayName !== displayName) {
    await mustSucceed(
      admin,
      'POST',
      { uid, 'display-name': displayName, suspended: 'false', format: 'json' },
      `enable or rename RGW user ${uid}`,
    );
    changed = true;
  }
  return changed ? 'updated' : 'unchanged';
}

/** The buckets a user owns, for a message; none when RGW will not say (no buckets=read cap). */
async function ownedBuckets(admin: RgwAdminEndpoint, uid: string): Promise<string[]> {
  const response = await call(
    admin,
    'GET',
    'bucket',
    { uid, format: 'json' },
    `list buckets of RGW user ${uid}`,
  ).catch(() => undefined);
  const body = response?.status === 200 ? response.body : undefined;
  return Array.isArray(body) ? body.filter((name) => typeof name === 'string') : [];
}

/**
 * DELETE /admin/user?uid=… (purge-data=false: never deletes objects); absent user is fine.
 * RGW refuses to remove a user that still owns buckets unless it purges their data; that refusal
 * is a Conflict naming the buckets, for a person (or the caller) to delete or relink them first.
 */
export async function deleteRgwUser(admin: RgwAdminEndpoint, uid: string): Promise<void> {
  const action = `delete RGW user ${uid}`;
  const response = await call(
    admin,
    'DELETE',
    'user',
    { uid, 'purge-data': 'false', format: 'json' },
    action,
  );
  if (isNoSuchUser(response)) return;
  // RGW reports "user has buckets" as -EEXIST, which its error table names BucketAlreadyExists.
  if (response.status === 409 && response.code === 'BucketAlreadyExists') {
    const buckets = await ownedBuckets(admin, uid);
    const named = buckets.length ? ` (${buckets.join(', ')})` : '';
    throw new StoreError(
      'Conflict',
      admin.endpoint,
      `${action}: the user still owns buckets${named}, and RGW removes such a user only by ` +
        `purging their objects, which the operator never does; delete the buckets or give them ` +
        `to another user (radosgw-admin bucket link --bucket=<name> --uid=<user>) first`,
    );
  }
  if (response.status >= 300) throw failure(admin, response, action);
}
