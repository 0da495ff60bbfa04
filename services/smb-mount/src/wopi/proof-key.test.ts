import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cspBlob, generateProofKey, proofKeyAttributes } from '../test-support/wopi-stand-ins.js';
import {
  keyFromCspBlob,
  keyFromModulus,
  ProofKeyError,
  proofKeysFromAttributes,
} from './proof-key.js';

const microsoft = JSON.parse(
  readFileSync(new URL('./__fixtures__/microsoft-proof-keys.json', import.meta.url), 'utf8'),
) as { discovery: Record<string, string> };

const jwkOf = (key: ReturnType<typeof keyFromModulus>) => key.export({ format: 'jwk' });

describe('proof keys from discovery', () => {
  it("reads Microsoft's value blobs as the same keys as their modulus/exponent", () => {
    const d = microsoft.discovery;
    expect(jwkOf(keyFromCspBlob(d.value!))).toEqual(jwkOf(keyFromModulus(d.modulus!, d.exponent!)));
    expect(jwkOf(keyFromCspBlob(d.oldvalue!))).toEqual(
      jwkOf(keyFromModulus(d.oldmodulus!, d.oldexponent!)),
    );
  });

  it('reads a generated key in all three forms alike', () => {
    const { publicKey } = generateProofKey();
    const attributes = proofKeyAttributes(publicKey);
    const expected = publicKey.export({ format: 'jwk' });
    expect(jwkOf(keyFromModulus(attributes.modulus!, attributes.exponent!))).toEqual(expected);
    expect(jwkOf(keyFromCspBlob(cspBlob(publicKey).toString('base64')))).toEqual(expected);
  });

  it('falls back to the value blob, and to the current key when there is no old one', () => {
    const { publicKey } = generateProofKey();
    const { value } = proofKeyAttributes(publicKey);
    const keys = proofKeysFromAttributes({ value: value! });
    expect(jwkOf(keys.current)).toEqual(publicKey.export({ format: 'jwk' }));
    expect(keys.old).toBe(keys.current);
  });

  it('keeps current and old apart', () => {
    const now = generateProofKey().publicKey;
    const before = generateProofKey().publicKey;
    const keys = proofKeysFromAttributes(proofKeyAttributes(now, before));
    expect(jwkOf(keys.current)).toEqual(now.export({ format: 'jwk' }));
    expect(jwkOf(keys.old)).toEqual(before.export({ format: 'jwk' }));
  });

  it.each([
    [{}, /neither/],
    [{ modulus: 'not base64!', exponent: 'AQAB' }, /not base64/],
    [{ modulus: Buffer.alloc(256, 0xff).toString('base64'), exponent: 'AAI=' }, /not an RSA/],
    [{ value: 'BgIAAACkAABSU0ExAAgAAA==' }, /too short|does not match/],
    [{ value: Buffer.from('hello world, this is no key blob').toString('base64') }, /not an RSA/],
  ])('refuses %j', (attributes, message) => {
    expect(() => proofKeysFromAttributes(attributes)).toThrow(ProofKeyError);
    expect(() => proofKeysFromAttributes(attributes)).toThrow(message);
  });

  it('refuses keys under 2048 bits', () => {
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
    expect(() => proofKeysFromAttributes(proofKeyAttributes(publicKey))).toThrow(/1024 bits/);
  });
});
