// `npm run bench:smb`: the SMB mounts service (services/smb-mount) against smbclient, the
// reference, on the same Samba share in the same run, for both test-bed profiles (Samba's
// defaults; hardened: SMB3 only, signing mandatory, encryption required):
// - a 512 MiB download: our `GET content`, streamed to this process and hashed, vs `smbclient
//   -c 'get file -'`, its stdout streamed to this process and hashed the same way;
// - a 512 MiB upload: tus with the service's default chunk size (Drive's 8 MiB), tus with 32 MiB
//   chunks from a second service process, and a whole-file PUT from a third with
//   UPLOAD_CHUNKED=false, vs `smbclient -c 'put - file'` fed from this process through its stdin;
//   all from the same buffer in memory, each to a new file;
// - a 10,000-entry listing: our `GET items` right after a change to the directory (so the
//   listing cache misses and the SMB work is measured; checked on the service's metrics) vs
//   `smbclient -c 'ls dir\*'`.
// The service runs as its own process (main.ts, as its container does), over HTTP on loopback,
// with a real access token from the test IdP and Redis for tus. The paths take turns round by
// round, the order flipping every round, so drift on the machine hits them alike; each ratio is
// taken within its round. smbclient's times include its process start, negotiation and login
// (measured alone as "smbclient connect"); the service's SMB connections are already open.
// Everything (smbd, the service, smbclient, this client) shares the machine's cores.
import { spawn } from 'node:child_process';
import { createHash, randomFillSync } from 'node:crypto';
import { chown, mkdir, open, rm, stat, writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { INSTALL, systemBinary } from '../operator/src/testbed/binaries.js';
import { startOidcProvider, type OidcProvider } from '../operator/src/testbed/oidc-provider.js';
import { startRedis, type Redis } from '../operator/src/testbed/redis.js';
import {
  putOnShare,
  startSamba,
  type Samba,
  type SambaProfile,
} from '../operator/src/testbed/samba.js';
import { AccessTokens, testClient } from '../services/smb-mount/src/test-support/access-tokens.js';
import { mountApi, serviceEnv } from '../services/smb-mount/src/test-support/mount-service.js';
import {
  serviceDirectory,
  startServiceProcess,
  type ServiceProcess,
} from '../services/smb-mount/src/test-support/service-process.js';

const MiB = 1 << 20;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const SIZE = Number(process.env.BENCH_SIZE_BYTES ?? 512 * MiB);
const ENTRIES = Number(process.env.BENCH_ENTRIES ?? 10_000);
const PROFILES = (process.env.BENCH_PROFILES ?? 'default,hardened').split(',') as SambaProfile[];
const MOUNT = 'bench';
const USER = 'bench';
/** Extra environment for both service processes, as JSON: `{"SMB_WORKERS":"8"}`. */
const SERVICE_ENV = JSON.parse(process.env.BENCH_SERVICE_ENV ?? '{}') as Record<string, string>;
/** tus at Drive's default chunk (8 MiB, spec.upload.chunkSizeBytes) and at this one. */
const LARGE_TUS_CHUNK = 32 * MiB;
const GOALS = { download: 0.9, upload: 0.8, listing: 1.5 } as const;

// The share on tmpfs unless told otherwise: on the disk, the kernel's writeback of the uploads
// would land in whichever round came next.
process.env.LASUITE_TESTBED_TMP ??= '/dev/shm';

const out = (text = '') => process.stdout.write(`${text}\n`);
const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? Number.NaN)
    : ((sorted[middle - 1] ?? Number.NaN) + (sorted[middle] ?? Number.NaN)) / 2;
};
const mibps = (bytes: number, ms: number) => bytes / MiB / (ms / 1000);
const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

/** Bytes that do not compress, made once for every transfer of the run. */
function randomData(size: number): Buffer {
  const data = Buffer.allocUnsafe(size);
  for (let offset = 0; offset < size; offset += 64 * MiB)
    randomFillSync(data, offset, Math.min(64 * MiB, size - offset));
  return data;
}

/** One measured path: its times per round, in ms. */
interface Series {
  name: string;
  ms: number[];
}

interface Row {
  profile: SambaProfile;
  what: string;
  kind: keyof typeof GOALS;
  bytes?: number;
  ours: Series;
  reference: Series;
  /** Other references, shown but not held to the goal. */
  extra?: Series[];
}

async function mkdirOnShare(samba: Samba, path: string): Promise<void> {
  const full = join(samba.shareDirectory, path);
  await mkdir(full, { recursive: true });
  const owner = await stat(samba.shareDirectory);
  await chown(full, owner.uid, owner.gid);
}

