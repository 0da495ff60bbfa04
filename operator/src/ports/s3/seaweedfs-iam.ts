// SeaweedFS identities through the IAM API that SeaweedFS embeds in its S3 gateway (same endpoint,
// AWS IAM query protocol), for a StorageMount of provider `seaweedfs`. Each bucket gets its own
// identity, so a leaked Drive key opens one bucket, not the store. Observe, then create or update,
// then delete.
//
// What SeaweedFS 4.48 does that shapes this module (found against `weed mini`):
// - A missing user is NoSuchEntity (404) on GetUser, ListUserPolicies, GetUserPolicy,
//   DeleteUserPolicy and DeleteUser; ListAccessKeys and DeleteAccessKey answer 200 instead.
// - GetUserPolicy for a policy name the user does not have does not fail: it returns a document
//   rebuilt from all of the user's permissions. ListUserPolicies tells whether ours exists.
// - Permissions are the union of every inline policy, and DeleteUser leaves the user's inline
//   policies behind: a user created again under the same name inherits them. So ensure removes
//   inline policies other than ours and delete removes all of them before the user.
// - GetUserPolicy returns the stored document re-encoded (a lone action becomes a string), so
//   documents are compared in a canonical form.
// - Changes apply before the call returns: a new key or policy works on the next S3 request to
//   the same gateway, and a deleted key fails on it. No polling is needed.
import {
  CreateAccessKeyCommand,
  CreateUserCommand,
  DeleteAccessKeyCommand,
  DeleteUserCommand,
  DeleteUserPolicyCommand,
  EntityAlreadyExistsException,
  GetUserCommand,
  GetUserPolicyCommand,
  IAMClient,
  ListAccessKeysCommand,
  ListUserPoliciesCommand,
  NoSuchEntityException,
  PutUserPolicyCommand,
  UpdateAccessKeyCommand,
} from '@aws-sdk/client-iam';
import type { S3Keys } from './bucket.js';
import { StoreError, storeError } from './store-errors.js';

export interface SeaweedAdminEndpoint {
  endpoint: string;
  region: string;
  credentials: S3Keys;
}

export interface SeaweedIdentity {
  userName: string;
  accessKeyIds: string[];
  /** The parsed inline policy document, if any. */
  policy?: unknown;
}

/** The name of the one inline policy an identity carries. */
export const BUCKET_POLICY_NAME = 'lasuite-bucket';

/** The policy document ensureSeaweedIdentity puts, exported for tests and status. */
export function bucketPolicy(bucket: string): object {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Action: ['s3:*'],
        Resource: [`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/*`],
      },
    ],
  };
}

async function bodyText(body: unknown): Promise<string | undefined> {
  if (typeof body === 'string') return body;
  if (body instanceof Uint8Array) return Buffer.from(body).toString('utf8');
  if (typeof body !== 'object' || body === null || !(Symbol.asyncIterator in body))
    return undefined;
  const chunks: Buffer[] = [];
  for await (const chunk of body as AsyncIterable<Uint8Array | string>)
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk));
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * SeaweedFS rejects the caller (bad signature, unknown key, no admin rights) in S3's error shape,
 * `<Error><Code>SignatureDoesNotMatch</Code>…`, which the IAM parser does not read: the SDK would
 * throw "Unknown" 403, and a wrong secret would pass for a missing permission. Wrapping the body
 * in IAM's `<ErrorResponse>` lets the SDK name the error.
 */
function readS3StyleErrors(client: IAMClient): void {
  client.middlewareStack.add(
    (next) => async (args) => {
      const result = await next(args);
      const response = result.response as { statusCode?: number; body?: unknown };
      if ((response.statusCode ?? 0) < 400) return result;
      const text = await bodyText(response.body);
      if (text === undefined) return result;
      const xml = text.replace(/^\s*<\?xml[^>]*\?>\s*/, '');
      response.body = Buffer.from(
        xml.startsWith('<Error>') ? `<ErrorResponse>${xml}</ErrorResponse>` : text,
      );
      return result;
    },
    // Low priority puts it inside the SDK's deserializer: it sees the raw response first.
    { step: 'deserialize', priority: 'low', name: 'seaweedS3StyleErrors' },
  );
}

