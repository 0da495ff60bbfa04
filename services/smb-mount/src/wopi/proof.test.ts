import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  dotNetTicks,
  generateProofKey,
  proofBytes,
  signProof,
} from '../test-support/wopi-stand-ins.js';
import {
  checkTimestamp,
  expectedProofBytes,
  proofMatches,
  signatureMatches,
  ticksToUnixMs,
  unixMsToTicks,
  upperAscii,
} from './proof.js';
import { proofKeysFromAttributes } from './proof-key.js';

interface VectorCase {
  name: string;
  valid: boolean;
  combination?: 'proof-current' | 'proofold-current' | 'proof-old';
  accessToken: string;
  timestamp: string;
  url: string;
  proof: string;
  proofOld: string;
}

const vectors = JSON.parse(
  readFileSync(new URL('./__fixtures__/microsoft-proof-keys.json', import.meta.url), 'utf8'),
) as { discovery: Record<string, string>; cases: VectorCase[] };

describe("Microsoft's published proof-key vectors", () => {
  const keys = proofKeysFromAttributes(vectors.discovery);

  it.each(vectors.cases.map((c) => [c.name, c] as const))('%s', (_name, vector) => {
    const request = {
      accessToken: vector.accessToken,
      url: vector.url,
      ticks: BigInt(vector.timestamp),
      proof: vector.proof,
      proofOld: vector.proofOld,
    };
    expect(proofMatches(request, keys)).toBe(vector.valid);
    // Each valid case exercises one of the three accepted combinations, and only that one.
    const data = expectedProofBytes(request.accessToken, request.url, request.ticks);
    const combinations = {
      'proof-current': signatureMatches(data, vector.proof, keys.current),
      'proofold-current': signatureMatches(data, vector.proofOld, keys.current),
      'proof-old': signatureMatches(data, vector.proof, keys.old),
    };
    const matched = Object.entries(combinations)
      .filter(([, ok]) => ok)
      .map(([name]) => name);
    expect(matched).toEqual(vector.combination ? [vector.combination] : []);
  });

  it('refuses a valid vector once its URL, token or timestamp changes', () => {
    const vector = vectors.cases[0]!;
    const base = {
      accessToken: vector.accessToken,
      url: vector.url,
      ticks: BigInt(vector.timestamp),
      proof: vector.proof,
      proofOld: vector.proofOld,
    };
    expect(proofMatches(base, keys)).toBe(true);
    expect(proofMatches({ ...base, url: vector.url.replace('contoso', 'fabrikam') }, keys)).toBe(
      false,
    );
    expect(proofMatches({ ...base, accessToken: `${vector.accessToken}x` }, keys)).toBe(false);
    expect(proofMatches({ ...base, ticks: base.ticks + 1n }, keys)).toBe(false);
    // Case does not matter in the URL (it is upper-cased), but it does in the token.
    expect(proofMatches({ ...base, url: vector.url.toUpperCase() }, keys)).toBe(true);
  });

  it('refuses a proof signed by the right key for the old key slot only when rotated away', () => {
    const vector = vectors.cases.find((c) => c.combination === 'proof-old')!;
    const request = {
      accessToken: vector.accessToken,
      url: vector.url,
      ticks: BigInt(vector.timestamp),
      proof: vector.proof,
    };
    expect(proofMatches(request, keys)).toBe(true);
    // Once the old key is gone from discovery (old = current), it no longer verifies.
    expect(proofMatches(request, { current: keys.current, old: keys.current })).toBe(false);
  });
});

describe('the proof bytes', () => {
  it('lays out length-prefixed token, upper-cased URL and 8-byte ticks', () => {
    const bytes = expectedProofBytes('tök', 'https://a.b/c?x=y', 0x0102030405060708n);
    expect(bytes.toString('hex')).toBe(
      [
        '00000004',
        Buffer.from('tök', 'utf8').toString('hex'),
        '00000011',
        Buffer.from('HTTPS://A.B/C?X=Y').toString('hex'),
        '00000008',
        '0102030405060708',
      ].join(''),
    );
  });

  it('matches an independent implementation of the layout, and its signatures', () => {
    const { privateKey, publicKey } = generateProofKey();
    const token = 'eyJmIjoi.abc-DEF_123';
    const url = 'https://drive.example.com/mounts/wopi/files/ZG9jcy9h?access_token=eyJmIjoi.abc';
    const ticks = dotNetTicks(Date.UTC(2026, 10, 21, 12, 0, 0));
    expect(expectedProofBytes(token, url, ticks).equals(proofBytes(token, url, ticks))).toBe(true);
    const proof = signProof(privateKey, token, url, ticks);
    expect(
      proofMatches(
        { accessToken: token, url, ticks, proof },
        { current: publicKey, old: publicKey },
      ),
    ).toBe(true);
  });

  it('upper-cases ASCII letters only, as Collabora does', () => {
    expect(upperAscii('https://x.y/%c3%a9?a=b&ü=1')).toBe('HTTPS://X.Y/%C3%A9?A=B&ü=1');
  });

  it('refuses malformed base64 signatures without throwing', () => {
    const { publicKey } = generateProofKey();
    const data = Buffer.from('x');
    for (const bad of ['', 'not base64!', 'AAAA====', '@@@@'])
      expect(signatureMatches(data, bad, publicKey)).toBe(false);
  });
});

describe('X-WOPI-TimeStamp', () => {
  const now = Date.UTC(2026, 10, 21, 12, 0, 0);

  it('converts between Unix milliseconds and .NET ticks', () => {
    expect(unixMsToTicks(0)).toBe(621_355_968_000_000_000n);
    // Microsoft's vectors were made on 2015-04-25 (1429992961.077 s after the epoch).
    expect(new Date(ticksToUnixMs(635655897610773532n)).toISOString()).toBe(
      '2015-04-25T20:16:01.077Z',
    );
    expect(ticksToUnixMs(unixMsToTicks(now))).toBe(now);
  });

  it('accepts up to 20 minutes old and 5 minutes ahead', () => {
    const at = (offsetMs: number) => unixMsToTicks(now + offsetMs).toString();
    expect(checkTimestamp(at(0), now)).toEqual({ ticks: unixMsToTicks(now) });
    expect(checkTimestamp(at(-20 * 60_000), now)).toHaveProperty('ticks');
    expect(checkTimestamp(at(-20 * 60_000 - 1), now)).toEqual({ problem: 'too old' });
    expect(checkTimestamp(at(5 * 60_000), now)).toHaveProperty('ticks');
    expect(checkTimestamp(at(5 * 60_000 + 1), now)).toEqual({ problem: 'in the future' });
  });

  it.each([
    [undefined, 'missing'],
    ['', 'missing'],
    ['12.5', 'malformed'],
    ['-1', 'malformed'],
    [' 638000000000000000', 'malformed'],
    ['99999999999999999999', 'malformed'],
    ['9223372036854775808', 'malformed'],
  ])('refuses %j as %s', (header, problem) => {
    expect(checkTimestamp(header, now)).toEqual({ problem });
  });
});
