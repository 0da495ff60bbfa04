// A Compose network emulated for tests: the services of a rendered Compose project run with their
// configuration files unchanged, as if in their containers, inside new network and mount
// namespaces (compose-namespace-agent.mjs). Service names resolve to loopback addresses of the
// namespace only, so nothing can leave the machine; the container file system is the host's with
// overlays, so nothing written inside reaches the host outside the shared trees (/tmp, /root,
// /work, /home). Services that cannot run here are loopback servers of the test, bridged in.
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, openSync, readFileSync, readlinkSync, readdirSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { connect, createServer, type Socket } from 'node:net';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import type { ConnectionOptions } from 'node:tls';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent } from 'undici';
import { MissingPrerequisiteError, systemBinary } from './binaries.js';
import { isAlive, removeServerDirectory, serverDirectory, stopProcessGroup } from './processes.js';

const AGENT_SCRIPT = join(dirname(fileURLToPath(import.meta.url)), 'compose-namespace-agent.mjs');
/** Docker's embedded DNS address, which the agent serves; never given to a service. */
const DNS_ADDRESS = '127.0.0.11';
// sockaddr_un holds 108 bytes with the final NUL.
const MAX_SOCKET_PATH = 107;

export type FileContent = string | Uint8Array | { content: string | Uint8Array; mode?: number };

export interface OutsidePort {
  /** The port the service listens on inside, as in the Compose file. */
  port: number;
  /** A server of the test, on loopback of the host. */
  target: { host: string; port: number };
}

export interface ComposeService {
  name: string;
  /** Like Compose network aliases: more names for the same address. */
  aliases?: string[];
  /** Present for a service that runs outside, as a server of the test. */
  outside?: OutsidePort[];
}

export interface ComposeMount {
  /** The container path. */
  target: string;
  /** A host file or directory. */
  source: string;
  readOnly?: boolean;
  /** Overlays a source directory: the service may write, the host directory stays unchanged. */
  overlay?: boolean;
}

export interface ComposeNamespaceSpec {
  services: ComposeService[];
  /** Container path → content, written after the mounts are made. */
  files?: Record<string, FileContent>;
  mounts?: ComposeMount[];
  /** Ports inside the namespace the test reaches through socketPath() and dispatcher(). */
  expose?: { service: string; port: number }[];
  /** Between SIGTERM and SIGKILL on stop(); 5 s when not given. */
  stopGraceMs?: number;
}

export interface ContainerProcess {
  argv: string[];
  /** The whole environment, as a container gets it; PATH and HOME have defaults. */
  env?: Record<string, string>;
  /** Inside the emulated root; / when not given. */
  cwd?: string;
  uid?: number;
  gid?: number;
}

export interface ExecOptions extends ContainerProcess {
  input?: string;
  /** The command is killed (SIGKILL to its group) after this long. */
  timeoutMs?: number;
}

