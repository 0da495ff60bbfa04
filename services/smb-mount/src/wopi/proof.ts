// WOPI proof keys, the verifying side, as Microsoft specifies it ("Verifying that requests
// originate from Office for the web by using proof keys"): the editor signs, with RSA-SHA256
// (PKCS#1 v1.5), the bytes
//   len(token) ‖ token ‖ len(URL) ‖ UPPER-CASED URL ‖ len(8) ‖ X-WOPI-TimeStamp
// (lengths as 4-byte big-endian integers, the timestamp as an 8-byte big-endian integer of .NET
// ticks), and sends the signature as X-WOPI-Proof, and the same with its previous key as
// X-WOPI-ProofOld. Keys rotate, and discovery is cached, so three combinations count.
import { constants, verify, type KeyObject } from 'node:crypto';

/** .NET ticks (100 ns since 0001-01-01) at the Unix epoch. */
export const UNIX_EPOCH_TICKS = 621_355_968_000_000_000n;
const TICKS_PER_MS = 10_000n;
/** WOPI: a timestamp older than 20 minutes is refused. */
export const PROOF_MAX_AGE_MS = 20 * 60_000;
/**
 * Not in the spec: how far ahead of our clock a timestamp may be. A signed request with a far
 * future timestamp could otherwise be replayed for as long; editors sign with the time of sending.
 */
export const PROOF_MAX_SKEW_MS = 5 * 60_000;

export function unixMsToTicks(ms: number): bigint {
  return BigInt(Math.trunc(ms)) * TICKS_PER_MS + UNIX_EPOCH_TICKS;
}

export function ticksToUnixMs(ticks: bigint): number {
  return Number((ticks - UNIX_EPOCH_TICKS) / TICKS_PER_MS);
}

/**
 * Upper-cases ASCII letters only, as Collabora does when it signs. A request URL is ASCII (its
 * other characters percent-encoded), where this equals .NET's ToUpperInvariant and Python's upper.
 */
export function upperAscii(text: string): string {
  return text.replace(/[a-z]+/g, (letters) => letters.toUpperCase());
}

function lengthPrefixed(bytes: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length);
  return Buffer.concat([length, bytes]);
}

/** The bytes an editor signs for a request with this token, URL and X-WOPI-TimeStamp. */
export function expectedProofBytes(accessToken: string, url: string, ticks: bigint): Buffer {
  const timestamp = Buffer.alloc(8);
  // A .NET long: signed, big-endian (ticks of any real date are far below 2^63).
  timestamp.writeBigInt64BE(ticks);
  return Buffer.concat([
    lengthPrefixed(Buffer.from(accessToken, 'utf8')),
    lengthPrefixed(Buffer.from(upperAscii(url), 'utf8')),
    lengthPrefixed(timestamp),
  ]);
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Whether `signature` (base64, as in the headers) is `key`'s RSA-SHA256 signature of `data`. */
export function signatureMatches(data: Buffer, signature: string, key: KeyObject): boolean {
  // Buffer.from(…, 'base64') skips junk silently; a malformed header is simply not a signature.
  if (signature === '' || !BASE64.test(signature)) return false;
  try {
    return verify(
      'sha256',
      data,
      { key, padding: constants.RSA_PKCS1_PADDING },
      Buffer.from(signature, 'base64'),
    );
  } catch {
    return false;
  }
}

export interface ProofKeys {
  current: KeyObject;
  old: KeyObject;
}

export interface SignedRequest {
  accessToken: string;
  /** The full URL the editor called, query string included. */
  url: string;
  ticks: bigint;
  proof: string;
  proofOld?: string | undefined;
}

/**
 * The spec's three accepted combinations: X-WOPI-Proof with the current key (nothing rotated),
 * X-WOPI-ProofOld with the current key (the editor rotated, we have its new discovery), and
 * X-WOPI-Proof with the old key (the editor rotated, our discovery is older).
 */
export function proofMatches(request: SignedRequest, keys: ProofKeys): boolean {
  const data = expectedProofBytes(request.accessToken, request.url, request.ticks);
  return (
    signatureMatches(data, request.proof, keys.current) ||
    (request.proofOld !== undefined && signatureMatches(data, request.proofOld, keys.current)) ||
    signatureMatches(data, request.proof, keys.old)
  );
}

export type TimestampProblem = 'missing' | 'malformed' | 'too old' | 'in the future';

/** The X-WOPI-TimeStamp as ticks, or what is wrong with it, judged against `nowMs`. */
export function checkTimestamp(
  header: string | undefined,
  nowMs: number,
  limits: { maxAgeMs: number; maxSkewMs: number } = {
    maxAgeMs: PROOF_MAX_AGE_MS,
    maxSkewMs: PROOF_MAX_SKEW_MS,
  },
): { ticks: bigint } | { problem: TimestampProblem } {
  if (header === undefined || header === '') return { problem: 'missing' };
  // Ticks of this era have 18 digits; a JS number would round them, hence BigInt.
  if (!/^[0-9]{1,19}$/.test(header)) return { problem: 'malformed' };
  const ticks = BigInt(header);
  if (ticks >= 1n << 63n) return { problem: 'malformed' };
  const at = ticksToUnixMs(ticks);
  if (at < nowMs - limits.maxAgeMs) return { problem: 'too old' };
  if (at > nowMs + limits.maxSkewMs) return { problem: 'in the future' };
  return { ticks };
}