/** Retries are the work queue's job; the timeouts keep a silent gateway from holding a worker. */
function iamClient(admin: SeaweedAdminEndpoint): IAMClient {
  const client = new IAMClient({
    endpoint: admin.endpoint,
    region: admin.region,
    credentials: admin.credentials,
    maxAttempts: 2,
    requestHandler: { connectionTimeout: 5_000, requestTimeout: 10_000 },
  });
  readS3StyleErrors(client);
  return client;
}

interface Session {
  client: IAMClient;
  endpoint: string;
}

const ABSENT = Symbol('absent');

/** One call; NoSuchEntity comes back as ABSENT, every other failure as a StoreError. */
async function call<T>(
  session: Session,
  action: string,
  run: (client: IAMClient) => Promise<T>,
): Promise<T | typeof ABSENT> {
  try {
    return await run(session.client);
  } catch (error) {
    if (error instanceof NoSuchEntityException) return ABSENT;
    throw storeError(error, session.endpoint, action);
  }
}

async function withSession<T>(
  admin: SeaweedAdminEndpoint,
  run: (session: Session) => Promise<T>,
): Promise<T> {
  const client = iamClient(admin);
  try {
    return await run({ client, endpoint: admin.endpoint });
  } finally {
    client.destroy();
  }
}

/** AWS returns policy documents URL-encoded; SeaweedFS returns them as they are. */
function parsePolicy(document: string | undefined): unknown {
  if (document === undefined) return undefined;
  for (const decode of [(text: string) => text, decodeURIComponent]) {
    try {
      return JSON.parse(decode(document)) as unknown;
    } catch {
      // Try the next spelling.
    }
  }
  return document;
}

const LIST_FIELDS = new Set(['Action', 'NotAction', 'Resource', 'NotResource', 'Statement']);

/** One spelling per policy: keys sorted, a lone value as a list, lists of strings sorted. */
function canonical(value: unknown, key?: string): unknown {
  if (key !== undefined && LIST_FIELDS.has(key) && !Array.isArray(value)) return canonical([value]);
  if (Array.isArray(value)) {
    const items = value.map((item) => canonical(item));
    return items.every((item) => typeof item === 'string') ? [...items].sort() : items;
  }
  if (typeof value === 'object' && value !== null)
    return Object.fromEntries(
      Object.entries(value)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([field, inner]) => [field, canonical(inner, field)]),
    );
  return value;
}

const samePolicy = (a: unknown, b: unknown) =>
  JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));

interface Observed {
  identity: SeaweedIdentity;
  inactiveKeyIds: string[];
  policyNames: string[];
}

/** The user, its keys and inline policies; undefined when it does not exist (or just vanished). */
async function read(session: Session, userName: string): Promise<Observed | undefined> {
  const user = await call(session, `GetUser ${userName}`, (client) =>
    client.send(new GetUserCommand({ UserName: userName })),
  );
  if (user === ABSENT) return undefined;
  // One page each: a bucket identity carries a key or two and one policy, far below a page.
  const keys = await call(session, `ListAccessKeys of user ${userName}`, (client) =>
    client.send(new ListAccessKeysCommand({ UserName: userName })),
  );
  const policies = await call(session, `ListUserPolicies of user ${userName}`, (client) =>
    client.send(new ListUserPoliciesCommand({ UserName: userName })),
  );
  if (keys === ABSENT || policies === ABSENT) return undefined;
  const metadata = keys.AccessKeyMetadata ?? [];
  const policyNames = policies.PolicyNames ?? [];
  const identity: SeaweedIdentity = {
    userName,
    accessKeyIds: metadata.flatMap((key) => (key.AccessKeyId ? [key.AccessKeyId] : [])),
  };
  // Only a listed name: GetUserPolicy answers any other name with a rebuilt document.
  if (policyNames.includes(BUCKET_POLICY_NAME)) {
    const policy = await readPolicy(session, userName);
    if (policy === ABSENT) return undefined;
    identity.policy = policy;
  }
  return {
    identity,
    inactiveKeyIds: metadata.flatMap((key) =>
      key.AccessKeyId && key.Status === 'Inactive' ? [key.AccessKeyId] : [],
    ),
    policyNames,
  };
}

