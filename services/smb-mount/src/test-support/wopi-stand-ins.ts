// STAND-INS for Collabora Online, which cannot run here: a discovery server and a WOPI client that
// behave as coolwsd does towards a WOPI host (CollaboraOnline/online wsd/ProofKey.cpp and
// wsd/Storage.cpp, as read for this; nothing copied):
// - discovery is served at /hosting/discovery: one net-zone, apps named after mimetypes and
//   document kinds with `edit`/`view` actions per extension, urlsrc ending in `cool.html?`, and a
//   <proof-key> carrying value (CryptoAPI blob), modulus and exponent, and the same key again as
//   oldvalue/oldmodulus/oldexponent (Collabora has one key and "duplicates * to old*");
// - every WOPI request carries the access token as a query parameter and as a Bearer header,
//   X-WOPI-TimeStamp in .NET ticks, and X-WOPI-Proof signed (RSA-SHA256, PKCS#1 v1.5) over the
//   token, the upper-cased URL it calls and the ticks; X-WOPI-ProofOld repeats the same proof;
// - the URL it signs is WOPISrc (the host's public URL) with its path suffix and query, even
//   when the bytes travel to a loopback address, as they do behind a proxy;
// - PutFile sends X-WOPI-Lock, X-COOL-WOPI-Timestamp (the LastModifiedTime it loaded) and the
//   X-COOL-WOPI-Is* headers.
// Only loopback is ever contacted: the launch URLs name a host that is never fetched.
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { createServer, request as httpRequest, Agent, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';

export { startRedis, type Redis } from '../../../../operator/src/testbed/redis.js';

export interface ProofKeyPair {
  privateKey: KeyObject;
  publicKey: KeyObject;
}

export function generateProofKey(bits = 2048): ProofKeyPair {
  return generateKeyPairSync('rsa', { modulusLength: bits, publicExponent: 0x10001 });
}

/** modulus/exponent as discovery carries them: plain base64 of big-endian integers. */
function modulusAndExponent(key: KeyObject): { modulus: Buffer; exponent: Buffer } {
  const jwk = key.export({ format: 'jwk' });
  return {
    modulus: Buffer.from(jwk.n ?? '', 'base64url'),
    exponent: Buffer.from(jwk.e ?? '', 'base64url'),
  };
}

/** The CryptoAPI PUBLICKEYBLOB Collabora builds for `value` (RSA2CapiBlob). */
export function cspBlob(key: KeyObject): Buffer {
  const { modulus, exponent } = modulusAndExponent(key);
  const header = Buffer.from([
    0x06, 0x02, 0x00, 0x00, 0x00, 0xa4, 0x00, 0x00, 0x52, 0x53, 0x41, 0x31,
  ]);
  const bits = Buffer.alloc(4);
  bits.writeUInt32LE(modulus.length * 8);
  const exponent32 = Buffer.alloc(4);
  Buffer.from(exponent).reverse().copy(exponent32);
  return Buffer.concat([header, bits, exponent32, Buffer.from(modulus).reverse()]);
}

export function proofKeyAttributes(current: KeyObject, old = current): Record<string, string> {
  const now = modulusAndExponent(current);
  const before = modulusAndExponent(old);
  return {
    value: cspBlob(current).toString('base64'),
    modulus: now.modulus.toString('base64'),
    exponent: now.exponent.toString('base64'),
    oldvalue: cspBlob(old).toString('base64'),
    oldmodulus: before.modulus.toString('base64'),
    oldexponent: before.exponent.toString('base64'),
  };
}

const escapeXml = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** The editor's public origin in launch URLs; never contacted. */
export const EDITOR_ORIGIN = 'https://office.stand-in.test';
export const URLSRC = `${EDITOR_ORIGIN}/browser/0b27e85/cool.html?`;

export function collaboraDiscoveryXml(proofKey?: Record<string, string>): string {
  const apps: [string, [string, string][]][] = [
    [
      'writer',
      [
        ['edit', 'odt'],
        ['edit', 'docx'],
        ['view', 'odt'],
      ],
    ],
    [
      'calc',
      [
        ['edit', 'ods'],
        ['edit', 'xlsx'],
      ],
    ],
    ['application/vnd.oasis.opendocument.text', [['edit', 'odt']]],
    ['application/pdf', [['view', 'pdf']]],
    ['Capabilities', [['getinfo', '']]],
  ];
  const body = apps
    .map(
      ([app, actions]) =>
        `<app name="${escapeXml(app)}">${actions
          .map(
            ([name, ext]) =>
              `<action ${name === 'edit' ? 'default="true" ' : ''}ext="${ext}" name="${name}" urlsrc="${escapeXml(
                name === 'getinfo' ? `${EDITOR_ORIGIN}/hosting/capabilities` : URLSRC,
              )}"/>`,
          )
          .join('')}</app>`,
    )
    .join('\n    ');
  const key =
    proofKey === undefined
      ? ''
      : `\n  <proof-key ${Object.entries(proofKey)
          .map(([name, value]) => `${name}="${value}"`)
          .join(' ')}/>`;
  return `<?xml version="1.0" encoding="utf-8"?>