async function fileSha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  const handle = await open(path);
  try {
    for await (const chunk of handle.createReadStream({ highWaterMark: 4 * MiB }))
      hash.update(chunk as Buffer);
  } finally {
    await handle.close();
  }
  return hash.digest('hex');
}

/** smbclient on the share: credentials from a file, stdout handed over as it comes. */
class SmbClient {
  readonly #samba: Samba;
  readonly #args: string[];
  readonly #binary = systemBinary('smbclient', INSTALL.samba);

  private constructor(samba: Samba, authFile: string, protection: string[]) {
    this.#samba = samba;
    this.#args = [
      `//${samba.host}/${samba.share}`,
      '-p',
      String(samba.port),
      '-A',
      authFile,
      ...protection,
    ];
  }

  static async create(samba: Samba, protection: string[] = []): Promise<SmbClient> {
    const authFile = join(samba.directory, 'bench-client.auth');
    await writeFile(authFile, `username = ${samba.user}\npassword = ${samba.password}\n`, {
      mode: 0o600,
    });
    return new SmbClient(samba, authFile, protection);
  }

  /** Runs one command line; the clock runs from the spawn to the process's exit. */
  run(
    command: string,
    options: { stdin?: Buffer; stdout?: (chunk: Buffer) => void } = {},
  ): Promise<number> {
    return new Promise((resolve, reject) => {
      const started = performance.now();
      const child = spawn(this.#binary, [...this.#args, '-c', command], {
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      const stderr: Buffer[] = [];
      child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
      child.stdout.on('data', (chunk: Buffer) => options.stdout?.(chunk));
      child.stdin.end(options.stdin);
      child.on('error', reject);
      child.on('close', (code) => {
        const ms = performance.now() - started;
        if (code === 0) resolve(ms);
        else
          reject(
            new Error(
              `smbclient -c '${command}' on ${this.#samba.profile} exited ${String(code)}: ${Buffer.concat(stderr).toString().trim()}`,
            ),
          );
      });
    });
  }

  /**
   * What the server reports for a session of this client, watched while it downloads `path`:
   * the last report before it ends (the first ones may show a session still being set up).
   */
  async session(others: ReadonlySet<string | undefined>, path: string): Promise<string> {
    let ended = false;
    const done = this.run(`get ${path} /dev/null`).finally(() => {
      ended = true;
    });
    // A function, so that the checks read the flag as the download's end leaves it.
    const running = () => !ended;
    let last = 'not listed';
    while (running()) {
      const found = (await sessions(this.#samba)).find((session) => !others.has(session.pid));
      if (found !== undefined && running()) last = found.text;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await done;
    return last;
  }
}

/** The sessions open on the server, as smbstatus describes them. */
async function sessions(samba: Samba): Promise<{ pid?: string; text: string }[]> {
  const stdout = await new Promise<string>((resolve, reject) => {
    const child = spawn(
      systemBinary('smbstatus', INSTALL.samba),
      ['-s', join(samba.directory, 'smb.conf'), '-b', '--json'],
      { stdio: ['ignore', 'pipe', 'ignore'] },
    );
    const chunks: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.on('error', reject);
    child.on('close', () => {
      resolve(Buffer.concat(chunks).toString());
    });
  });
  const status = JSON.parse(stdout) as {
    sessions?: Record<
      string,
      {
        server_id?: { pid?: string };
        session_dialect: string;
        encryption: { cipher: string; degree: string };
        signing: { cipher: string; degree: string };
      }
    >;
  };
  return Object.values(status.sessions ?? {}).map((session) => ({
    pid: session.server_id?.pid,
    text: `${session.session_dialect}, signing ${session.signing.degree} (${session.signing.cipher || '-'}), encryption ${session.encryption.degree} (${session.encryption.cipher || '-'})`,
  }));
}

/** The service's listing-cache misses so far, from its own metrics. */
async function listingMisses(origin: string): Promise<number> {
  const text = await (await fetch(`${origin}/metrics`)).text();
  const line = text
    .split('\n')
    .find((each) => each.startsWith('smb_mount_listing_cache_total{') && each.includes('"miss"'));
  return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(' ') + 1));
}

/** The HTTP side, as a client of the service: undici, one kept-alive connection per origin. */
class MountClient {
  readonly #origin: string;
  readonly #token: string;

  constructor(origin: string, token: string) {
    this.#origin = origin;
    this.#token = token;
  }

  get origin(): string {
    return this.#origin;
  }

  #headers(extra: Record<string, string> = {}): Record<string, string> {
    return { authorization: `Bearer ${this.#token}`, ...extra };
  }

  async json(path: string): Promise<any> {
    const answer = await request(`${this.#origin}${path}`, { headers: this.#headers() });
    const text = await answer.body.text();
    if (answer.statusCode !== 200)
      throw new Error(`GET ${path}: ${String(answer.statusCode)} ${text}`);
    return JSON.parse(text);
  }

  /** GET content, each chunk to `sink` as it arrives; resolves to the byte count. */
  async download(path: string, sink: (chunk: Buffer) => void): Promise<number> {
    const answer = await request(`${this.#origin}${mountApi(MOUNT, 'content', { path })}`, {
      headers: this.#headers(),
    });
    if (answer.statusCode !== 200)
      throw new Error(`GET content: ${String(answer.statusCode)} ${await answer.body.text()}`);
    let bytes = 0;
    for await (const chunk of answer.body) {
      const buffer = chunk as Buffer;
      bytes += buffer.byteLength;
      sink(buffer);
    }
    return bytes;
  }

  /** A tus 1.0 upload as tus-js-client sends it: creation, then one PATCH per chunk in turn. */
  async tus(directory: string, filename: string, data: Buffer, chunkSize: number): Promise<void> {
    const encode = (text: string) => Buffer.from(text).toString('base64');
    const created = await request(`${this.#origin}${mountApi(MOUNT, 'uploads/')}`, {
      method: 'POST',
      headers: this.#headers({
        'tus-resumable': '1.0.0',
        'upload-length': String(data.byteLength),
        'upload-metadata': `filename ${encode(filename)},directory ${encode(directory)}`,
      }),
    });
    await created.body.dump();
    const location = created.headers.location;
    if (created.statusCode !== 201 || typeof location !== 'string')
      throw new Error(`tus creation: ${String(created.statusCode)}`);
    const url = new URL(location, `${this.#origin}${mountApi(MOUNT, 'uploads/')}`).href;
    for (let offset = 0; offset < data.byteLength; offset += chunkSize) {
      const chunk = data.subarray(offset, Math.min(offset + chunkSize, data.byteLength));
      const answer = await request(url, {
        method: 'PATCH',
        headers: this.#headers({
          'tus-resumable': '1.0.0',
          'content-type': 'application/offset+octet-stream',
          'upload-offset': String(offset),
        }),
        body: chunk,
      });
      const text = await answer.body.text();
      if (answer.statusCode !== 204)
        throw new Error(`tus PATCH at ${String(offset)}: ${String(answer.statusCode)} ${text}`);
    }
  }

  /** PUT content: the whole file in one request body. */
  async put(path: string, data: Buffer): Promise<void> {
    const answer = await request(`${this.#origin}${mountApi(MOUNT, 'content', { path })}`, {
      method: 'PUT',
      headers: this.#headers({ 'content-type': 'application/octet-stream' }),
      body: data,
    });
    const text = await answer.body.text();
    if (answer.statusCode !== 201 && answer.statusCode !== 200)
      throw new Error(`PUT content: ${String(answer.statusCode)} ${text}`);
  }

  /** GET items, parsed; resolves to the number of entries. */
  async list(path: string): Promise<number> {
    const body = await this.json(mountApi(MOUNT, 'items', { path }));
    return (body.entries as unknown[]).length;
  }
}

