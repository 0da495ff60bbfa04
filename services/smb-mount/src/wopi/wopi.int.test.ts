// The WOPI host end to end: a fastify app with the plugin, the test bed's Samba and Redis, and
// STAND-INS for Collabora (its discovery with a generated proof key, and a WOPI client that signs
// as coolwsd does; test-support/wopi-stand-ins.ts). The editor "calls" WOPISrc on the public URL
// https://drive.test, while the bytes go to the app on loopback, as through a proxy.
import { randomBytes } from 'node:crypto';
import { readdir, readFile, stat as fsStat } from 'node:fs/promises';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  connectOptions,
  putOnShare,
  report,
  startSamba,
  timed,
  useServer,
  type Samba,
  type SambaProfile,
} from '../test-support/samba-share.js';
import {
  generateProofKey,
  startDiscoveryStandIn,
  startRedis,
  URLSRC,
  WopiClientStandIn,
  type DiscoveryStandIn,
} from '../test-support/wopi-stand-ins.js';
import { ApiError, errorAnswer } from '../api/errors.js';
import { SmbBackend } from '../smb/backend.js';
import { MountPath } from '../smb/paths.js';
import { encodeFileId } from './file-id.js';
import type { Role, WopiTuning } from './host.js';
import { wopiPlugin, type WopiAuthorize } from './plugin.js';

const PUBLIC_URL = 'https://drive.test';
const MOUNT = 'team';
const MAX_FILE_BYTES = 4 << 20;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The API's seam, as a test stands it in: who asks comes from test headers. */
const authorize: WopiAuthorize = (request) => {
  const sub = request.headers['x-test-sub'];
  const role = request.headers['x-test-role'];
  if (typeof sub !== 'string' || typeof role !== 'string')
    return Promise.reject(new ApiError('Unauthorized', 'sign in first'));
  return Promise.resolve({
    principal: { sub, email: `${sub}@example.org` },
    role: role as Role,
  });
};

/** The API's error answers, as app.ts installs them (for the launch route). */
function withApiErrors(app: FastifyInstance): void {
  app.setErrorHandler((error, _request, reply) => {
    const answer = errorAnswer(error);
    return reply.code(answer.status).headers(answer.headers).send(answer.body);
  });
}

interface Harness {
  app: FastifyInstance;
  transport: string;
  logs: string[];
  launch(path: string, role?: Role, sub?: string): Promise<WopiClientStandIn>;
  close(): Promise<void>;
}

async function startHost(
  backend: SmbBackend,
  redis: Redis,
  discovery: DiscoveryStandIn,
  tuning: WopiTuning = {},
): Promise<Harness> {
  const logs: string[] = [];
  const app = Fastify({
    logger: { level: 'info', stream: { write: (line: string) => logs.push(line) } },
  });
  withApiErrors(app);
  await app.register(wopiPlugin, {
    config: {
      PUBLIC_URL,
      WOPI_TOKEN_SECRET: randomBytes(32).toString('hex'),
      WOPI_DISCOVERY_URLS: [discovery.url],
      UPLOAD_MAX_FILE_SIZE_BYTES: MAX_FILE_BYTES,
    },
    backends: (mount) => (mount === MOUNT ? backend : undefined),
    redis,
    authorize,
    tuning: {
      lockKeyPrefix: `test:${randomBytes(4).toString('hex')}:`,
      discovery: { minRefreshIntervalMs: 0 },
      ...tuning,
    },
  });
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  const clients: WopiClientStandIn[] = [];
  return {
    app,
    transport: address,
    logs,
    async launch(path, role = 'editor', sub = 'ada') {
      const response = await fetch(
        `${address}/mounts/api/v1/m/${MOUNT}/wopi?path=${encodeURIComponent(path)}`,
        { headers: { 'x-test-sub': sub, 'x-test-role': role } },
      );
      expect(response.status).toBe(200);
      const body = (await response.json()) as {
        access_token: string;
        access_token_ttl: number;
        launch_url: string;
      };
      const wopiSrc = new URL(body.launch_url).searchParams.get('WOPISrc') ?? '';
      const client = new WopiClientStandIn(
        wopiSrc,
        body.access_token,
        address,
        () => discovery.key?.privateKey,
        body.access_token_ttl,
      );
      clients.push(client);
      return client;
    },
    async close() {
      for (const client of clients) client.close();
      await app.close();
    },
  };
}