<wopi-discovery>
  <net-zone name="external-http">
    ${body}
  </net-zone>${key}
</wopi-discovery>
`;
}

export interface DiscoveryStandIn {
  /** http://127.0.0.1:<port>/hosting/discovery */
  url: string;
  /** The key the editor signs with now; undefined when it publishes none. */
  key: ProofKeyPair | undefined;
  /** GETs served so far. */
  fetches: number;
  /** A new key; the previous one is published as old (what a rotating editor does). */
  rotate(): ProofKeyPair;
  /** Publishes no proof-key any more (or again one, with `key`). */
  setKey(key: ProofKeyPair | undefined): void;
  /** Answers 503 until set back, as an editor that is down. */
  setDown(down: boolean): void;
  stop(): Promise<void>;
}

export async function startDiscoveryStandIn(
  options: { proofKey?: boolean } = {},
): Promise<DiscoveryStandIn> {
  let current: ProofKeyPair | undefined =
    options.proofKey === false ? undefined : generateProofKey();
  let old: ProofKeyPair | undefined = current;
  let down = false;
  const state = { fetches: 0 };
  const server: Server = createServer((request, response) => {
    if (request.url !== '/hosting/discovery' || request.method !== 'GET') {
      response.writeHead(404).end();
      return;
    }
    state.fetches += 1;
    if (down) {
      response.writeHead(503).end();
      return;
    }
    const attributes = current
      ? proofKeyAttributes(current.publicKey, (old ?? current).publicKey)
      : undefined;
    response.writeHead(200, { 'content-type': 'text/xml;charset=utf-8' });
    response.end(collaboraDiscoveryXml(attributes));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${String(port)}/hosting/discovery`,
    get key() {
      return current;
    },
    get fetches() {
      return state.fetches;
    },
    rotate() {
      old = current;
      current = generateProofKey();
      return current;
    },
    setKey(key) {
      current = key;
      old = key;
    },
    setDown(value) {
      down = value;
    },
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => {
          if (error) reject(error);
          else resolve();
        });
      }),
  };
}

const TICKS_AT_UNIX_EPOCH = 621_355_968_000_000_000n;

export function dotNetTicks(ms = Date.now()): bigint {
  return BigInt(ms) * 10_000n + TICKS_AT_UNIX_EPOCH;
}

/**
 * The proof bytes, built here independently of src/wopi/proof.ts (from the spec's description)
 * so that a test compares two implementations of the layout, not one with itself.
 */
export function proofBytes(accessToken: string, url: string, ticks: bigint): Buffer {
  const token = Buffer.from(accessToken, 'utf8');
  let upper = '';
  for (const character of url) {
    upper += character >= 'a' && character <= 'z' ? character.toUpperCase() : character;
  }
  const address = Buffer.from(upper, 'utf8');
  const out = Buffer.alloc(4 + token.length + 4 + address.length + 4 + 8);
  let at = out.writeInt32BE(token.length, 0);
  at += token.copy(out, at);
  at = out.writeInt32BE(address.length, at);
  at += address.copy(out, at);
  at = out.writeInt32BE(8, at);
  out.writeBigInt64BE(ticks, at);
  return out;
}

export function signProof(key: KeyObject, accessToken: string, url: string, ticks: bigint): string {
  return sign('sha256', proofBytes(accessToken, url, ticks), key).toString('base64');
}

export interface WopiResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  text(): string;
  json(): any;
}

export interface WopiRequestOptions {
  method?: 'GET' | 'POST';
  /** Appended to WOPISrc: '' or '/contents'. */
  suffix?: '' | '/contents';
  headers?: Record<string, string>;
  body?: Buffer | string | AsyncIterable<Uint8Array> | Iterable<Uint8Array>;
  /** How to sign: with the editor's key (default), another key, or not at all. */
  signWith?: KeyObject | 'none';
  /** The URL signed, when a test wants it to differ from the one called. */
  signedUrl?: (url: string) => string;
  /** Milliseconds since the epoch for X-WOPI-TimeStamp (default: now). */
  at?: number;
  /** The token sent (default: the client's). */
  accessToken?: string;
}

/** A WOPI client as Collabora is one, for one document session (WOPISrc + access token). */
export class WopiClientStandIn {
  readonly #agent = new Agent({ keepAlive: true, maxSockets: 64 });

