// Share links in Redis: one record per link (expiring with it) and, per mount, an index of ids by
// expiry for the managers' listing. Revoking deletes the record, so the link stops at once though
// its MAC stays valid; an expired link is refused by its expiry even before Redis evicts it.
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { MountPath } from '../smb/paths.js';
import {
  isShareLinkId,
  newShareLinkId,
  shareLinkToken,
  shareLinkTokenId,
  tokenMatches,
  type ShareLinkGrantFields,
  type ShareLinkRole,
} from './share-link-token.js';

export interface ShareLinkCreator {
  sub: string;
  email?: string;
}

export interface ShareLink {
  id: string;
  mount: string;
  path: MountPath;
  target: 'file' | 'directory';
  role: ShareLinkRole;
  expiresAt: Date;
  createdAt: Date;
  createdBy: ShareLinkCreator;
}

const RECORD_PREFIX = 'smb-mount:share-link:';
const INDEX_PREFIX = 'smb-mount:share-links:';

const stored = z
  .object({
    v: z.literal(1),
    id: z.string(),
    mount: z.string(),
    path: z.string(),
    target: z.enum(['file', 'directory']),
    role: z.enum(['viewer', 'editor']),
    expiresAt: z.number().int(),
    createdAt: z.number().int(),
    createdBy: z.object({ sub: z.string(), email: z.string().optional() }),
  })
  .strict();

type StoredLink = z.infer<typeof stored>;

function recordKey(id: string): string {
  return `${RECORD_PREFIX}${id}`;
}

function indexKey(mount: string): string {
  return `${INDEX_PREFIX}${mount}`;
}

function grantFields(record: StoredLink): ShareLinkGrantFields {
  const { id, mount, path, target, role, expiresAt } = record;
  return { id, mount, path, target, role, expiresAt };
}

export class ShareLinkStore {
  readonly #redis: Redis;
  readonly #secret: string;
  readonly #now: () => number;

  constructor(redis: Redis, secret: string, now: () => number = Date.now) {
    this.#redis = redis;
    this.#secret = secret;
    this.#now = now;
  }

  async create(input: {
    mount: string;
    path: MountPath;
    target: 'file' | 'directory';
    role: ShareLinkRole;
    expiresInSeconds: number;
    createdBy: ShareLinkCreator;
  }): Promise<{ link: ShareLink; token: string }> {
    const now = this.#now();
    const record: StoredLink = {
      v: 1,
      id: newShareLinkId(),
      mount: input.mount,
      path: input.path.toString(),
      target: input.target,
      role: input.role,
      expiresAt: Math.floor(now / 1000) + input.expiresInSeconds,
      createdAt: now,
      createdBy: input.createdBy,
    };
    await this.#redis
      .multi()
      .set(recordKey(record.id), JSON.stringify(record), 'EXAT', record.expiresAt)
      .zadd(indexKey(record.mount), record.expiresAt, record.id)
      // The index would otherwise keep every expired id forever.
      .zremrangebyscore(indexKey(record.mount), '-inf', Math.floor(now / 1000))
      .exec();
    return this.#withToken(record);
  }

  /** The mount's links still in force, oldest first. */
  async list(mount: string): Promise<{ link: ShareLink; token: string }[]> {
    const nowSeconds = Math.floor(this.#now() / 1000);
    const ids = await this.#redis.zrangebyscore(indexKey(mount), `(${String(nowSeconds)}`, '+inf');
    if (ids.length === 0) return [];
    const texts = await this.#redis.mget(ids.map(recordKey));
    const links: { link: ShareLink; token: string }[] = [];
    const gone: string[] = [];
    ids.forEach((id, index) => {
      const text = texts[index] ?? null;
      const record = text === null ? undefined : this.#parse(text);
      if (record?.mount === mount && record.expiresAt > nowSeconds)
        links.push(this.#withToken(record));
      else gone.push(id);
    });
    if (gone.length > 0) await this.#redis.zrem(indexKey(mount), ...gone);
    return links.sort((a, b) => a.link.createdAt.getTime() - b.link.createdAt.getTime());
  }

  /** Revokes a link of this mount; false when there is no such link (or it is another mount's). */
  async revoke(mount: string, id: string): Promise<boolean> {
    if (!isShareLinkId(id)) return false;
    const text = await this.#redis.get(recordKey(id));
    const record = text === null ? undefined : this.#parse(text);
    if (record?.mount !== mount) return false;
    await this.#redis.multi().del(recordKey(id)).zrem(indexKey(mount), id).exec();
    return true;
  }

  /** The link a token stands for, if the token is genuine and the link neither revoked nor expired. */
  async resolve(token: string): Promise<ShareLink | undefined> {
    const id = shareLinkTokenId(token);
    if (id === undefined) return undefined;
    const text = await this.#redis.get(recordKey(id));
    const record = text === null ? undefined : this.#parse(text);
    if (record === undefined || !tokenMatches(this.#secret, token, grantFields(record)))
      return undefined;
    if (record.expiresAt * 1000 <= this.#now()) return undefined;
    return this.#link(record);
  }

  #parse(text: string): StoredLink | undefined {
    try {
      const result = stored.safeParse(JSON.parse(text));
      return result.success ? result.data : undefined;
    } catch {
      return undefined;
    }
  }

  #link(record: StoredLink): ShareLink {
    return {
      id: record.id,
      mount: record.mount,
      path: MountPath.parse(record.path),
      target: record.target,
      role: record.role,
      expiresAt: new Date(record.expiresAt * 1000),
      createdAt: new Date(record.createdAt),
      createdBy: record.createdBy,
    };
  }

  #withToken(record: StoredLink): { link: ShareLink; token: string } {
    return { link: this.#link(record), token: shareLinkToken(this.#secret, grantFields(record)) };
  }
}
