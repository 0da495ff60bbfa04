// A login in flight, between the redirect to the IdP and its callback: the PKCE verifier, state,
// nonce and where to return, kept in the browser (a signed cookie) so that any replica can finish
// the login and nothing is stored for logins that are never completed. The signature makes it
// tamper-evident; the expiry inside makes a copied cookie useless after the login window, whatever
// the browser does with Max-Age.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { CookieSigner } from './cookies.js';

export interface LoginTransaction {
  state: string;
  nonce: string;
  codeVerifier: string;
  returnTo: string;
  /** Milliseconds since the epoch. */
  expiresAt: number;
}

const stored = z
  .object({
    v: z.literal(1),
    state: z.string().min(1),
    nonce: z.string().min(1),
    codeVerifier: z.string().min(43).max(128),
    returnTo: z.string().min(1),
    expiresAt: z.number().int(),
  })
  .strict();

/**
 * The key naming the transaction's cookie, from its state: the callback finds its own cookie,
 * and logins started in two tabs do not overwrite each other's.
 */
export function transactionKey(state: string): string {
  return createHash('sha256').update(state).digest('base64url').slice(0, 16);
}

export function encodeTransaction(signer: CookieSigner, transaction: LoginTransaction): string {
  const json = JSON.stringify({ v: 1, ...transaction });
  return signer.sign(Buffer.from(json).toString('base64url'));
}

/** The transaction, if the cookie is ours, unaltered and not expired. */
export function decodeTransaction(
  signer: CookieSigner,
  cookie: string,
  now: number,
): LoginTransaction | undefined {
  const payload = signer.unsign(cookie);
  if (payload === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  const result = stored.safeParse(parsed);
  if (!result.success || result.data.expiresAt <= now) return undefined;
  const { v: _version, ...transaction } = result.data;
  return transaction;
}
