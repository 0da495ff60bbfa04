// A rendered Compose project, run for real where it can be: `lasuitectl compose` writes the
// project, compose-go (the loader `docker compose` uses) loads it with its .env, and the namespace
// harness runs the chosen services with the rendered commands, environment, files and volumes, at
// their container paths, under their service names. Services that cannot run here (Drive itself,
// Collabora) are loopback servers of the test bridged in under their names.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { Agent as HttpAgent } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { S3Client } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import {
  loadComposeProject,
  type ComposeProjectJson,
  type ComposeServiceJson,
} from '../testbed/compose-config.js';
import {
  startComposeNamespace,
  type ComposeMount,
  type ComposeNamespace,
  type ExecResult,
  type FileContent,
  type OutsidePort,
  type SpawnedService,
} from '../testbed/compose-namespace.js';
import { selfSignedCertificate } from './certificates.js';
import { emulateImage } from './compose-images.js';
import { lasuitectl } from './lasuitectl.js';

export interface ComposeFixture {
  /** The output directory of `lasuitectl compose`. */
  directory: string;
  /** The .env values the project was loaded with. */
  env: Record<string, string>;
  /** What `lasuitectl compose` printed. */
  output: string;
  load(composeFile?: string): Promise<ComposeProjectJson>;
  remove(): Promise<void>;
}

export interface FixtureOptions {
  /** .env values to set before loading (e.g. keys of a store the test runs). */
  env?: Record<string, string>;
  /** Write a certificate for the project's public hosts where the ComposeProject expects one. */
  certificate?: boolean;
}

function parseEnv(text: string): Record<string, string> {
  return Object.fromEntries(
    text
      .split('\n')
      .map((line) => /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line))
      .filter((match): match is RegExpExecArray => match !== null)
      .map((match) => [match[1] ?? '', match[2] ?? '']),
  );
}

/** Renders resources (paths, or file name → YAML text) with lasuitectl compose. */
export async function composeFixture(
  resources: readonly string[] | Record<string, string>,
  options: FixtureOptions = {},
): Promise<ComposeFixture> {
  const work = await mkdtemp(join(tmpdir(), 'lasuite-compose-'));
  const directory = join(work, 'project');
  let paths: string[];
  if (Array.isArray(resources)) paths = [...resources];
  else {
    const input = join(work, 'resources');
    await mkdir(input);
    for (const [name, text] of Object.entries(resources)) await writeFile(join(input, name), text);
    paths = [input];
  }
  const {
    code,
    stdout: output,
    stderr,
  } = await lasuitectl('compose', ...paths, '-o', directory, '--offline');
  if (code !== 0) throw new Error(`lasuitectl compose failed (${String(code)}):\n${stderr}`);
  const envPath = join(directory, '.env');
  const env = parseEnv(await readFile(envPath, 'utf8'));
  for (const [name, value] of Object.entries(env))
    if (value === '') env[name] = `test-${name.toLowerCase()}`;
  Object.assign(env, options.env);
  // Written back so compose-go and the test read the same values.
  await writeFile(
    envPath,
    Object.entries(env)
      .map(([name, value]) => `${name}=${value}`)
      .join('\n'),
  );
  if (options.certificate) {
    const hosts = (await readFile(join(directory, 'compose/hosts'), 'utf8')).split('\n');
    const certificates = join(directory, 'certs');
    await mkdir(certificates, { recursive: true });
    await selfSignedCertificate(hosts.filter(Boolean), certificates);
  }
  return {
    directory,
    env,
    output,
    load: (composeFile = 'compose.yaml') =>
      loadComposeProject({ files: [join(directory, composeFile)], projectDirectory: directory }),
    remove: () => rm(work, { recursive: true, force: true }),
  };
}

export interface RunOptions {
  /** Services run inside, from their images (test-support/compose-images.ts). */
  inside: string[];
  /** Services that are servers of the test, by the ports the project reaches them on. */
  outside?: Record<string, OutsidePort[]>;
  expose?: { service: string; port: number }[];
  /** Host directories that stand for named volumes; a temporary one when not given. */
  volumes?: Record<string, string>;
}

export interface RunningProject {
  namespace: ComposeNamespace;
  project: ComposeProjectJson;
  /** Host directory of each named volume the inside services use. */
  volumes: Record<string, string>;
  /** Starts a long-running service as its container would. */
  start(service: string): Promise<SpawnedService>;
  /** Runs a one-shot service to its end; rejects with its output when it fails. */
  runOnce(service: string): Promise<string>;
  /** Runs a one-shot service to its end, whatever its exit code. */
  runToEnd(service: string): Promise<ExecResult>;
  /** Runs the service's rendered healthcheck once, as Docker runs it in the container. */
  healthcheck(service: string): Promise<ExecResult>;
  stop(): Promise<void>;
}

/** A duration as compose-go writes one ("5s", "1m30s", "500ms"). */
function goDurationMs(text: string): number {
  const units: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1 };
  let total = 0;
  for (const [, amount = '0', unit = ''] of text.matchAll(/([0-9.]+)(h|ms|m|s)/g))
    total += Number(amount) * (units[unit] ?? 0);
  return total;
}

function serviceOf(project: ComposeProjectJson, name: string): ComposeServiceJson {
  const service = project.services[name];
  if (!service) throw new Error(`the project has no service ${name}`);
  return service;
}

function aliasesOf(service: ComposeServiceJson): string[] {
  const networks = (service.networks ?? {}) as Record<string, { aliases?: string[] } | null>;
  return Object.values(networks).flatMap((network) => network?.aliases ?? []);
}