  constructor(
    readonly wopiSrc: string,
    readonly accessToken: string,
    /** Where the host really listens: http://127.0.0.1:<port>. */
    readonly transport: string,
    readonly key: () => KeyObject | undefined,
    readonly accessTokenTtl = 0,
  ) {}

  /** The URL Collabora calls (and signs): WOPISrc, suffix, then its query. */
  url(suffix: '' | '/contents', accessToken = this.accessToken): string {
    const query = new URLSearchParams({ access_token: accessToken });
    if (this.accessTokenTtl > 0) query.set('access_token_ttl', String(this.accessTokenTtl));
    return `${this.wopiSrc}${suffix}?${query.toString()}`;
  }

  request(options: WopiRequestOptions = {}): Promise<WopiResponse> {
    const token = options.accessToken ?? this.accessToken;
    const url = this.url(options.suffix ?? '', token);
    const headers: Record<string, string> = {
      'user-agent': 'COOLWSD HTTP Agent (stand-in)',
      authorization: `Bearer ${token}`,
      ...options.headers,
    };
    const key = options.signWith === 'none' ? undefined : (options.signWith ?? this.key());
    if (key) {
      const ticks = dotNetTicks(options.at);
      const proof = signProof(key, token, options.signedUrl ? options.signedUrl(url) : url, ticks);
      headers['x-wopi-timestamp'] = ticks.toString();
      headers['x-wopi-proof'] = proof;
      headers['x-wopi-proofold'] = proof;
    }
    const target = new URL(url);
    const path = `${target.pathname}${target.search}`;
    const body = options.body;
    if (typeof body === 'string' || Buffer.isBuffer(body))
      headers['content-length'] = String(Buffer.byteLength(body));
    return new Promise((resolve, reject) => {
      const outgoing = httpRequest(
        `${this.transport}${path}`,
        { method: options.method ?? 'GET', headers, agent: this.#agent },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('error', reject);
          response.on('end', () => {
            const all = Buffer.concat(chunks);
            resolve({
              status: response.statusCode ?? 0,
              headers: response.headers,
              body: all,
              text: () => all.toString('utf8'),
              json: () => JSON.parse(all.toString('utf8')),
            });
          });
        },
      );
      outgoing.on('error', reject);
      if (body === undefined) outgoing.end();
      else if (typeof body === 'string' || Buffer.isBuffer(body)) outgoing.end(body);
      else Readable.from(body).pipe(outgoing);
    });
  }

  checkFileInfo(options: WopiRequestOptions = {}) {
    return this.request(options);
  }

  getFile(options: WopiRequestOptions = {}) {
    return this.request({ ...options, suffix: '/contents' });
  }

  putFile(
    body: Buffer | string | AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
    lock: string | undefined,
    extra: { lastModifiedTime?: string } & WopiRequestOptions = {},
  ) {
    return this.request({
      ...extra,
      method: 'POST',
      suffix: '/contents',
      body,
      headers: {
        'x-wopi-override': 'PUT',
        'content-type': 'application/octet-stream',
        'x-cool-wopi-ismodifiedbyuser': 'true',
        'x-cool-wopi-isautosave': 'false',
        'x-cool-wopi-isexitsave': 'false',
        ...(lock === undefined ? {} : { 'x-wopi-lock': lock }),
        ...(extra.lastModifiedTime === undefined
          ? {}
          : { 'x-cool-wopi-timestamp': extra.lastModifiedTime }),
        ...extra.headers,
      },
    });
  }

  #override(override: string, headers: Record<string, string>, options: WopiRequestOptions) {
    return this.request({
      ...options,
      method: 'POST',
      headers: { 'x-wopi-override': override, ...headers, ...options.headers },
    });
  }

  lock(lock: string, options: WopiRequestOptions = {}) {
    return this.#override('LOCK', { 'x-wopi-lock': lock }, options);
  }

  unlockAndRelock(lock: string, oldLock: string, options: WopiRequestOptions = {}) {
    return this.#override('LOCK', { 'x-wopi-lock': lock, 'x-wopi-oldlock': oldLock }, options);
  }

  refreshLock(lock: string, options: WopiRequestOptions = {}) {
    return this.#override('REFRESH_LOCK', { 'x-wopi-lock': lock }, options);
  }

  unlock(lock: string, options: WopiRequestOptions = {}) {
    return this.#override('UNLOCK', { 'x-wopi-lock': lock }, options);
  }

  getLock(options: WopiRequestOptions = {}) {
    return this.#override('GET_LOCK', {}, options);
  }

  close(): void {
    this.#agent.destroy();
  }
}