export interface ExecResult {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

export interface SpawnedService {
  /** A host PID: the PID namespace is the host's. */
  pid: number;
  logFile: string;
  exited: Promise<number | null>;
}

export interface ComposeNamespace {
  directory: string;
  /** The `unshare` process, which became the agent. */
  agentPid: number;
  address(service: string): string;
  spawn(service: string, process: ContainerProcess): Promise<SpawnedService>;
  exec(options: ExecOptions): Promise<ExecResult>;
  waitTcp(service: string, port: number, timeoutMs?: number): Promise<void>;
  /** The exit code of the service's latest process (null when a signal ended it). */
  exited(service: string): Promise<number | null>;
  kill(service: string, signal?: NodeJS.Signals): Promise<void>;
  /** Everything the service's processes wrote to stdout and stderr. */
  logs(service: string): string;
  socketPath(service: string, port: number): string;
  dispatcher(service: string, port: number, tls?: ConnectionOptions): Agent;
  stop(): Promise<void>;
}

interface AgentMessage {
  id?: number;
  ok?: boolean;
  result?: unknown;
  error?: string;
  event?: 'ready' | 'fatal' | 'exit';
  message?: string;
  pid?: number;
  code?: number | null;
}

const NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

function checkPrerequisites(): Record<'unshare' | 'ip' | 'chroot' | 'mount', string> {
  if (process.getuid?.() !== 0) {
    throw new MissingPrerequisiteError(
      'the Compose tests run services in mount and network namespaces: run them as root (unshare needs CAP_SYS_ADMIN)',
    );
  }
  return {
    unshare: systemBinary('unshare', 'apt-get install -y util-linux'),
    ip: systemBinary('ip', 'apt-get install -y iproute2'),
    chroot: systemBinary('chroot', 'apt-get install -y coreutils'),
    mount: systemBinary('mount', 'apt-get install -y mount'),
  };
}

/** 127.0.0.2, 127.0.0.3, …, in the order of the spec, skipping the DNS address. */
function assignAddresses(services: ComposeService[]): Map<string, string> {
  const addresses = new Map<string, string>();
  const names = new Set(['localhost']);
  let next = 2;
  for (const service of services) {
    for (const name of [service.name, ...(service.aliases ?? [])]) {
      if (!NAME.test(name)) throw new Error(`bad service name or alias ${name}`);
      if (names.has(name)) throw new Error(`${name} names two services`);
      names.add(name);
    }
    if (`127.0.0.${String(next)}` === DNS_ADDRESS) next += 1;
    if (next > 254) throw new Error('too many services');
    addresses.set(service.name, `127.0.0.${String(next)}`);
    next += 1;
  }
  return addresses;
}

function fileEntry(path: string, content: FileContent) {
  if (!path.startsWith('/')) throw new Error(`file path ${path} is not absolute`);
  const { data, mode } =
    typeof content === 'string' || content instanceof Uint8Array
      ? { data: content, mode: 0o644 }
      : { data: content.content, mode: content.mode ?? 0o644 };
  return { path, base64: Buffer.from(data).toString('base64'), mode };
}

function splice(a: Socket, b: Socket): void {
  for (const socket of [a, b]) {
    socket.on('error', () => {
      a.destroy();
      b.destroy();
    });
  }
  // pipe() ends the other side when one side ends, which carries a half-close through.
  a.pipe(b);
  b.pipe(a);
}

interface Closable {
  close(): Promise<void>;
}

/** The host half of an outside bridge: the agent's connections → the test's loopback server. */
async function listenOutside(path: string, target: OutsidePort['target']): Promise<Closable> {
  const connections = new Set<Socket>();
  const server = createServer({ allowHalfOpen: true }, (socket) => {
    const upstream = connect({ host: target.host, port: target.port, allowHalfOpen: true });
    for (const each of [socket, upstream]) {
      connections.add(each);
      each.on('close', () => connections.delete(each));
    }
    splice(socket, upstream);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, resolve);
  });
  return {
    close: () =>
      new Promise((resolve) => {
        server.close(() => {
          resolve();
        });
        // close() alone would wait for the open connections.
        for (const socket of connections) socket.destroy();
      }),
  };
}

/** Processes of the host that are in the given network namespace. */
function membersOf(netns: string): number[] {
  return readdirSync('/proc')
    .map(Number)
    .filter((pid) => {
      if (!Number.isInteger(pid)) return false;
      try {
        return readlinkSync(`/proc/${String(pid)}/ns/net`) === netns;
      } catch {
        return false;
      }
    });
}

function tail(file: string, lines = 25): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

interface AgentProcess {
  pid: number;
  /** The agent's network namespace, as /proc/PID/ns/net names it. */
  netns: string;
  request: (op: string, fields: object) => Promise<unknown>;
  /** Ends the agent's stdin: it stops everything it started and exits. */
  end: () => void;
}

