// `npm run bench:media`: Drive's /media download path, in one run per store (Ceph RGW, SeaweedFS):
// - direct S3: what the edge does without the edge, from this process: media-auth (the Drive
//   stand-in), then the signed GET straight to S3. The reference for both chains.
// - the Traefik chain: Traefik (routes from the DriveInstance renderer), ForwardAuth to our media
//   gateway, the gateway to the Drive stand-in, then S3.
// - the nginx chain: nginx (our nginx renderer), auth_request to the Drive stand-in, then S3.
// Latency: one small object, ROUNDS sequential requests after WARMUP, p50 and p99. Throughput: one
// 1 GiB object streamed to this process (hashed the first time), best of THROUGHPUT_ROUNDS. The three take
// turns, request by request and download by download, so drift on the machine hits them alike.
// Each store is measured twice: with plain HTTP between the client and the edges, like direct S3
// here, which is what the goals compare; and with TLS at the edges, as in production, for the cost
// of TLS on top. Everything runs on the same two cores, the client included.
import { randomBytes } from 'node:crypto';
import { request } from 'undici';
import {
  MEDIA_AUTH_PATH,
  mediaPath,
  quoteKey,
} from '../operator/src/testbed/drive-media-auth-stand-in.js';
import {
  BUCKET,
  DRIVE_HOST,
  SESSION,
  digestBody,
  itemKey,
  putLargeObject,
  putObject,
  startMediaChains,
  type Chain,
  type MediaChains,
  type StoreKind,
} from '../operator/src/test-support/media-chains.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 400);
const WARMUP = 50;
const THROUGHPUT_ROUNDS = Number(process.env.BENCH_THROUGHPUT_ROUNDS ?? 3);
const LARGE = Number(process.env.BENCH_LARGE_BYTES ?? 2 ** 30);
const COOKIE = { cookie: `sessionid=${SESSION}` };

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? Number.NaN;
};

