// Independent keys derived from SESSION_SECRET, one per use: a leak or a misuse of one (say a
// CSRF token shown to the page) tells nothing about the others, and one secret is all the
// operator has to generate and rotate.
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

export interface SessionKeys {
  /** HMAC key of the signed cookies (session id, login transaction). */
  cookieSigning: Buffer;
  /** AES-256-GCM key for tokens kept at rest in Redis (refresh and ID tokens). */
  tokenEncryption: Buffer;
  /** HMAC key of the CSRF tokens bound to a session. */
  csrf: Buffer;
}

function derive(secret: string, purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, '', `lasuite-mounts/${purpose}/v1`, 32));
}

export function sessionKeys(secret: string): SessionKeys {
  return {
    cookieSigning: derive(secret, 'cookie-signing'),
    tokenEncryption: derive(secret, 'token-encryption'),
    csrf: derive(secret, 'csrf'),
  };
}

const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * Encrypts and authenticates `plaintext`; `context` (e.g. which session it belongs to) is bound
 * as associated data, so a sealed value copied elsewhere does not open.
 */
export function seal(key: Buffer, plaintext: string, context: string): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(context));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
}

/** The plaintext, or undefined when the value was altered, or sealed with another key or context. */
export function unseal(key: Buffer, sealed: string, context: string): string | undefined {
  const data = Buffer.from(sealed, 'base64url');
  if (data.length < IV_BYTES + TAG_BYTES) return undefined;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(context));
    decipher.setAuthTag(data.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    return Buffer.concat([
      decipher.update(data.subarray(IV_BYTES + TAG_BYTES)),
      decipher.final(),
    ]).toString('utf8');
  } catch {
    return undefined;
  }
}
