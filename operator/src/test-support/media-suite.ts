// The /media suite: what every edge in front of Drive must do for downloads, previews, ranges,
// HEAD, presigned uploads and refusals, on real S3 stores. Run against the Kubernetes edges
// (e2e/media.int.test.ts) and the Compose edges (e2e/compose-media.int.test.ts). Drive's
// media-auth is the stand-in that follows drive-contract.md §5.2.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  mediaPath,
  quoteKey,
  type DriveMediaAuthStandIn,
  type StandInItem,
} from '../testbed/drive-media-auth-stand-in.js';
import {
  BUCKET,
  DRIVE_ORIGIN,
  SESSION,
  digestBody,
  putLargeObject,
  itemKey,
  putObject,
  type Chain,
  type S3Request,
  type Store,
} from './media-chains.js';

export interface MediaSuiteEnv {
  /** The edges under test, each reached as a browser reaches the Drive host. */
  chains: Chain[];
  /** The store Drive's bucket lives in; the suite puts its objects there directly. */
  store: Store;
  drive: DriveMediaAuthStandIn;
  /** Every request that reached S3 through the edges. */
  s3Requests: S3Request[];
  /** Where presigned uploads are signed for (AWS_S3_DOMAIN_REPLACE), and how a browser gets there. */
  upload: { endpoint: string; fetch: (url: string, init: RequestInit) => Promise<Response> };
  stop(): Promise<void>;
}

const COOKIE = { cookie: `sessionid=${SESSION}` };

/** Keys Drive produces for names people give files (drive-contract §5.2: item/<uuid>/<name>). */
const FILENAMES = [
  'plain.txt',
  'with spaces in name.txt',
  'unicode été ☃ 日本語.txt',
  'percent 100%.txt',
  'plus+sign.txt',
  'hash#tag.txt',
  'question?mark.txt',
  "quote's (and) [brackets] !*.txt",
  'sub/dir/deep/path.txt',
];

const BUCKET_PATH = 'api/v1.0/items/';
const text = async (answer: { body: { text(): Promise<string> } }) => answer.body.text();

