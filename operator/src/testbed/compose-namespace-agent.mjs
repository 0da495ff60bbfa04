// The inside half of compose-namespace.ts, started as
//   unshare --net --mount --propagation private -- node compose-namespace-agent.mjs SPEC.json
// It builds the emulated container root, bridges TCP ports to unix sockets in the work directory,
// answers DNS at 127.0.0.11 and starts processes on request. Requests come as JSON lines on
// stdin; answers ({ id, ok, result | error }) and events ({ event }) go as JSON lines to stdout.
// Plain JavaScript without dependencies: vitest runs the TypeScript side through vite, and this
// runs under the bare `node` of the test process.
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, openSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { DNS_ADDRESS, startDns } from './compose-namespace-dns.mjs';
import { applyMounts, buildRoot, writeFiles } from './compose-namespace-root.mjs';

const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

const spec = JSON.parse(readFileSync(process.argv[2], 'utf8'));
/** The latest process started for each service. */
const services = new Map();
const servers = [];
const connections = new Set();
/** Process groups of everything started, spawned or executed. */
const groups = new Set();
let dns;

function send(message) {
  process.stdout.write(`${JSON.stringify(message)}\n`);
}

function splice(a, b) {
  for (const socket of [a, b]) {
    connections.add(socket);
    socket.on('close', () => connections.delete(socket));
    socket.on('error', () => {
      a.destroy();
      b.destroy();
    });
  }
  // pipe() ends the other side when one side ends, which carries a half-close through.
  a.pipe(b);
  b.pipe(a);
}

function listen(server, ...where) {
  servers.push(server);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(...where, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function systemFiles() {
  const hosts = [
    '127.0.0.1\tlocalhost',
    '::1\tlocalhost ip6-localhost ip6-loopback',
    ...spec.hosts.map((entry) => `${entry.address}\t${entry.names.join(' ')}`),
  ];
  const text = (content) => ({ base64: Buffer.from(content).toString('base64'), mode: 0o644 });
  return [
    { path: '/etc/hosts', ...text(`${hosts.join('\n')}\n`) },
    { path: '/etc/resolv.conf', ...text(`nameserver ${DNS_ADDRESS}\noptions ndots:0\n`) },
  ];
}

async function setUp() {
  // The whole of 127.0.0.0/8 answers on lo already, but getaddrinfo's AI_ADDRCONFIG (nginx's,
  // and glibc's default without hints) looks for an IPv4 address other than 127.0.0.1 before it
  // returns any IPv4 result: so each address is assigned too, as a container has its own.
  const addresses = [...spec.hosts.map((entry) => entry.address), DNS_ADDRESS];
  const commands = [
    'link set lo up',
    ...addresses.map((address) => `address add ${address}/32 dev lo`),
  ];
  execFileSync(spec.tools.ip, ['-batch', '-'], { input: `${commands.join('\n')}\n` });
  buildRoot(spec);
  applyMounts(spec, spec.mounts);
  // The caller's files come last so that they may replace /etc/hosts or /etc/resolv.conf.
  writeFiles(spec.root, [...systemFiles(), ...spec.files]);
  for (const bridge of spec.outside) {
    const server = createServer({ allowHalfOpen: true }, (socket) => {
      splice(socket, connect({ path: bridge.socket, allowHalfOpen: true }));
    });
    await listen(server, bridge.port, bridge.address);
  }
  for (const bridge of spec.expose) {
    const server = createServer({ allowHalfOpen: true }, (socket) => {
      splice(socket, connect({ host: bridge.address, port: bridge.port, allowHalfOpen: true }));
    });
    await listen(server, bridge.socket);
  }
  const names = new Map([['localhost', '127.0.0.1']]);
  for (const entry of spec.hosts) for (const name of entry.names) names.set(name, entry.address);
  dns = await startDns(names);
}

/** `chroot ROOT env -i -C CWD KEY=VALUE... ARGV...`: a container's clean start. */
function command(request) {
  if (!Array.isArray(request.argv) || request.argv.length === 0) throw new Error('argv is empty');
  // env(1) would take a first word with "=" for one more variable.
  if (request.argv[0].includes('='))
    throw new Error(`argv[0] may not contain "=": ${request.argv[0]}`);
  const user = request.uid ?? 0;
  const group = request.gid ?? request.uid ?? 0;
  const environment = { PATH: DEFAULT_PATH, HOME: user === 0 ? '/root' : '/', ...request.env };
  const assignments = Object.entries(environment).map(([key, value]) => {
    if (!key || key.includes('=')) throw new Error(`bad environment variable name ${key}`);
    return `${key}=${value}`;
  });
  const userSpec =
    request.uid === undefined && request.gid === undefined
      ? []
      : [`--userspec=${String(user)}:${String(group)}`, `--groups=${String(group)}`];
  return [
    ...userSpec,
    spec.root,
    '/usr/bin/env',
    '-i',
    '-C',
    request.cwd ?? '/',
    ...assignments,
    ...request.argv,
  ];
}

function startService(request) {
  if (!spec.hosts.some((entry) => entry.names[0] === request.service))
    throw new Error(`unknown service ${request.service}`);
  const logFile = join(spec.logs, `${request.service}.log`);
  const log = openSync(logFile, 'a');
  // Its own process group, so that kill and shutdown reach the processes it starts too.
  const child = spawn(spec.tools.chroot, command(request), {
    detached: true,
    stdio: ['ignore', log, log],
  });
  closeSync(log);
  groups.add(child.pid);
  const record = { pid: child.pid, running: true, code: undefined };
  services.set(request.service, record);
  const exited = (code, signal) => {
    if (!record.running) return;
    record.running = false;
    record.code = code;
    send({ event: 'exit', service: request.service, pid: child.pid, code, signal });
  };
  child.on('exit', exited);
  child.on('error', () => exited(null, null));
  return { pid: child.pid, logFile };
}

let executions = 0;

/**
 * Output goes to files, not to Node's stdio sockets: a program may open /dev/stdout or
 * /dev/stderr (nginx's error_log does), which works for files and pipes, as in a container, but
 * fails with ENXIO for a socket.
 */
function execute(request) {
  executions += 1;
  const outFile = join(spec.logs, `exec-${String(executions)}.out`);
  const errFile = join(spec.logs, `exec-${String(executions)}.err`);
  const out = openSync(outFile, 'w');
  const err = openSync(errFile, 'w');
  return new Promise((resolve) => {
    const child = spawn(spec.tools.chroot, command(request), {
      detached: true,
      stdio: [request.input === undefined ? 'ignore' : 'pipe', out, err],
    });
    closeSync(out);
    closeSync(err);
    groups.add(child.pid);
    if (request.input !== undefined) child.stdin.end(request.input);
    let timedOut = false;
    const timer =
      request.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            sendSignal(-child.pid, 'SIGKILL');
          }, request.timeoutMs);
    const collect = () => {
      const read = (file) => {
        const text = readFileSync(file, 'utf8');
        rmSync(file, { force: true });
        return text;
      };
      return { stdout: read(outFile), stderr: read(errFile) };
    };
    child.on('error', (error) => {
      clearTimeout(timer);
      const { stdout, stderr } = collect();
      resolve({ code: null, signal: null, stdout, stderr: `${stderr}${String(error)}`, timedOut });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, ...collect(), timedOut });
    });
  });
}