/** Runs the paths of each round in turn, the order rotating round by round. */
async function rounds(
  paths: { series: Series; run: () => Promise<number> }[],
  before?: () => Promise<void>,
): Promise<void> {
  // One round first, not counted: connections, JIT, Samba's and the kernel's caches.
  for (const path of paths) {
    await before?.();
    await path.run();
  }
  for (let round = 0; round < ROUNDS; round += 1) {
    const order = paths.map((_, index) => paths[(index + round) % paths.length]!);
    for (const path of order) {
      await before?.();
      path.series.ms.push(await path.run());
    }
  }
}

async function benchProfile(
  profile: SambaProfile,
  data: Buffer,
  digest: string,
  idp: OidcProvider,
  redis: Redis,
  tokens: AccessTokens,
  client: ReturnType<typeof testClient>,
): Promise<{ rows: Row[]; notes: string[] }> {
  const samba = await startSamba(profile);
  const directory = await serviceDirectory();
  const services: ServiceProcess[] = [];
  const notes: string[] = [];
  try {
    await putOnShare(samba, 'big.bin', data);
    await mkdirOnShare(samba, 'up');
    await mkdirOnShare(samba, 'many');
    for (let index = 0; index < ENTRIES; index += 1)
      await putOnShare(samba, `many/f${String(index).padStart(5, '0')}.txt`, '');

    const env = (overrides: Record<string, string>) =>
      serviceEnv({
        idp,
        clientId: client.id,
        clientSecret: client.secret,
        redisUrl: redis.url,
        mounts: [{ name: MOUNT, samba, roles: [{ subject: { sub: USER }, role: 'editor' }] }],
        overrides: { ...SERVICE_ENV, ...overrides },
      });
    const serviceA = await startServiceProcess(env({}), directory.path);
    services.push(serviceA);
    const serviceB = await startServiceProcess(env({ UPLOAD_CHUNKED: 'false' }), directory.path);
    services.push(serviceB);
    const serviceC = await startServiceProcess(
      env({ UPLOAD_CHUNK_SIZE_BYTES: String(LARGE_TUS_CHUNK) }),
      directory.path,
    );
    services.push(serviceC);
    const token = await tokens.login(USER);
    const api = new MountClient(serviceA.origin, token);
    const apiPut = new MountClient(serviceB.origin, token);
    const apiLarge = new MountClient(serviceC.origin, token);
    const chunkSize = (await api.json(mountApi(MOUNT, 'capabilities'))).upload
      .chunkSizeBytes as number;
    if (!(await apiPut.json(mountApi(MOUNT, 'capabilities'))).upload.wholeFilePut)
      throw new Error('the second service does not take whole-file PUTs');
    // Both services connected (and the token checked once) before anything is timed.
    await api.list('');
    await apiPut.list('');
    await apiLarge.list('');

    // What each side negotiates. The service signs every session and asks for encryption (the
    // StorageMount default, encryption: Auto), which Samba's defaults grant: on the default
    // profile the reference is smbclient asked to encrypt too; smbclient as it comes (signing
    // the session setup only, no encryption) is measured beside it.
    const serviceSessions = await sessions(samba);
    const known = new Set(serviceSessions.map((session) => session.pid));
    notes.push(
      `${profile}: service sessions (${String(serviceSessions.length)}): ${[...new Set(serviceSessions.map((session) => session.text))].join('; ')}`,
    );
    const reference = await SmbClient.create(
      samba,
      profile === 'default' ? ['--client-protection=encrypt'] : [],
    );
    const plain = profile === 'default' ? await SmbClient.create(samba) : undefined;
    notes.push(
      `${profile}: smbclient (reference) session: ${await reference.session(known, 'big.bin')}`,
    );
    if (plain)
      notes.push(
        `${profile}: smbclient (its defaults) session: ${await plain.session(known, 'big.bin')}`,
      );

    const connect: Series = { name: 'smbclient connect (`-c exit`)', ms: [] };
    for (let round = 0; round < ROUNDS; round += 1) connect.ms.push(await reference.run('exit'));
    notes.push(
      `${profile}: smbclient process start + negotiate + login + tree connect alone: median ${median(connect.ms).toFixed(0)} ms`,
    );

    const rows: Row[] = [];

    // Download: both streamed into this process and hashed.
    const download: Row = {
      profile,
      what: `download ${String(SIZE / MiB)} MiB`,
      kind: 'download',
      bytes: SIZE,
      ours: { name: 'GET content', ms: [] },
      reference: { name: 'smbclient get file -', ms: [] },
      extra: plain ? [{ name: 'smbclient get, its defaults', ms: [] }] : [],
    };
    const viaSmbclient = (smbclient: SmbClient) => async () => {
      const hash = createHash('sha256');
      let bytes = 0;
      const ms = await smbclient.run('get big.bin -', {
        stdout: (chunk) => {
          bytes += chunk.byteLength;
          hash.update(chunk);
        },
      });
      if (bytes !== SIZE || hash.digest('hex') !== digest)
        throw new Error(`smbclient get: ${String(bytes)} bytes, not the file`);
      return ms;
    };
    await rounds([
      {
        series: download.ours,
        run: async () => {
          const hash = createHash('sha256');
          const started = performance.now();
          const bytes = await api.download('big.bin', (chunk) => hash.update(chunk));
          const ms = performance.now() - started;
          if (bytes !== SIZE || hash.digest('hex') !== digest)
            throw new Error(`GET content: ${String(bytes)} bytes, not the file`);
          return ms;
        },
      },
      { series: download.reference, run: viaSmbclient(reference) },
      ...(plain && download.extra?.[0]
        ? [{ series: download.extra[0], run: viaSmbclient(plain) }]
        : []),
    ]);
    rows.push(download);

    // Upload: each to a file that does not exist yet, checked on the share afterwards.
    const upload = (name: string): Row => ({
      profile,
      what: `upload ${String(SIZE / MiB)} MiB, ${name}`,
      kind: 'upload',
      bytes: SIZE,
      ours: { name, ms: [] },
      reference: { name: 'smbclient put - file', ms: [] },
    });
    const tus = upload(`tus, ${String(chunkSize / MiB)} MiB chunks`);
    const tusLarge = upload(`tus, ${String(LARGE_TUS_CHUNK / MiB)} MiB chunks`);
    const put = upload('PUT (UPLOAD_CHUNKED=false)');
    const referencePut: Series = { name: 'smbclient put - file', ms: [] };
    const plainPut: Series = { name: 'smbclient put, its defaults', ms: [] };
    const landed = async (name: string) => {
      const found = await fileSha256(join(samba.shareDirectory, 'up', name));
      if (found !== digest) throw new Error(`up/${name} on the share is not the file uploaded`);
      await rm(join(samba.shareDirectory, 'up', name));
    };
    const timedUpload = (work: () => Promise<unknown>, name: string) => async () => {
      const started = performance.now();
      await work();
      const ms = performance.now() - started;
      await landed(name);
      return ms;
    };
    await rounds([
      {
        series: tus.ours,
        run: timedUpload(() => api.tus('up', 'tus.bin', data, chunkSize), 'tus.bin'),
      },
      {
        series: tusLarge.ours,
        run: timedUpload(() => apiLarge.tus('up', 'large.bin', data, LARGE_TUS_CHUNK), 'large.bin'),
      },
      { series: put.ours, run: timedUpload(() => apiPut.put('up/put.bin', data), 'put.bin') },
      {
        series: referencePut,
        run: async () => {
          const ms = await reference.run('put - up/ref.bin', { stdin: data });
          await landed('ref.bin');
          return ms;
        },
      },
      ...(plain
        ? [
            {
              series: plainPut,
              run: async () => {
                const ms = await plain.run('put - up/plain.bin', { stdin: data });
                await landed('plain.bin');
                return ms;
              },
            },
          ]
        : []),
    ]);
    for (const row of [tus, tusLarge, put]) {
      row.reference = referencePut;
      if (plain) row.extra = [plainPut];
      rows.push(row);
    }

    // Listing: the directory changes (behind Samba's back) before every listing of either
    // side, so the service's listing cache cannot answer; its metrics confirm the misses.
    const listing: Row = {
      profile,
      what: `list ${ENTRIES.toLocaleString('en')} entries`,
      kind: 'listing',
      ours: { name: 'GET items', ms: [] },
      reference: { name: 'smbclient ls dir\\*', ms: [] },
      extra: plain ? [{ name: 'smbclient ls, its defaults', ms: [] }] : [],
    };
    const touch = async () => {
      await putOnShare(samba, 'many/.bench-touch', '');
      await rm(join(samba.shareDirectory, 'many', '.bench-touch'));
    };
    const missesBefore = await listingMisses(serviceA.origin);
    let ourListings = 0;
    const lsVia = (smbclient: SmbClient) => async () => {
      let text = '';
      const ms = await smbclient.run('ls many\\*', {
        stdout: (chunk) => {
          text += chunk.toString();
        },
      });
      const count = text.split('\n').filter((line) => /^\s+f\d{5}\.txt\s/.test(line)).length;
      if (count !== ENTRIES) throw new Error(`smbclient ls: ${String(count)} entries`);
      return ms;
    };
    await rounds(
      [
        {
          series: listing.ours,
          run: async () => {
            const started = performance.now();
            const count = await api.list('many');
            const ms = performance.now() - started;
            ourListings += 1;
            if (count !== ENTRIES) throw new Error(`GET items: ${String(count)} entries`);
            return ms;
          },
        },
        { series: listing.reference, run: lsVia(reference) },
        ...(plain && listing.extra?.[0] ? [{ series: listing.extra[0], run: lsVia(plain) }] : []),
      ],
      touch,
    );
    const misses = (await listingMisses(serviceA.origin)) - missesBefore;
    if (misses !== ourListings)
      throw new Error(`${String(ourListings)} listings but ${String(misses)} cache misses`);
    notes.push(
      `${profile}: ${String(misses)} of ${String(ourListings)} listings missed the listing cache`,
    );
    rows.push(listing);
    return { rows, notes };
  } finally {
    for (const service of services) await service.process.stop();
    await directory.remove();
    await samba.stop();
  }
}