export function defineMediaSuite(
  label: string,
  start: (items: StandInItem[]) => Promise<MediaSuiteEnv>,
): void {
  let chains: MediaSuiteEnv;
  const files = FILENAMES.map((name) => ({
    key: itemKey(name),
    body: randomBytes(64 * 1024 + 17),
  }));
  const preview = { key: itemKey('preview photo.jpg'), body: randomBytes(2048) };
  const secret = { key: itemKey('someone elses.txt'), body: Buffer.from('not for alice') };

  beforeAll(async () => {
    chains = await start([
      ...files.map((file) => ({ key: file.key, readers: [SESSION] })),
      { key: preview.key, readers: [SESSION], previewable: true },
      { key: secret.key, readers: ['bob-session'] },
    ]);
    for (const file of [...files, preview, secret])
      await putObject(chains.store, file.key, file.body);
  });
  afterAll(async () => {
    // Undefined when starting failed: beforeAll reports that, and stopped what it had started.
    await (chains as MediaSuiteEnv | undefined)?.stop();
  });

  const each = (run: (chain: Chain) => Promise<void>) => async () => {
    for (const chain of chains.chains) await run(chain);
  };

  it(
    'downloads every key byte for byte, as an attachment',
    each(async (chain) => {
      for (const file of files) {
        const answer = await chain.request(mediaPath(file.key), { headers: COOKIE });
        const body = Buffer.from(await answer.body.arrayBuffer());
        expect(answer.status, `${chain.name} ${file.key}`).toBe(200);
        expect(body.equals(file.body), `${chain.name} ${file.key}`).toBe(true);
        expect(answer.headers['content-disposition']).toBe('attachment');
        expect(answer.headers['content-security-policy']).toBe("default-src 'none'");
      }
    }),
  );

  it(
    'serves a preview inline',
    each(async (chain) => {
      const answer = await chain.request(mediaPath(preview.key, true), { headers: COOKIE });
      expect(answer.status, chain.name).toBe(200);
      expect(Buffer.from(await answer.body.arrayBuffer()).equals(preview.body)).toBe(true);
      expect(answer.headers['content-disposition']).toBeUndefined();
    }),
  );

  it(
    'answers Range requests with 206 and the slice',
    each(async (chain) => {
      const file = files[1]!;
      const answer = await chain.request(mediaPath(file.key), {
        headers: { ...COOKIE, range: 'bytes=1000-1999' },
      });
      expect(answer.status, chain.name).toBe(206);
      expect(answer.headers['content-range']).toBe(`bytes 1000-1999/${String(file.body.length)}`);
      expect(
        Buffer.from(await answer.body.arrayBuffer()).equals(file.body.subarray(1000, 2000)),
      ).toBe(true);
    }),
  );

  it(
    "refuses a request without a session, and another user's file",
    each(async (chain) => {
      const anonymous = await chain.request(mediaPath(files[0]!.key));
      expect(anonymous.status, chain.name).toBe(403);
      await anonymous.body.dump();
      const other = await chain.request(mediaPath(secret.key), { headers: COOKIE });
      expect(other.status, chain.name).toBe(403);
      expect(await text(other)).not.toContain('not for alice');
    }),
  );

  it('answers HEAD with the object headers and no body', async () => {
    const file = files[0]!;
    const seen: string[] = [];
    for (const chain of chains.chains) {
      const answer = await chain.request(mediaPath(file.key), { method: 'HEAD', headers: COOKIE });
      seen.push(
        `${chain.name} ${String(answer.status)} ${String(answer.headers['content-length'])}`,
      );
      await answer.body.dump();
    }
    expect(seen).toEqual(
      chains.chains.map((chain) => `${chain.name} 200 ${String(file.body.length)}`),
    );
  });

  it(
    'never lets what the client sends as Authorization, X-Amz-* or Cookie reach S3',
    each(async (chain) => {
      chains.s3Requests.length = 0;
      const answer = await chain.request(mediaPath(files[0]!.key), {
        headers: {
          cookie: `sessionid=${SESSION}; tracking=1`,
          authorization: 'AWS4-HMAC-SHA256 Credential=EVIL/19990101/us-east-1/s3/aws4_request',
          'x-amz-date': '19990101T000000Z',
          'x-amz-content-sha256': 'UNSIGNED-PAYLOAD',
          'x-amz-security-token': 'evil-token',
          'x-amz-request-payer': 'requester',
          'x-amz-server-side-encryption-customer-algorithm': 'AES256',
        },
      });
      expect(answer.status, chain.name).toBe(200);
      await answer.body.dump();
      expect(chains.s3Requests, chain.name).toHaveLength(1);
      const [reached] = chains.s3Requests;
      expect(reached!.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=(?!EVIL)/);
      expect(reached!.headers['x-amz-date']).not.toBe('19990101T000000Z');
      expect(reached!.headers['x-amz-content-sha256']).toMatch(/^e3b0c442/);
      for (const name of [
        'cookie',
        'x-amz-security-token',
        'x-amz-request-payer',
        'x-amz-server-side-encryption-customer-algorithm',
      ])
        expect(reached!.headers[name], `${chain.name} ${name}`).toBeUndefined();
    }),
  );

  it(
    'refuses traversal, encoded and double-encoded, without S3 seeing another key',
    each(async (chain) => {
      chains.s3Requests.length = 0;
      const [, uuid] = /^item\/([^/]+)\//.exec(files[0]!.key)!;
      const secretName = encodeURIComponent(secret.key.split('/')[2]!);
      const secretUuid = secret.key.split('/')[1]!;
      const attempts = [
        `/media/../${BUCKET_PATH}`,
        `/media/item/${uuid!}/../../item/${secretUuid}/${secretName}`,
        `/media/item/${uuid!}/..%2f..%2fitem%2f${secretUuid}%2f${secretName}`,
        `/media/item/${uuid!}/%2e%2e/%2e%2e/item/${secretUuid}/${secretName}`,
        `/media/item/${uuid!}/%252e%252e/%252e%252e/item/${secretUuid}/${secretName}`,
        `/media/item/${uuid!}/..%5c..%5citem%5c${secretUuid}%5c${secretName}`,
        `/media/preview/../item/${secretUuid}/${secretName}`,
        `/media/item/${uuid!}/plain.txt%00.jpg`,
        `/media/${files[0]!.key}?versionId=1`,
      ];
      for (const path of attempts) {
        const answer = await chain.request(path, { headers: COOKIE });
        const body = Buffer.from(await answer.body.arrayBuffer());
        expect(body.includes(Buffer.from('not for alice')), `${chain.name} ${path}`).toBe(false);
        expect(answer.status === 200 && body.equals(files[0]!.body), `${chain.name} ${path}`).toBe(
          false,
        );
      }
      const allowed = new Set(
        [...files, preview].map((file) => `/${BUCKET}/${quoteKey(file.key)}`),
      );
      for (const reached of chains.s3Requests)
        expect(allowed.has(reached.url), `${chain.name} reached S3 with ${reached.url}`).toBe(true);
    }),
  );

  it('streams a 1 GiB download byte for byte', async () => {
    const key = itemKey('one gibibyte.bin');
    const size = 2 ** 30;
    const sha256 = await putLargeObject(chains.store, key, size);
    chains.drive.items.push({ key, readers: [SESSION] });
    for (const chain of chains.chains) {
      const answer = await chain.request(mediaPath(key), { headers: COOKIE });
      expect(answer.status, chain.name).toBe(200);
      expect(answer.headers['content-length']).toBe(String(size));
      expect(await digestBody(answer.body), chain.name).toEqual({ sha256, bytes: size });
    }
  }, 600_000);

  it('takes a presigned upload from the Drive origin through the public endpoint, CORS included', async () => {
    const key = itemKey('uploaded from the browser.txt');
    const content = Buffer.from(`uploaded ${label} ${randomBytes(8).toString('hex')}`);
    // §5.4: the browser PUTs to the presigned URL, cross-origin, after a preflight.
    const policy = await chains.drive.uploadPolicy(key, chains.upload.endpoint);
    const preflight = (origin: string) =>
      chains.upload.fetch(policy, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'PUT',
          'access-control-request-headers': 'content-type',
        },
      });
    const allowed = await preflight(DRIVE_ORIGIN);
    expect(allowed.status).toBe(200);
    expect(allowed.headers.get('access-control-allow-origin')).toBe(DRIVE_ORIGIN);
    expect(allowed.headers.get('access-control-allow-methods')).toMatch(/PUT/);
    const foreign = await preflight('https://elsewhere.example.net');
    expect(foreign.headers.get('access-control-allow-origin')).not.toBe(
      'https://elsewhere.example.net',
    );
    const put = await chains.upload.fetch(policy, {
      method: 'PUT',
      headers: { origin: DRIVE_ORIGIN, 'content-type': 'text/plain' },
      body: content,
    });
    expect(put.status).toBe(200);
    expect(put.headers.get('access-control-allow-origin')).toBe(DRIVE_ORIGIN);
    chains.drive.items.push({ key, readers: [SESSION] });
    for (const chain of chains.chains) {
      const answer = await chain.request(mediaPath(key), { headers: COOKIE });
      expect(answer.status, chain.name).toBe(200);
      expect(Buffer.from(await answer.body.arrayBuffer()).equals(content)).toBe(true);
    }
  });
}