function tcpAccepts(host, port) {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.on('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}

async function waitTcp(request) {
  const deadline = Date.now() + (request.timeoutMs ?? 60_000);
  const record = request.service === undefined ? undefined : services.get(request.service);
  while (Date.now() < deadline) {
    if (await tcpAccepts(request.host, request.port)) return {};
    if (record && !record.running)
      throw new Error(`${request.service} exited with code ${String(record.code)}`);
    await sleep(50);
  }
  throw new Error(`nothing accepted on ${request.host}:${String(request.port)} (timed out)`);
}

/**
 * Every process in this network namespace but the agent, with its process group: daemons that
 * left their group included, and never a host process that reused the id of a finished one.
 */
function namespaceMembers() {
  const own = readlinkSync('/proc/self/ns/net');
  const members = [];
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    try {
      if (readlinkSync(`/proc/${name}/ns/net`) !== own) continue;
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // "pid (comm) state ppid pgrp ...", where comm may hold spaces and parentheses.
      const pgid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
      members.push({ pid, pgid });
    } catch {
      // Exited meanwhile, or a zombie.
    }
  }
  return members;
}

function sendSignal(pid, name) {
  try {
    process.kill(pid, name);
  } catch {
    // Already gone.
  }
}

/** Like a container stop: SIGTERM to what was started, SIGKILL to whatever is left after the grace. */
async function killAll(graceMs) {
  const started = () => namespaceMembers().filter((member) => groups.has(member.pgid));
  for (const member of started()) sendSignal(member.pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (started().length > 0 && Date.now() < deadline) await sleep(25);
  for (let left = namespaceMembers(); left.length > 0; left = namespaceMembers()) {
    for (const member of left) sendSignal(member.pid, 'SIGKILL');
    await sleep(10);
  }
}

let shuttingDown;
function shutdown(code) {
  shuttingDown ??= (async () => {
    for (const server of servers) server.close();
    for (const socket of connections) socket.destroy();
    dns?.close();
    await killAll(spec.graceMs);
    for (const bridge of spec.expose) rmSync(bridge.socket, { force: true });
    process.exit(code);
  })();
  return shuttingDown;
}

const operations = {
  spawn: startService,
  exec: execute,
  waitTcp,
  kill: (request) => {
    const record = services.get(request.service);
    if (!record?.running) throw new Error(`${request.service} is not running`);
    sendSignal(-record.pid, request.signal ?? 'SIGTERM');
    return {};
  },
};

async function handle(line) {
  let request;
  try {
    request = JSON.parse(line);
    if (request.op === 'shutdown') {
      await shutdown(0);
      return;
    }
    const operation = operations[request.op];
    if (!operation) throw new Error(`unknown operation ${String(request.op)}`);
    send({ id: request.id, ok: true, result: await operation(request) });
  } catch (error) {
    send({
      id: request?.id,
      ok: false,
      error: error instanceof Error ? error.message : String(error),
    });
  }
}

for (const name of ['SIGTERM', 'SIGINT', 'SIGHUP']) process.on(name, () => void shutdown(0));
// The test process holds the other ends of stdin and stdout: when it goes, so does everything here.
process.stdout.on('error', () => void shutdown(0));
const input = createInterface({ input: process.stdin });
input.on('close', () => void shutdown(0));

try {
  await setUp();
  input.on('line', (line) => void handle(line));
  send({ event: 'ready' });
} catch (error) {
  process.stderr.write(
    `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  send({ event: 'fatal', message: error instanceof Error ? error.message : String(error) });
  await shutdown(1);
}
