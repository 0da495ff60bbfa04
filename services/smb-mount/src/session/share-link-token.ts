// A share link's token: a random id and an HMAC-SHA256 (SHARE_LINK_SECRET) over everything the
// link grants. The grant itself is kept in Redis under the id (listing, revocation); the MAC ties
// the token to exactly that grant, so neither a guessed id nor an altered record (a path widened
// in Redis) is accepted.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Role } from '../config.js';

/** A link grants at most editing: managing the mount (and its links) needs a login. */
export type ShareLinkRole = Extract<Role, 'viewer' | 'editor'>;

export interface ShareLinkGrantFields {
  id: string;
  mount: string;
  /** The mount path, as MountPath.toString() writes it ('' for the mount root). */
  path: string;
  target: 'file' | 'directory';
  role: ShareLinkRole;
  /** Seconds since the epoch. */
  expiresAt: number;
}

/** 128 random bits: unguessable on its own, short in a URL. */
export function newShareLinkId(): string {
  return randomBytes(16).toString('base64url');
}

const ID = /^[A-Za-z0-9_-]{22}$/;
const TOKEN = /^([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})$/;

export function isShareLinkId(id: string): boolean {
  return ID.test(id);
}

function mac(secret: string, fields: ShareLinkGrantFields): Buffer {
  // A JSON array in a fixed order: unambiguous whatever the path contains.
  const message = JSON.stringify([
    'smb-mount share link v1',
    fields.id,
    fields.mount,
    fields.path,
    fields.target,
    fields.role,
    fields.expiresAt,
  ]);
  return createHmac('sha256', secret).update(message).digest();
}

export function shareLinkToken(secret: string, fields: ShareLinkGrantFields): string {
  return `${fields.id}.${mac(secret, fields).toString('base64url')}`;
}

/** The id a token names, if it has the token's shape (its MAC is checked against the record). */
export function shareLinkTokenId(token: string): string | undefined {
  return TOKEN.exec(token)?.[1];
}

export function tokenMatches(secret: string, token: string, fields: ShareLinkGrantFields): boolean {
  const match = TOKEN.exec(token);
  if (match?.[1] !== fields.id || match[2] === undefined) return false;
  // Compared as text, not decoded: base64url's last character carries spare bits, and a token
  // differing only there must not pass as the same one.
  const given = Buffer.from(match[2]);
  const expected = Buffer.from(mac(secret, fields).toString('base64url'));
  return given.length === expected.length && timingSafeEqual(given, expected);
}