async function startAgent(
  unshare: string,
  specFile: string,
  logFile: string,
  onExit: (pid: number, code: number | null) => void,
): Promise<AgentProcess> {
  const child = spawn(
    unshare,
    [
      '--net',
      '--mount',
      '--propagation',
      'private',
      '--',
      process.execPath,
      AGENT_SCRIPT,
      specFile,
    ],
    { detached: true, stdio: ['pipe', 'pipe', openSync(logFile, 'a')] },
  );
  const { stdin, stdout } = child;
  if (!stdin || !stdout) throw new Error('the agent has no stdin or stdout');
  // A dead agent breaks the pipe; its exit, handled below, says why.
  stdin.on('error', () => undefined);
  const pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  let gone: Error | undefined;
  let nextId = 1;
  const ready = new Promise<void>((resolve, reject) => {
    const fail = (reason: string) => {
      gone ??= new Error(
        `the compose namespace agent ${reason}; agent log tail:\n${tail(logFile)}`,
      );
      reject(gone);
      for (const waiting of pending.values()) waiting.reject(gone);
      pending.clear();
    };
    child.on('exit', (code) => {
      fail(`exited with code ${String(code)}`);
    });
    child.on('error', (error) => {
      fail(`could not start: ${error.message}`);
    });
    createInterface({ input: stdout }).on('line', (line) => {
      const message = JSON.parse(line) as AgentMessage;
      if (message.event === 'ready') resolve();
      else if (message.event === 'fatal') fail(`failed: ${message.message ?? ''}`);
      else if (message.event === 'exit' && message.pid !== undefined) {
        const { pid, code } = message;
        // A quick exit can come in the same chunk as the spawn answer: let its caller see the
        // answer, and wait for the exit, first.
        setImmediate(() => {
          onExit(pid, code ?? null);
        });
      } else if (message.id !== undefined) {
        const waiting = pending.get(message.id);
        pending.delete(message.id);
        if (message.ok) waiting?.resolve(message.result);
        else waiting?.reject(new Error(message.error ?? 'the agent failed'));
      }
    });
  });
  const end = () => {
    stdin.end();
  };
  const pid = child.pid ?? 0;
  try {
    await ready;
  } catch (error) {
    end();
    if (pid) await stopProcessGroup(pid, 2000);
    throw error;
  }
  return {
    pid,
    netns: readlinkSync(`/proc/${String(pid)}/ns/net`),
    request: (op, fields) => {
      if (gone) return Promise.reject(gone);
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        stdin.write(`${JSON.stringify({ ...fields, id, op })}\n`);
      });
    },
    end,
  };
}