/** The reference: media-auth from the stand-in, then the signed GET to S3, without an edge. */
function directChain(chains: MediaChains): Chain {
  return {
    name: 'direct',
    request: async (path, options = {}) => {
      const auth = await request(`${chains.drive.url}${MEDIA_AUTH_PATH}`, {
        headers: {
          host: DRIVE_HOST,
          'x-forwarded-proto': 'https',
          'x-original-url': path,
          ...COOKIE,
        },
      });
      await auth.body.dump();
      const key = decodeURIComponent(path.replace(/^\/media\//, ''));
      const s3 = new URL(chains.store.endpoint);
      const answer = await request(`${s3.origin}/${BUCKET}/${quoteKey(key)}`, {
        method: options.method ?? 'GET',
        headers: {
          host: s3.host,
          authorization: String(auth.headers.authorization),
          'x-amz-date': String(auth.headers['x-amz-date']),
          'x-amz-content-sha256': String(auth.headers['x-amz-content-sha256']),
          ...options.headers,
        },
      });
      return { status: answer.statusCode, headers: answer.headers, body: answer.body };
    },
  };
}

/** Latency of each chain, the chains taking turns so that drift on the machine hits all alike. */
async function latencies(chains: readonly Chain[], path: string) {
  const times = chains.map(() => [] as number[]);
  for (let round = 0; round < WARMUP + ROUNDS; round += 1) {
    for (const [index, chain] of chains.entries()) {
      const started = performance.now();
      const answer = await chain.request(path, { headers: COOKIE });
      await answer.body.dump();
      if (answer.status !== 200) throw new Error(`${chain.name}: ${String(answer.status)}`);
      if (round >= WARMUP) times[index]?.push(performance.now() - started);
    }
  }
  return times.map((values) => ({ p50: percentile(values, 50), p99: percentile(values, 99) }));
}

async function countBody(body: AsyncIterable<Uint8Array>): Promise<number> {
  let bytes = 0;
  for await (const chunk of body) bytes += chunk.length;
  return bytes;
}

/** Best MiB/s of each chain over THROUGHPUT_ROUNDS, the chains taking turns. */
async function throughputs(chains: readonly Chain[], path: string, sha256: string) {
  const best = chains.map(() => 0);
  for (let round = 0; round < THROUGHPUT_ROUNDS; round += 1) {
    for (const [index, chain] of chains.entries()) {
      const started = performance.now();
      const answer = await chain.request(path, { headers: COOKIE });
      // The first download of each is checked byte for byte; later ones only counted, so that
      // hashing on the client's core does not cap what is measured.
      const received =
        round === 0
          ? await digestBody(answer.body)
          : { sha256, bytes: await countBody(answer.body) };
      const seconds = (performance.now() - started) / 1000;
      if (answer.status !== 200 || received.sha256 !== sha256 || received.bytes !== LARGE)
        throw new Error(`${chain.name}: ${String(answer.status)}, wrong bytes`);
      best[index] = Math.max(best[index] ?? 0, received.bytes / 2 ** 20 / seconds);
    }
  }
  return best;
}

async function benchStore(kind: StoreKind, tls: boolean): Promise<string[][]> {
  const small = itemKey('small file.txt');
  const large = itemKey('large file.bin');
  const chains = await startMediaChains(
    kind,
    [
      { key: small, readers: [SESSION] },
      { key: large, readers: [SESSION] },
    ],
    { tls },
  );
  const label = `${kind}${tls ? ', TLS at the edges' : ''}`;
  try {
    await putObject(chains.store, small, randomBytes(4096));
    const sha256 = await putLargeObject(chains.store, large, LARGE);
    const paths = { small: mediaPath(small), large: mediaPath(large) };
    const runs = [
      ['direct S3', directChain(chains)],
      ['Traefik chain', chains.traefik],
      ['nginx chain', chains.nginx],
    ] as const;
    const order = runs.map(([, chain]) => chain);
    const latency = await latencies(order, paths.small);
    const mib = await throughputs(order, paths.large, sha256);
    const results = runs.map(([name], index) => ({
      name,
      p50: latency[index]?.p50 ?? Number.NaN,
      p99: latency[index]?.p99 ?? Number.NaN,
      mib: mib[index] ?? Number.NaN,
    }));
    for (const { name, p50, p99, mib: rate } of results)
      process.stdout.write(
        `${label} ${name}: p50 ${p50.toFixed(2)} ms, p99 ${p99.toFixed(2)} ms, ${rate.toFixed(0)} MiB/s\n`,
      );
    const [direct, traefik, nginx] = results;
    if (!direct || !traefik || !nginx) throw new Error('missing results');
    return [
      [
        `${label}: latency p50 / p99, 4 KiB (${String(ROUNDS)} requests)`,
        `direct ${direct.p50.toFixed(2)} / ${direct.p99.toFixed(2)} ms; Traefik ${traefik.p50.toFixed(2)} / ${traefik.p99.toFixed(2)} ms; nginx ${nginx.p50.toFixed(2)} / ${nginx.p99.toFixed(2)} ms`,
        `Traefik p50 = ${(traefik.p50 / nginx.p50).toFixed(2)}× nginx (goal ≤ 1.2×)`,
      ],
      [
        `${label}: 1 GiB download throughput`,
        `direct ${direct.mib.toFixed(0)} MiB/s; Traefik ${traefik.mib.toFixed(0)} MiB/s; nginx ${nginx.mib.toFixed(0)} MiB/s`,
        `Traefik ${((traefik.mib / direct.mib) * 100).toFixed(0)} %, nginx ${((nginx.mib / direct.mib) * 100).toFixed(0)} % of direct (goal ≥ 90 %)`,
      ],
    ];
  } finally {
    await chains.stop();
  }
}

const rows: string[][] = [];
for (const tls of [false, true])
  for (const kind of ['rgw', 'seaweedfs'] as const) rows.push(...(await benchStore(kind, tls)));
process.stdout.write(
  `\n| Benchmark | Result | Against the goal |\n|---|---|---|\n${rows
    .map((row) => `| ${row.join(' | ')} |`)
    .join('\n')}\n`,
);