async function readPolicy(session: Session, userName: string): Promise<unknown> {
  const result = await call(
    session,
    `GetUserPolicy ${BUCKET_POLICY_NAME} of user ${userName}`,
    (client) =>
      client.send(new GetUserPolicyCommand({ UserName: userName, PolicyName: BUCKET_POLICY_NAME })),
  );
  return result === ABSENT ? ABSENT : parsePolicy(result.PolicyDocument);
}

/** GetUser + ListAccessKeys + GetUserPolicy; undefined when the user does not exist. */
export async function observeSeaweedIdentity(
  admin: SeaweedAdminEndpoint,
  userName: string,
): Promise<SeaweedIdentity | undefined> {
  return withSession(admin, async (session) => (await read(session, userName))?.identity);
}

/** A call that must find the user: it vanishing midway is a race the next reconcile settles. */
async function mustCall<T>(
  session: Session,
  userName: string,
  action: string,
  run: (client: IAMClient) => Promise<T>,
): Promise<T> {
  const result = await call(session, action, run);
  if (result === ABSENT)
    throw new StoreError(
      'Unreachable',
      session.endpoint,
      `${action}: user ${userName} disappeared from ${session.endpoint} meanwhile; retrying`,
    );
  return result;
}

async function createUser(session: Session, userName: string): Promise<Observed> {
  try {
    await session.client.send(new CreateUserCommand({ UserName: userName }));
  } catch (error) {
    // Created by a concurrent reconcile a moment ago: ours either way.
    if (!(error instanceof EntityAlreadyExistsException))
      throw storeError(error, session.endpoint, `CreateUser ${userName}`);
  }
  // Read, not assumed empty: a user created again inherits the inline policies of its namesake.
  const observed = await read(session, userName);
  if (!observed)
    throw new StoreError(
      'Unreachable',
      session.endpoint,
      `CreateUser ${userName}: ${session.endpoint} does not find the user it just created; retrying`,
    );
  return observed;
}

/** The kept key (reactivated if someone disabled it), or a new one SeaweedFS generates. */
async function ensureKey(
  session: Session,
  observed: Observed,
  current: S3Keys | undefined,
): Promise<{ keys: S3Keys; changed: boolean }> {
  const { userName } = observed.identity;
  if (current && observed.identity.accessKeyIds.includes(current.accessKeyId)) {
    if (!observed.inactiveKeyIds.includes(current.accessKeyId))
      return { keys: current, changed: false };
    await mustCall(session, userName, `UpdateAccessKey ${current.accessKeyId}`, (client) =>
      client.send(
        new UpdateAccessKeyCommand({
          UserName: userName,
          AccessKeyId: current.accessKeyId,
          Status: 'Active',
        }),
      ),
    );
    return { keys: current, changed: true };
  }
  const action = `CreateAccessKey for user ${userName}`;
  const created = await mustCall(session, userName, action, (client) =>
    client.send(new CreateAccessKeyCommand({ UserName: userName })),
  );
  const { AccessKeyId: accessKeyId, SecretAccessKey: secretAccessKey } = created.AccessKey ?? {};
  if (!accessKeyId || !secretAccessKey)
    throw new StoreError(
      'Unsupported',
      session.endpoint,
      `${action}: ${session.endpoint} answered without an access key id or secret`,
    );
  return { keys: { accessKeyId, secretAccessKey }, changed: true };
}