export async function runComposeServices(
  project: ComposeProjectJson,
  options: RunOptions,
): Promise<RunningProject> {
  const volumesRoot = await mkdtemp(join(tmpdir(), 'lasuite-volumes-'));
  const volumes: Record<string, string> = { ...options.volumes };
  const mounts: ComposeMount[] = [];
  const files: Record<string, FileContent> = {};
  const targets = new Map<string, string>();
  const mount = (entry: ComposeMount) => {
    const previous = targets.get(entry.target);
    if (previous !== undefined && previous !== entry.source)
      throw new Error(`two inside services mount different sources at ${entry.target}`);
    if (previous === undefined) mounts.push(entry);
    targets.set(entry.target, entry.source);
  };
  const images = new Map(
    options.inside.map((name) => [name, emulateImage(name, serviceOf(project, name))]),
  );
  for (const name of options.inside) {
    const service = serviceOf(project, name);
    const image = images.get(name);
    for (const entry of image?.mounts ?? []) mount(entry);
    Object.assign(files, image?.files);
    for (const volume of service.volumes ?? []) {
      if (volume.type === 'bind' && volume.source !== undefined && isAbsolute(volume.source)) {
        mount({
          target: volume.target,
          source: volume.source,
          readOnly: volume.read_only === true,
        });
      } else if (volume.type === 'volume' && volume.source !== undefined) {
        const source = (volumes[volume.source] ??= join(volumesRoot, volume.source));
        await mkdir(source, { recursive: true });
        mount({ target: volume.target, source, readOnly: volume.read_only === true });
      }
    }
  }
  // Outside names the project does not run stand for hosts it reaches (an external store).
  const external = Object.keys(options.outside ?? {}).filter((name) => !(name in project.services));
  const namespace = await startComposeNamespace({
    services: [
      ...Object.entries(project.services).map(([name, service]) => ({
        name,
        aliases: aliasesOf(service),
        ...(options.outside?.[name] ? { outside: options.outside[name] } : {}),
      })),
      ...external.map((name) => ({ name, outside: options.outside?.[name] ?? [] })),
    ],
    mounts,
    files,
    ...(options.expose ? { expose: options.expose } : {}),
    stopGraceMs: 3000,
  });
  const processOf = (name: string) => {
    const service = serviceOf(project, name);
    const image = images.get(name);
    if (!image) throw new Error(`service ${name} is not among the inside services`);
    const environment = Object.fromEntries(
      Object.entries(service.environment ?? {}).filter(
        (entry): entry is [string, string] => entry[1] !== null,
      ),
    );
    return {
      argv: image.argv,
      env: { ...image.env, ...environment },
      ...(image.cwd === undefined ? {} : { cwd: image.cwd }),
      ...(image.user === undefined ? {} : { uid: image.user.uid, gid: image.user.gid }),
    };
  };
  return {
    namespace,
    project,
    volumes,
    start: (name) => namespace.spawn(name, processOf(name)),
    runToEnd: (name) => namespace.exec({ ...processOf(name), timeoutMs: 180_000 }),
    healthcheck: (name) => {
      const check = serviceOf(project, name).healthcheck;
      const [kind, ...test] = check?.test ?? [];
      // CMD is an argv; CMD-SHELL a command for the image's /bin/sh.
      let argv: string[];
      if (kind === 'CMD') argv = test;
      else if (kind === 'CMD-SHELL') argv = ['/bin/sh', '-c', test.join(' ')];
      else throw new Error(`service ${name} has no healthcheck to run (test: ${String(kind)})`);
      // Docker's default timeout is 30 s.
      const timeoutMs = check?.timeout === undefined ? 30_000 : goDurationMs(check.timeout);
      return namespace.exec({ ...processOf(name), argv, timeoutMs });
    },
    runOnce: async (name) => {
      const result = await namespace.exec({ ...processOf(name), timeoutMs: 180_000 });
      if (result.code !== 0)
        throw new Error(
          `one-shot service ${name} exited with ${String(result.code)}:\n${result.stdout}\n${result.stderr}`,
        );
      return result.stdout;
    },
    stop: async () => {
      await namespace.stop();
      await rm(volumesRoot, { recursive: true, force: true });
    },
  };
}

/** Until the rendered healthcheck passes, as Docker's service_healthy waits. */
export async function waitHealthy(
  running: RunningProject,
  service: string,
  timeoutMs: number,
): Promise<void> {
  let exited: number | null | undefined;
  void running.namespace.exited(service).then((code) => (exited = code));
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline && exited === undefined) {
    const result = await running.healthcheck(service);
    if (result.code === 0) return;
    last = `${result.stdout}${result.stderr}`;
    await sleep(200);
  }
  const why =
    exited === undefined ? `is not healthy (last check: ${last})` : `exited (${String(exited)})`;
  throw new Error(`${service} ${why}; log:\n${running.namespace.logs(service).slice(-3000)}`);
}

/**
 * An S3 client for a store inside the namespace, as a service of the project reaches it: the
 * signed Host is `<service>:<port>`, the connection goes through the exposed socket.
 */
export function s3ClientInside(
  namespace: ComposeNamespace,
  service: string,
  port: number,
  credentials: { accessKeyId: string; secretAccessKey: string },
): S3Client {
  const socketPath = namespace.socketPath(service, port);
  const httpAgent = Object.assign(new HttpAgent({ keepAlive: true }), {
    createConnection: () => connect(socketPath),
  });
  return new S3Client({
    endpoint: `http://${service}:${String(port)}`,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    requestHandler: new NodeHttpHandler({ httpAgent }),
  });
}