export async function startComposeNamespace(spec: ComposeNamespaceSpec): Promise<ComposeNamespace> {
  const tools = checkPrerequisites();
  const addresses = assignAddresses(spec.services);
  const address = (service: string): string => {
    const found = addresses.get(service);
    if (found === undefined) throw new Error(`no service ${service} in this namespace`);
    return found;
  };
  const graceMs = spec.stopGraceMs ?? 5000;
  const directory = await serverDirectory('compose-ns');
  // Services running as another user still reach what the work directory holds for them.
  chmodSync(directory, 0o755);
  const [root, layers, logs, sockets] = ['root', 'layers', 'logs', 'sockets'].map((name) => {
    const path = join(directory, name);
    mkdirSync(path);
    return path;
  }) as [string, string, string, string];
  const socketFile = (kind: 'in' | 'out', service: string, port: number): string => {
    const path = join(sockets, `${kind}-${service}-${String(port)}.sock`);
    if (path.length > MAX_SOCKET_PATH) {
      throw new Error(
        `unix socket path too long (${path}): set LASUITE_TESTBED_TMP to a shorter one`,
      );
    }
    return path;
  };
  const outside = spec.services.flatMap((service) =>
    (service.outside ?? []).map((bridge) => ({
      address: address(service.name),
      port: bridge.port,
      socket: socketFile('out', service.name, bridge.port),
      target: bridge.target,
    })),
  );
  const expose = (spec.expose ?? []).map((entry) => ({
    service: entry.service,
    address: address(entry.service),
    port: entry.port,
    socket: socketFile('in', entry.service, entry.port),
  }));
  const bridges: Closable[] = [];
  const dispatchers: Agent[] = [];
  const spawned = new Map<string, SpawnedService>();
  const exitResolvers = new Map<number, (code: number | null) => void>();
  let agent: AgentProcess | undefined;

  const cleanUp = async () => {
    if (agent) {
      agent.end();
      const deadline = Date.now() + graceMs + 5000;
      while (isAlive(agent.pid) && Date.now() < deadline) await sleep(25);
      await stopProcessGroup(agent.pid, 1000);
      // Only when the agent died before it could: what is left in its namespace.
      for (const pid of membersOf(agent.netns)) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // Gone meanwhile.
        }
      }
    }
    await Promise.all(dispatchers.map((dispatcher) => dispatcher.destroy()));
    await Promise.all(bridges.map((bridge) => bridge.close()));
    await removeServerDirectory(directory);
  };

  try {
    for (const bridge of outside) bridges.push(await listenOutside(bridge.socket, bridge.target));
    const specFile = join(directory, 'spec.json');
    await writeFile(
      specFile,
      JSON.stringify({
        directory,
        root,
        layers,
        logs,
        tools,
        graceMs,
        hosts: spec.services.map((service) => ({
          address: address(service.name),
          names: [service.name, ...(service.aliases ?? [])],
        })),
        outside: outside.map((bridge) => ({ ...bridge, target: undefined })),
        expose,
        files: Object.entries(spec.files ?? {}).map(([path, content]) => fileEntry(path, content)),
        mounts: spec.mounts ?? [],
      }),
      { mode: 0o600 },
    );
    agent = await startAgent(tools.unshare, specFile, join(directory, 'agent.log'), (pid, code) => {
      exitResolvers.get(pid)?.(code);
      exitResolvers.delete(pid);
    });
  } catch (error) {
    await cleanUp();
    throw error;
  }
  const { pid: agentPid, request } = agent;

  const socketPath = (service: string, port: number): string => {
    const entry = expose.find((each) => each.service === service && each.port === port);
    if (!entry) throw new Error(`${service}:${String(port)} is not in the spec's expose list`);
    return entry.socket;
  };
  const logFile = (service: string) => join(logs, `${service}.log`);
  let stopping: Promise<void> | undefined;

  return {
    directory,
    agentPid,
    address,
    async spawn(service, containerProcess) {
      address(service);
      const { pid } = (await request('spawn', { ...containerProcess, service })) as { pid: number };
      const exited = new Promise<number | null>((resolve) => exitResolvers.set(pid, resolve));
      const started = { pid, logFile: logFile(service), exited };
      spawned.set(service, started);
      return started;
    },
    async exec(options) {
      return (await request('exec', options)) as ExecResult;
    },
    async waitTcp(service, port, timeoutMs) {
      try {
        await request('waitTcp', { service, host: address(service), port, timeoutMs });
      } catch (error) {
        const log = spawned.has(service) ? `; log tail:\n${tail(logFile(service))}` : '';
        throw new Error(`${service}:${String(port)} did not accept: ${String(error)}${log}`, {
          cause: error,
        });
      }
    },
    exited(service) {
      const started = spawned.get(service);
      if (!started) throw new Error(`${service} was never spawned`);
      return started.exited;
    },
    async kill(service, signal = 'SIGTERM') {
      await request('kill', { service, signal });
    },
    logs(service) {
      try {
        return readFileSync(logFile(service), 'utf8');
      } catch {
        return '';
      }
    },
    socketPath,
    dispatcher(service, port, tls = {}) {
      const dispatcher = new Agent({ connect: { ...tls, socketPath: socketPath(service, port) } });
      dispatchers.push(dispatcher);
      return dispatcher;
    },
    stop() {
      stopping ??= cleanUp();
      return stopping;
    },
  };
}