/** Ours in place and matching, then every other inline policy gone: together, exactly ours. */
async function ensurePolicy(
  session: Session,
  observed: Observed,
  bucket: string,
): Promise<boolean> {
  const { userName } = observed.identity;
  const want = bucketPolicy(bucket);
  let changed = false;
  if (
    !observed.policyNames.includes(BUCKET_POLICY_NAME) ||
    !samePolicy(observed.identity.policy, want)
  ) {
    const action = `PutUserPolicy ${BUCKET_POLICY_NAME} on user ${userName}`;
    await mustCall(session, userName, action, (client) =>
      client.send(
        new PutUserPolicyCommand({
          UserName: userName,
          PolicyName: BUCKET_POLICY_NAME,
          PolicyDocument: JSON.stringify(want),
        }),
      ),
    );
    // Read back: a gateway that drops statements it cannot enforce must not pass for one that
    // grants exactly this bucket.
    const stored = await readPolicy(session, userName);
    if (stored !== ABSENT && !samePolicy(stored, want))
      throw new StoreError(
        'Unsupported',
        session.endpoint,
        `${action}: ${session.endpoint} stored ${JSON.stringify(stored)} instead of the bucket policy`,
      );
    changed = true;
  }
  for (const name of observed.policyNames.filter((policy) => policy !== BUCKET_POLICY_NAME)) {
    await call(session, `DeleteUserPolicy ${name} of user ${userName}`, (client) =>
      client.send(new DeleteUserPolicyCommand({ UserName: userName, PolicyName: name })),
    );
    changed = true;
  }
  return changed;
}

/**
 * Makes the user exist, own a working key, and carry an inline policy that allows exactly
 * s3:* on arn:aws:s3:::<bucket> and arn:aws:s3:::<bucket>/* (nothing else).
 * SeaweedFS generates secrets itself, so: when `current` is given and its access key id is
 * among the user's keys, it is kept (returned keys = current); otherwise a new access key is
 * created (CreateAccessKey) and returned — the caller stores it in a Secret. The policy is put
 * (PutUserPolicy, policy name "lasuite-bucket") when missing or different.
 */
export async function ensureSeaweedIdentity(
  admin: SeaweedAdminEndpoint,
  want: { userName: string; bucket: string; current?: S3Keys },
): Promise<{ keys: S3Keys; action: 'created' | 'updated' | 'unchanged' }> {
  return withSession(admin, async (session) => {
    const existing = await read(session, want.userName);
    const observed = existing ?? (await createUser(session, want.userName));
    const key = await ensureKey(session, observed, want.current);
    const policyChanged = await ensurePolicy(session, observed, want.bucket);
    const action = !existing ? 'created' : key.changed || policyChanged ? 'updated' : 'unchanged';
    return { keys: key.keys, action };
  });
}

/** Deletes the user's policy, keys and the user; an absent user is fine. Never touches buckets. */
export async function deleteSeaweedIdentity(
  admin: SeaweedAdminEndpoint,
  userName: string,
): Promise<void> {
  await withSession(admin, async (session) => {
    const observed = await read(session, userName);
    if (!observed) return;
    // Inline policies first: SeaweedFS would keep them and grant them to a later namesake.
    for (const name of observed.policyNames)
      await call(session, `DeleteUserPolicy ${name} of user ${userName}`, (client) =>
        client.send(new DeleteUserPolicyCommand({ UserName: userName, PolicyName: name })),
      );
    for (const accessKeyId of observed.identity.accessKeyIds)
      await call(session, `DeleteAccessKey ${accessKeyId} of user ${userName}`, (client) =>
        client.send(new DeleteAccessKeyCommand({ UserName: userName, AccessKeyId: accessKeyId })),
      );
    await call(session, `DeleteUser ${userName}`, (client) =>
      client.send(new DeleteUserCommand({ UserName: userName })),
    );
  });
}