function shareFiles(samba: Samba, dir: string): Promise<string[]> {
  return readdir(join(samba.shareDirectory, 'wopi', dir));
}

describe('the WOPI host on Samba (default profile)', () => {
  const samba = useServer(() => startSamba('default'));
  const redisServer = useServer(() => startRedis());
  let collabora: DiscoveryStandIn;
  let redis: Redis;
  let backend: SmbBackend;
  let host: Harness;
  const onShare = (path: string) => join(samba().shareDirectory, 'wopi', path);

  beforeAll(async () => {
    collabora = await startDiscoveryStandIn();
    redis = new Redis(redisServer().url, { maxRetriesPerRequest: 1 });
    await putOnShare(samba(), 'wopi/.keep', '');
    backend = await SmbBackend.connect(connectOptions(samba(), { path: '/wopi' }));
    host = await startHost(backend, redis, collabora);
  });
  afterAll(async () => {
    await host.close();
    await backend.close();
    await redis.quit();
    await collabora.stop();
  });

  describe('launch', () => {
    it('opens a document in the editor for its extension, with a 10-hour token', async () => {
      await putOnShare(samba(), 'wopi/launch/report.odt', 'odt bytes');
      const before = Date.now();
      const response = await fetch(
        `${host.transport}/mounts/api/v1/m/${MOUNT}/wopi?path=launch/report.odt&lang=fr`,
        { headers: { 'x-test-sub': 'ada', 'x-test-role': 'editor' } },
      );
      expect(response.status).toBe(200);
      expect(response.headers.get('cache-control')).toBe('no-store');
      const body = (await response.json()) as Record<string, unknown>;
      const launch = new URL(body.launch_url as string);
      expect(`${launch.origin}${launch.pathname}?`).toBe(URLSRC);
      const fileId = encodeFileId(MOUNT, MountPath.parse('launch/report.odt'));
      expect(launch.searchParams.get('WOPISrc')).toBe(`${PUBLIC_URL}/mounts/wopi/files/${fileId}`);
      expect(launch.searchParams.get('lang')).toBe('fr');
      expect(launch.searchParams.get('closebutton')).toBe('false');
      const ttl = body.access_token_ttl as number;
      expect(ttl).toBeGreaterThanOrEqual(before + 36_000_000);
      expect(ttl).toBeLessThanOrEqual(Date.now() + 36_000_000);
      expect(host.app.wopi.tokens.verify(body.access_token as string, fileId).right).toBe('edit');
    });

    it.each<[string, Record<string, string>, number]>([
      ['launch/report.odt', {}, 401],
      ['launch/missing.odt', { 'x-test-sub': 'ada', 'x-test-role': 'editor' }, 404],
      ['launch/image.png', { 'x-test-sub': 'ada', 'x-test-role': 'editor' }, 415],
      ['launch', { 'x-test-sub': 'ada', 'x-test-role': 'editor' }, 400],
      ['../etc/passwd', { 'x-test-sub': 'ada', 'x-test-role': 'editor' }, 400],
    ])('answers %s (%j) with %i', async (path, headers, status) => {
      await putOnShare(samba(), 'wopi/launch/image.png', 'png');
      const response = await fetch(
        `${host.transport}/mounts/api/v1/m/${MOUNT}/wopi?path=${encodeURIComponent(path)}`,
        { headers },
      );
      expect(response.status).toBe(status);
    });
  });

  it('round-trips CheckFileInfo, GetFile and PutFile, the version changing with the content', async () => {
    await putOnShare(samba(), 'wopi/trip/report.odt', 'first version');
    const editor = await host.launch('trip/report.odt');
    const info = await editor.checkFileInfo();
    expect(info.status).toBe(200);
    const before = info.json();
    const stat = await backend.stat('trip/report.odt');
    expect(before).toMatchObject({
      BaseFileName: 'report.odt',
      Size: 13,
      Version: stat.version,
      OwnerId: `mount:${MOUNT}`,
      UserId: 'ada',
      UserFriendlyName: 'ada@example.org',
      UserCanWrite: true,
      ReadOnly: false,
      SupportsLocks: true,
      SupportsUpdate: true,
      SupportsRename: false,
      UserCanNotWriteRelative: true,
      LastModifiedTime: stat.mtime.toISOString(),
    });

    const got = await editor.getFile();
    expect(got.status).toBe(200);
    expect(got.text()).toBe('first version');
    expect(got.headers['x-wopi-itemversion']).toBe(stat.version);

    expect((await editor.lock('cool-lock-ada')).status).toBe(200);
    const saved = await editor.putFile('second, longer version', 'cool-lock-ada', {
      lastModifiedTime: before.LastModifiedTime,
    });
    expect(saved.status).toBe(200);
    const newVersion = saved.headers['x-wopi-itemversion'];
    expect(newVersion).not.toBe(before.Version);
    expect(await readFile(onShare('trip/report.odt'), 'utf8')).toBe('second, longer version');
    const after = (await editor.checkFileInfo()).json();
    expect(after.Version).toBe(newVersion);
    expect(saved.json()).toEqual({ LastModifiedTime: after.LastModifiedTime });
    // Collabora saves again with the LastModifiedTime PutFile gave it.
    const again = await editor.putFile('third', 'cool-lock-ada', {
      lastModifiedTime: saved.json().LastModifiedTime,
    });
    expect(again.status).toBe(200);
    expect(await shareFiles(samba(), 'trip')).toEqual(['report.odt']);
    expect((await editor.unlock('cool-lock-ada')).status).toBe(200);
  });

  it('keeps the old content in place until the new one is complete', async () => {
    await putOnShare(samba(), 'wopi/atomic/doc.odt', 'the old content');
    const editor = await host.launch('atomic/doc.odt');
    await editor.lock('L');
    let release: () => void = () => undefined;
    const rest = new Promise<void>((resolve) => {
      release = resolve;
    });
    async function* body() {
      yield Buffer.alloc(1 << 20, 0x61);
      await rest;
      yield Buffer.from('end');
    }
    const saving = editor.putFile(body(), 'L');
    // Wait until the first MiB sits in the temporary file next to the document.
    let temp: string | undefined;
    for (let tries = 0; tries < 200 && temp === undefined; tries += 1) {
      const names = await shareFiles(samba(), 'atomic');
      const name = names.find((entry) => entry.includes('.~upload-'));
      if (name && (await fsStat(onShare(`atomic/${name}`))).size >= 1 << 20) temp = name;
      else await sleep(25);
    }
    expect(temp).toBeDefined();
    expect(await readFile(onShare('atomic/doc.odt'), 'utf8')).toBe('the old content');
    expect((await editor.getFile()).text()).toBe('the old content');
    release();
    expect((await saving).status).toBe(200);
    expect((await fsStat(onShare('atomic/doc.odt'))).size).toBe((1 << 20) + 3);
    expect(await shareFiles(samba(), 'atomic')).toEqual(['doc.odt']);
  });

  it('changes Version when the file changes on the share, and refuses a save over it (1010)', async () => {
    await putOnShare(samba(), 'wopi/behind/notes.odt', 'v1');
    const editor = await host.launch('behind/notes.odt');
    const first = (await editor.checkFileInfo()).json();
    await editor.lock('L');
    await sleep(20);
    await putOnShare(samba(), 'wopi/behind/notes.odt', 'v2 written on the share');
    const second = (await editor.checkFileInfo()).json();
    expect(second.Version).not.toBe(first.Version);
    expect(second.Size).toBe(23);
    // The editor still holds the first LastModifiedTime: Collabora asks the user what to do.
    const refused = await editor.putFile('from the editor', 'L', {
      lastModifiedTime: first.LastModifiedTime,
    });
    expect(refused.status).toBe(409);
    expect(refused.json()).toMatchObject({ COOLStatusCode: 1010 });
    expect(await readFile(onShare('behind/notes.odt'), 'utf8')).toBe('v2 written on the share');
    // Overwrite chosen: Collabora saves again without the timestamp.
    expect((await editor.putFile('from the editor', 'L')).status).toBe(200);
    expect(await readFile(onShare('behind/notes.odt'), 'utf8')).toBe('from the editor');
  });

  it('gives the lock to the first of two editors; the second gets 409 with its lock', async () => {
    await putOnShare(samba(), 'wopi/two/plan.odt', 'plan');
    const ada = await host.launch('two/plan.odt', 'editor', 'ada');
    const bob = await host.launch('two/plan.odt', 'manager', 'bob');
    expect((await ada.lock('cool-lock-ada')).status).toBe(200);
    const conflict = await bob.lock('cool-lock-bob');
    expect(conflict.status).toBe(409);
    expect(conflict.headers['x-wopi-lock']).toBe('cool-lock-ada');
    const put = await bob.putFile('bob was here', 'cool-lock-bob');
    expect(put.status).toBe(409);
    expect(put.headers['x-wopi-lock']).toBe('cool-lock-ada');
    // A refused save of a large document: its body is discarded, the connection stays usable.
    const large = await bob.putFile(Buffer.alloc(2 << 20, 0x62), 'cool-lock-bob');
    expect(large.status).toBe(409);
    expect(large.headers.connection).not.toBe('close');
    const unlocked = await bob.putFile('bob was here', undefined);
    expect(unlocked.status).toBe(409);
    expect(unlocked.headers['x-wopi-lock']).toBe('cool-lock-ada');
    const lock = await bob.getLock();
    expect(lock.status).toBe(200);
    expect(lock.headers['x-wopi-lock']).toBe('cool-lock-ada');
    expect(await readFile(onShare('two/plan.odt'), 'utf8')).toBe('plan');
    // Locking again with the same lock is a refresh.
    expect((await ada.lock('cool-lock-ada')).status).toBe(200);
  });

  it('replaces a lock with UnlockAndRelock only from the right old lock', async () => {
    await putOnShare(samba(), 'wopi/relock/a.odt', 'a');
    const editor = await host.launch('relock/a.odt');
    expect((await editor.lock('L1')).status).toBe(200);
    const relocked = await editor.unlockAndRelock('L2', 'L1');
    expect(relocked.status).toBe(200);
    expect(relocked.headers['x-wopi-itemversion']).toBe(
      (await backend.stat('relock/a.odt')).version,
    );
    expect((await editor.getLock()).headers['x-wopi-lock']).toBe('L2');
    const wrong = await editor.unlockAndRelock('L3', 'L1');
    expect(wrong.status).toBe(409);
    expect(wrong.headers['x-wopi-lock']).toBe('L2');
    expect((await editor.refreshLock('L1')).status).toBe(409);
    expect((await editor.unlock('L2')).status).toBe(200);
    const again = await editor.unlock('L2');
    expect(again.status).toBe(409);
    expect(again.headers['x-wopi-lock']).toBe('');
    expect((await editor.getLock()).headers['x-wopi-lock']).toBe('');
  });

  it('writes an empty file without a lock, but no other unlocked file', async () => {
    await putOnShare(samba(), 'wopi/empty/new.odt', '');
    await putOnShare(samba(), 'wopi/empty/full.odt', 'content');
    const empty = await host.launch('empty/new.odt');
    expect((await empty.putFile('filled', undefined)).status).toBe(200);
    const full = await host.launch('empty/full.odt');
    const refused = await full.putFile('overwrite', undefined);
    expect(refused.status).toBe(409);
    expect(refused.headers['x-wopi-lock']).toBe('');
    expect(await readFile(onShare('empty/full.odt'), 'utf8')).toBe('content');
  });

  describe('refusals', () => {
    let editor: WopiClientStandIn;
    let fileId: string;
    beforeAll(async () => {
      await putOnShare(samba(), 'wopi/refuse/doc.odt', 'content');
      await putOnShare(samba(), 'wopi/refuse/other.odt', 'other');
      editor = await host.launch('refuse/doc.odt');
      fileId = encodeFileId(MOUNT, MountPath.parse('refuse/doc.odt'));
    });

    it('500 for a proof signed with another key', async () => {
      const response = await editor.checkFileInfo({ signWith: generateProofKey().privateKey });
      expect(response.status).toBe(500);
      expect(response.text()).toMatch(/proof does not verify/);
    });

    it('500 for a request without a proof, or with an old or future timestamp', async () => {
      expect((await editor.checkFileInfo({ signWith: 'none' })).status).toBe(500);
      const old = await editor.checkFileInfo({ at: Date.now() - 21 * 60_000 });
      expect(old.status).toBe(500);
      expect(old.text()).toMatch(/too old/);
      expect((await editor.checkFileInfo({ at: Date.now() + 10 * 60_000 })).status).toBe(500);
      // 19 minutes is still fine.
      expect((await editor.checkFileInfo({ at: Date.now() - 19 * 60_000 })).status).toBe(200);
    });

    it('500 for a proof over the URL the Host header gives, not the public one', async () => {
      const response = await editor.checkFileInfo({
        signedUrl: (url) => url.replace(PUBLIC_URL, host.transport),
      });
      expect(response.status).toBe(500);
    });

    it('401 for a token of another file, an expired or forged token, or none', async () => {
      const other = await host.launch('refuse/other.odt');
      expect((await editor.checkFileInfo({ accessToken: other.accessToken })).status).toBe(401);
      const expired = host.app.wopi.tokens.issue(
        { fileId, sub: 'ada', right: 'edit' },
        Date.now() - host.app.wopi.tokens.ttlMs - 1,
      );
      const response = await editor.checkFileInfo({ accessToken: expired.token });
      expect(response.status).toBe(401);
      expect(response.text()).toMatch(/expired/);
      const forged = `${editor.accessToken.split('.')[0]!}.${'A'.repeat(43)}`;
      expect((await editor.checkFileInfo({ accessToken: forged })).status).toBe(401);
      expect((await editor.checkFileInfo({ accessToken: '' })).status).toBe(401);
    });

    it("401 for a viewer's token on PutFile and locks; it reads", async () => {
      const viewer = await host.launch('refuse/doc.odt', 'viewer', 'vic');
      const info = (await viewer.checkFileInfo()).json();
      expect(info).toMatchObject({ UserCanWrite: false, ReadOnly: true });
      expect((await viewer.getFile()).text()).toBe('content');
      expect((await viewer.putFile('vandalised', undefined)).status).toBe(401);
      expect((await viewer.lock('V')).status).toBe(401);
      expect(await readFile(onShare('refuse/doc.odt'), 'utf8')).toBe('content');
    });

    it('404 for an unknown or forged file id', async () => {
      const forged = new WopiClientStandIn(
        `${PUBLIC_URL}/mounts/wopi/files/${Buffer.from('team/../../etc/passwd').toString('base64url')}`,
        editor.accessToken,
        host.transport,
        () => collabora.key?.privateKey,
      );
      expect((await forged.checkFileInfo()).status).toBe(404);
      forged.close();
      await putOnShare(samba(), 'wopi/refuse/gone.odt', 'x');
      const gone = await host.launch('refuse/gone.odt');
      await backend.remove('refuse/gone.odt');
      expect((await gone.checkFileInfo()).status).toBe(404);
    });

    it('412 when the file is larger than X-WOPI-MaxExpectedSize', async () => {
      const response = await editor.getFile({ headers: { 'x-wopi-maxexpectedsize': '3' } });
      expect(response.status).toBe(412);
      expect((await editor.getFile({ headers: { 'x-wopi-maxexpectedsize': '7' } })).status).toBe(
        200,
      );
    });

    it('413 for a body over the upload limit, declared or streamed, leaving the file as it was', async () => {
      await editor.lock('big');
      const declared = await editor.putFile(Buffer.alloc(MAX_FILE_BYTES + 1), 'big');
      expect(declared.status).toBe(413);
      function* chunked() {
        for (let sent = 0; sent <= MAX_FILE_BYTES; sent += 1 << 20) yield Buffer.alloc(1 << 20);
      }
      const streamed = await editor.putFile(chunked(), 'big');
      expect(streamed.status).toBe(413);
      expect(await readFile(onShare('refuse/doc.odt'), 'utf8')).toBe('content');
      expect((await shareFiles(samba(), 'refuse')).sort()).toEqual(['doc.odt', 'other.odt']);
      await editor.unlock('big');
    });

    it('501 for operations the host does not offer', async () => {
      for (const override of ['PUT_RELATIVE', 'RENAME_FILE', 'NONSENSE'])
        expect(
          (await editor.request({ method: 'POST', headers: { 'x-wopi-override': override } }))
            .status,
        ).toBe(501);
    });

    it('400 for a lock id that is not one', async () => {
      expect((await editor.lock('x'.repeat(1025))).status).toBe(400);
      expect(
        (await editor.request({ method: 'POST', headers: { 'x-wopi-override': 'LOCK' } })).status,
      ).toBe(400);
    });
  });

  it('follows a proof key rotation by fetching discovery again', async () => {
    await putOnShare(samba(), 'wopi/rotate/doc.odt', 'x');
    const editor = await host.launch('rotate/doc.odt');
    expect((await editor.checkFileInfo()).status).toBe(200);
    const fetches = collabora.fetches;
    collabora.rotate();
    expect((await editor.checkFileInfo()).status).toBe(200);
    expect(collabora.fetches).toBe(fetches + 1);
    // The retired key still verifies as the old one, as the spec allows.
    const previous = collabora.key!;
    collabora.rotate();
    expect((await editor.checkFileInfo({ signWith: previous.privateKey })).status).toBe(200);
  });

  it('gives exactly one of two editors the lock among 1000 concurrent LOCKs', async () => {
    await putOnShare(samba(), 'wopi/race/doc.odt', 'race');
    const ada = await host.launch('race/doc.odt', 'editor', 'ada');
    const bob = await host.launch('race/doc.odt', 'editor', 'bob');
    const { value: responses, ms } = await timed(() =>
      Promise.all(
        Array.from({ length: 1000 }, (_, index) =>
          index % 2 === 0 ? ada.lock('cool-lock-ada') : bob.lock('cool-lock-bob'),
        ),
      ),
    );
    const holder = (await ada.getLock()).headers['x-wopi-lock'];
    expect(['cool-lock-ada', 'cool-lock-bob']).toContain(holder);
    const winnerParity = holder === 'cool-lock-ada' ? 0 : 1;
    responses.forEach((response, index) => {
      if (index % 2 === winnerParity) expect(response.status).toBe(200);
      else {
        expect(response.status).toBe(409);
        expect(response.headers['x-wopi-lock']).toBe(holder);
      }
    });
    report(`wopi: 1000 concurrent signed LOCKs over HTTP in ${ms.toFixed(0)} ms`);
  });

  it('never logs an access token', () => {
    const joined = host.logs.join('\n');
    expect(joined).toContain('access_token=[redacted]');
    expect(joined).not.toMatch(/access_token=(?!\[redacted\])/);
    expect(joined).not.toMatch(/eyJ[A-Za-z0-9_-]{20,}\.[A-Za-z0-9_-]{43}/);
  });

  describe('with a short lock TTL', () => {
    let short: Harness;
    beforeAll(async () => {
      short = await startHost(backend, redis, collabora, { lockTtlMs: 1200 });
    });
    afterAll(async () => {
      await short.close();
    });

    it('extends a lock on RefreshLock and lets it expire after its TTL', async () => {
      await putOnShare(samba(), 'wopi/ttl/doc.odt', 'x');
      const ada = await short.launch('ttl/doc.odt', 'editor', 'ada');
      const bob = await short.launch('ttl/doc.odt', 'editor', 'bob');
      expect((await ada.lock('A')).status).toBe(200);
      await sleep(800);
      expect((await ada.refreshLock('A')).status).toBe(200);
      await sleep(800);
      // 1.6 s after the lock, kept by the refresh.
      expect((await bob.lock('B')).status).toBe(409);
      await sleep(1300);
      expect((await bob.getLock()).headers['x-wopi-lock']).toBe('');
      expect((await bob.lock('B')).status).toBe(200);
      expect((await ada.refreshLock('A')).status).toBe(409);
    });
  });

  it('still wants a proof for a file no editor claims any more', async () => {
    await putOnShare(samba(), 'wopi/unclaimed/data.bin', 'bytes');
    const fileId = encodeFileId(MOUNT, MountPath.parse('unclaimed/data.bin'));
    // A token from before discovery changed: no editor opens .bin files now.
    const { token } = host.app.wopi.tokens.issue({ fileId, sub: 'ada', right: 'view' });
    const client = new WopiClientStandIn(
      host.app.wopi.wopiSrc(fileId),
      token,
      host.transport,
      () => collabora.key?.privateKey,
    );
    expect((await client.checkFileInfo()).status).toBe(200);
    expect((await client.checkFileInfo({ signWith: 'none' })).status).toBe(500);
    client.close();
  });

  describe('while the editor is down', () => {
    let down: DiscoveryStandIn;
    let blind: Harness;
    beforeAll(async () => {
      down = await startDiscoveryStandIn();
      down.setDown(true);
      blind = await startHost(backend, redis, down);
    });
    afterAll(async () => {
      await blind.close();
      await down.stop();
    });

    it('answers 503: no launch, and no WOPI call it cannot check', async () => {
      await putOnShare(samba(), 'wopi/down/doc.odt', 'x');
      const response = await fetch(
        `${blind.transport}/mounts/api/v1/m/${MOUNT}/wopi?path=down/doc.odt`,
        { headers: { 'x-test-sub': 'ada', 'x-test-role': 'editor' } },
      );
      expect(response.status).toBe(503);
      const fileId = encodeFileId(MOUNT, MountPath.parse('down/doc.odt'));
      const { token } = blind.app.wopi.tokens.issue({ fileId, sub: 'ada', right: 'edit' });
      const client = new WopiClientStandIn(
        blind.app.wopi.wopiSrc(fileId),
        token,
        blind.transport,
        () => down.key?.privateKey,
      );
      expect((await client.checkFileInfo({ signWith: 'none' })).status).toBe(503);
      // Back up: the next call fetches discovery and checks the proof.
      down.setDown(false);
      expect((await client.checkFileInfo()).status).toBe(200);
      client.close();
    });
  });

  it('answers 404 to a launch when no editor is configured', async () => {
    const app = Fastify();
    withApiErrors(app);
    await app.register(wopiPlugin, {
      config: {
        PUBLIC_URL,
        WOPI_TOKEN_SECRET: randomBytes(32).toString('hex'),
        WOPI_DISCOVERY_URLS: [],
        UPLOAD_MAX_FILE_SIZE_BYTES: MAX_FILE_BYTES,
      },
      backends: (mount) => (mount === MOUNT ? backend : undefined),
      redis,
      authorize,
    });
    await putOnShare(samba(), 'wopi/off/doc.odt', 'x');
    const response = await app.inject({
      url: `/mounts/api/v1/m/${MOUNT}/wopi?path=off/doc.odt`,
      headers: { 'x-test-sub': 'ada', 'x-test-role': 'editor' },
    });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toMatchObject({ error: 'NotFound' });
    await app.close();
  });

  describe('with an editor that publishes no proof key', () => {
    let keyless: DiscoveryStandIn;
    let open: Harness;
    beforeAll(async () => {
      keyless = await startDiscoveryStandIn({ proofKey: false });
      open = await startHost(backend, redis, keyless);
    });
    afterAll(async () => {
      await open.close();
      await keyless.stop();
    });

    it('takes unsigned requests, as Drive does, and says so once at start', async () => {
      await putOnShare(samba(), 'wopi/open/doc.odt', 'x');
      const editor = await open.launch('open/doc.odt');
      expect((await editor.checkFileInfo({ signWith: 'none' })).status).toBe(200);
      for (let tries = 0; tries < 100; tries += 1) {
        if (open.logs.some((line) => line.includes('no editor publishes a proof-key'))) break;
        await sleep(20);
      }
      expect(
        open.logs.filter((line) => line.includes('no editor publishes a proof-key')),
      ).toHaveLength(1);
    });
  });
});