/** Ours against the reference, round by round: throughput ratio, or time ratio for listings. */
function ratios(row: Row, reference: Series = row.reference): number[] {
  return row.ours.ms.map((ms, round) => {
    const other = reference.ms[round] ?? Number.NaN;
    return row.kind === 'listing' ? ms / other : other / ms;
  });
}

function describe(series: Series, bytes?: number): string {
  const values = bytes === undefined ? series.ms : series.ms.map((ms) => mibps(bytes, ms));
  const unit = bytes === undefined ? 'ms' : 'MiB/s';
  const min = Math.min(...values);
  const max = Math.max(...values);
  return `${median(values).toFixed(0)} ${unit} (${min.toFixed(0)}–${max.toFixed(0)})`;
}

function ratioText(values: number[], kind: Row['kind']): string {
  const text = (value: number) =>
    kind === 'listing' ? `${value.toFixed(2)}×` : `${(value * 100).toFixed(0)} %`;
  return `${text(median(values))} (${text(Math.min(...values))}–${text(Math.max(...values))})`;
}

async function main() {
  out(
    `smb bench: ${String(ROUNDS)} rounds, ${String(SIZE / MiB)} MiB, ${String(ENTRIES)} entries, profiles ${PROFILES.join(', ')}; ${String(cpus().length)} × ${cpus()[0]?.model ?? '?'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB; share under ${process.env.LASUITE_TESTBED_TMP ?? ''}`,
  );
  const started = performance.now();
  const data = randomData(SIZE);
  const digest = sha256(data);
  out(
    `random data: ${String(SIZE)} bytes, sha256 ${digest} (${(performance.now() - started).toFixed(0)} ms)`,
  );

  const client = testClient();
  const idp = await startOidcProvider({ clients: [client.registration] });
  const redis = await startRedis();
  const tokens = new AccessTokens(() => idp, client);
  const rows: Row[] = [];
  const notes: string[] = [];
  try {
    for (const profile of PROFILES) {
      const result = await benchProfile(profile, data, digest, idp, redis, tokens, client);
      rows.push(...result.rows);
      notes.push(...result.notes);
    }
  } finally {
    await redis.stop();
    await idp.stop();
  }

  out('');
  out(
    '| profile | what | ours: median (min–max) | smbclient: median (min–max) | ours ÷ smbclient per round: median (min–max) | goal | met |',
  );
  out('|---|---|---|---|---|---|---|');
  for (const row of rows) {
    const values = ratios(row);
    const goal = GOALS[row.kind];
    const met = row.kind === 'listing' ? median(values) <= goal : median(values) >= goal;
    out(
      `| ${row.profile} | ${row.what} | ${describe(row.ours, row.bytes)} | ${describe(row.reference, row.bytes)} | ${ratioText(values, row.kind)} | ${row.kind === 'listing' ? `≤ ${goal.toFixed(1)}×` : `≥ ${String(goal * 100)} %`} | ${met ? 'yes' : '**no**'} |`,
    );
  }
  const extras = rows.filter((row) => (row.extra ?? []).length > 0);
  if (extras.length > 0) {
    out('');
    out('Beside it, smbclient as it comes (no encryption asked for), not held to the goals:');
    out('');
    out('| profile | what | smbclient, its defaults | ours ÷ it per round |');
    out('|---|---|---|---|');
    for (const row of extras)
      for (const series of row.extra ?? [])
        out(
          `| ${row.profile} | ${row.what} | ${describe(series, row.bytes)} | ${ratioText(ratios(row, series), row.kind)} |`,
        );
  }
  out('');
  for (const note of notes) out(note);
  out('');
  for (const row of rows) {
    out(
      `raw ${row.profile} ${row.what}: ${row.ours.name} ${JSON.stringify(row.ours.ms.map(Math.round))} ms`,
    );
    out(
      `raw ${row.profile} ${row.what}: ${row.reference.name} ${JSON.stringify(row.reference.ms.map(Math.round))} ms`,
    );
    for (const series of row.extra ?? [])
      out(
        `raw ${row.profile} ${row.what}: ${series.name} ${JSON.stringify(series.ms.map(Math.round))} ms`,
      );
  }
}

await main();
