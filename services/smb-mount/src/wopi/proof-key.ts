// RSA public keys from a discovery <proof-key>: either the modulus/exponent pair (plain base64,
// big-endian integers) or the `value` attribute, a Windows CryptoAPI PUBLICKEYBLOB (what .NET's
// RSACryptoServiceProvider.ExportCspBlob writes, and Collabora builds the same way).
import { createPublicKey, type KeyObject } from 'node:crypto';

/** What Drive's operator checks too: a shorter key is not worth trusting. */
export const MIN_PROOF_KEY_BITS = 2048;

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export class ProofKeyError extends Error {
  override name = 'ProofKeyError';
}

function base64(value: string, what: string): Buffer {
  const compact = value.replace(/\s+/g, '');
  if (compact === '' || !BASE64.test(compact)) throw new ProofKeyError(`${what} is not base64`);
  return Buffer.from(compact, 'base64');
}

function withoutLeadingZeros(bytes: Buffer): Buffer {
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start += 1;
  return bytes.subarray(start);
}

function rsaKey(modulus: Buffer, exponent: Buffer, what: string): KeyObject {
  const n = withoutLeadingZeros(modulus);
  const e = withoutLeadingZeros(exponent);
  const lastModulusByte = n.at(-1) ?? 0;
  const lastExponentByte = e.at(-1) ?? 0;
  // An even modulus or exponent, or e < 3, is no RSA key; node:crypto would still import it.
  if (
    lastModulusByte % 2 === 0 ||
    lastExponentByte % 2 === 0 ||
    (e.length === 1 && (e[0] ?? 0) < 3)
  )
    throw new ProofKeyError(`${what} is not an RSA public key`);
  let key: KeyObject;
  try {
    key = createPublicKey({
      key: { kty: 'RSA', n: n.toString('base64url'), e: e.toString('base64url') },
      format: 'jwk',
    });
  } catch (error) {
    throw new ProofKeyError(`${what} is not an RSA public key`, { cause: error });
  }
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (bits < MIN_PROOF_KEY_BITS)
    throw new ProofKeyError(`${what} has ${bits} bits, fewer than ${MIN_PROOF_KEY_BITS}`);
  return key;
}

/** A key from discovery's modulus and exponent attributes. */
export function keyFromModulus(modulus: string, exponent: string, what = 'proof-key'): KeyObject {
  return rsaKey(base64(modulus, `${what} modulus`), base64(exponent, `${what} exponent`), what);
}

const PUBLICKEYBLOB = 0x06;
const CUR_BLOB_VERSION = 0x02;
const CALG_RSA_KEYX = 0x0000a400;
const CALG_RSA_SIGN = 0x00002400;
const RSA1 = 0x31415352; // "RSA1", little-endian
const HEADER_BYTES = 20;

/** A key from discovery's `value` attribute: a CryptoAPI PUBLICKEYBLOB, little-endian throughout. */
export function keyFromCspBlob(value: string, what = 'proof-key value'): KeyObject {
  const blob = base64(value, what);
  if (blob.length < HEADER_BYTES) throw new ProofKeyError(`${what} is too short for a key blob`);
  const algorithm = blob.readUInt32LE(4);
  if (
    blob[0] !== PUBLICKEYBLOB ||
    blob[1] !== CUR_BLOB_VERSION ||
    (algorithm !== CALG_RSA_KEYX && algorithm !== CALG_RSA_SIGN) ||
    blob.readUInt32LE(8) !== RSA1
  )
    throw new ProofKeyError(`${what} is not an RSA PUBLICKEYBLOB`);
  const bits = blob.readUInt32LE(12);
  if (bits === 0 || bits % 8 !== 0 || blob.length !== HEADER_BYTES + bits / 8)
    throw new ProofKeyError(`${what} has a modulus length that does not match the blob`);
  const exponent = Buffer.alloc(4);
  exponent.writeUInt32BE(blob.readUInt32LE(16));
  const modulus = Buffer.from(blob.subarray(HEADER_BYTES)).reverse();
  return rsaKey(modulus, exponent, what);
}

/**
 * The current and old keys of a <proof-key>'s attributes: modulus/exponent where present (what
 * Drive reads), else the CSP blob. Without an old key the current one stands in, as it does in
 * Collabora's discovery (it publishes its only key under both names).
 */
export function proofKeysFromAttributes(attributes: Readonly<Record<string, string>>): {
  current: KeyObject;
  old: KeyObject;
} {
  const pick = (modulus: string, exponent: string, blob: string): KeyObject | undefined => {
    const m = attributes[modulus];
    const e = attributes[exponent];
    if (m !== undefined && e !== undefined) return keyFromModulus(m, e, `proof-key ${modulus}`);
    const value = attributes[blob];
    if (value !== undefined) return keyFromCspBlob(value, `proof-key ${blob}`);
    return undefined;
  };
  const current = pick('modulus', 'exponent', 'value');
  if (current === undefined)
    throw new ProofKeyError('proof-key has neither modulus/exponent nor value');
  return { current, old: pick('oldmodulus', 'oldexponent', 'oldvalue') ?? current };
}