describe.each<SambaProfile>(['hardened'])('the WOPI host on Samba (%s profile)', (profile) => {
  const samba = useServer(() => startSamba(profile));
  const redisServer = useServer(() => startRedis());

  it('saves a document with PutFile', async () => {
    const collabora = await startDiscoveryStandIn();
    const redis = new Redis(redisServer().url, { maxRetriesPerRequest: 1 });
    await putOnShare(samba(), 'wopi/secure/doc.odt', 'before');
    const backend = await SmbBackend.connect(connectOptions(samba(), { path: '/wopi' }));
    const host = await startHost(backend, redis, collabora);
    try {
      const editor = await host.launch('secure/doc.odt');
      const before = (await editor.checkFileInfo()).json();
      await editor.lock('L');
      const saved = await editor.putFile('after, over SMB3 with signing and encryption', 'L', {
        lastModifiedTime: before.LastModifiedTime,
      });
      expect(saved.status).toBe(200);
      expect(saved.headers['x-wopi-itemversion']).not.toBe(before.Version);
      expect(await readFile(join(samba().shareDirectory, 'wopi/secure/doc.odt'), 'utf8')).toBe(
        'after, over SMB3 with signing and encryption',
      );
    } finally {
      await host.close();
      await backend.close();
      await redis.quit();
      await collabora.stop();
    }
  });
});
