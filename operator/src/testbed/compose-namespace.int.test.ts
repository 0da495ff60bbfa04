import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { connect, createServer as createTcpServer, type Server as TcpServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import { startComposeNamespace, type ComposeNamespace } from './compose-namespace.js';
import { useServer } from './fixtures.js';
import { isAlive } from './processes.js';

const MIB = 1024 * 1024;
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/** What the outside HTTP server sends on /download, 64 KiB at a time. */
const download = randomBytes(20 * MIB);

async function listening<Server extends HttpServer | TcpServer>(server: Server) {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return {
    server,
    port: typeof address === 'object' && address ? address.port : 0,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
        if ('closeAllConnections' in server) server.closeAllConnections();
      }),
  };
}

/** Drive's backend stand-in: answers GET with its path, hashes POST bodies, streams /download. */
function startOutsideHttp() {
  const received: string[] = [];
  const server = createHttpServer((req, res) => {
    if (req.method === 'POST') {
      const hash = createHash('sha256');
      let length = 0;
      req.on('data', (chunk: Buffer) => {
        hash.update(chunk);
        length += chunk.length;
      });
      req.on('end', () => {
        received.push(hash.digest('hex'));
        res.end(`${String(length)} ${received.at(-1) ?? ''}`);
      });
    } else if (req.url === '/download') {
      res.setHeader('content-length', download.length);
      let offset = 0;
      const more = () => {
        while (offset < download.length) {
          const chunk = download.subarray(offset, offset + 64 * 1024);
          offset += chunk.length;
          if (!res.write(chunk)) {
            res.once('drain', more);
            return;
          }
        }
        res.end();
      };
      more();
    } else res.end(`outside saw ${req.url ?? ''} for ${req.headers.host ?? ''}`);
  });
  return listening(server).then((started) => ({ ...started, received }));
}

/** Echoes bytes as they come and half-closes once the peer has. */
function startOutsideEcho() {
  return listening(
    createTcpServer({ allowHalfOpen: true }, (socket) => {
      socket.pipe(socket);
    }),
  );
}

async function hostDirectory() {
  const path = await mkdtemp(join(tmpdir(), 'lasuite-ns-host-'));
  await writeFile(join(path, 'a.txt'), 'from the host\n');
  return { path, stop: () => rm(path, { recursive: true, force: true }) };
}

const SERVE_SITE = {
  argv: ['python3', '-m', 'http.server', '8080', '--bind', '0.0.0.0', '--directory', '/srv/site'],
};

const ECHO_SERVER = `
import socket, threading
server = socket.create_server(('0.0.0.0', 7000))
def serve(connection):
    while True:
        data = connection.recv(65536)
        if not data:
            break
        connection.sendall(data)
    connection.shutdown(socket.SHUT_WR)
    connection.close()
while True:
    connection, _ = server.accept()
    threading.Thread(target=serve, args=(connection,), daemon=True).start()
`;

// Each answer must come back before the next question goes out, which a bridge that buffers a
// whole stream would never allow; then 20 MiB each way, and the echo's tail after our half-close.
const ECHO_CLIENT = `
import hashlib, os, socket, threading
connection = socket.create_connection(('backend', 9000))
stream = connection.makefile('rb')
for i in range(50):
    connection.sendall(b'%d\\n' % i)
    assert stream.readline() == b'%d\\n' % i
data = os.urandom(20 << 20)
got = hashlib.sha256()
count = [0]
def read():
    while True:
        chunk = stream.read1(65536)
        if not chunk:
            break
        got.update(chunk)
        count[0] += len(chunk)
reader = threading.Thread(target=read)
reader.start()
connection.sendall(data)
connection.shutdown(socket.SHUT_WR)
reader.join()
print(hashlib.sha256(data).hexdigest(), got.hexdigest(), count[0])
`;

const HTTP_CLIENT = `
import hashlib, os, urllib.request
print(urllib.request.urlopen('http://backend:8000/x').read().decode())
data = os.urandom(20 << 20)
print(hashlib.sha256(data).hexdigest())
print(urllib.request.urlopen(urllib.request.Request('http://drive-backend:8000/upload', data=data, method='POST')).read().decode())
print(hashlib.sha256(urllib.request.urlopen('http://backend:8000/download').read()).hexdigest())
`;

const DNS_CLIENT = `
import socket, struct
def query(name, qtype=1):
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.settimeout(2)
    question = b''.join(bytes([len(label)]) + label.encode() for label in name.split('.'))
    udp.sendto(struct.pack('>HHHHHH', 0x1234, 0x0100, 1, 0, 0, 0) + question + b'\\0' + struct.pack('>HH', qtype, 1), ('127.0.0.11', 53))
    answer = udp.recv(512)
    count = struct.unpack('>H', answer[6:8])[0]
    return '%s:%d:%s' % (name, answer[3] & 15, socket.inet_ntoa(answer[-4:]) if count else '-')
print(query('www'), query('Backend'), query('nosuch'), query('backend', 28))
`;

function python(ns: ComposeNamespace, script: string) {
  return ns.exec({ argv: ['python3', '-c', script], timeoutMs: 60_000 });
}

/** The processes of the host that are in the network namespace named by /proc/PID/ns/net. */
function processesIn(netns: string): number[] {
  return readdirSync('/proc')
    .map(Number)
    .filter((pid) => {
      try {
        return Number.isInteger(pid) && readlinkSync(`/proc/${String(pid)}/ns/net`) === netns;
      } catch {
        return false;
      }
    });
}

describe('compose namespace (test bed)', () => {
  const outsideHttp = useServer(startOutsideHttp);
  const outsideEcho = useServer(startOutsideEcho);
  const shared = useServer(hostDirectory);
  const data = useServer(hostDirectory);
  const hostsBefore = readFileSync('/etc/hosts', 'utf8');
  const ns = useServer(() =>
    startComposeNamespace({
      services: [
        { name: 'web', aliases: ['www', 'site.internal'] },
        {
          name: 'backend',
          aliases: ['drive-backend'],
          outside: [
            { port: 8000, target: { host: '127.0.0.1', port: outsideHttp().port } },
            { port: 9000, target: { host: '127.0.0.1', port: outsideEcho().port } },
          ],
        },
        { name: 'echo' },
      ],
      files: {
        '/srv/site/index.html': '<h1>inside</h1>\n',
        '/srv/echo.py': ECHO_SERVER,
        '/certs/tls.key': { content: 'not a key\n', mode: 0o600 },
      },
      mounts: [
        { target: '/srv/readonly', source: shared().path, readOnly: true },
        { target: '/opt/keycloak', source: shared().path, overlay: true },
        { target: '/etc/nginx/certs/tls.crt', source: join(shared().path, 'a.txt') },
        { target: '/data', source: data().path },
      ],
      expose: [
        { service: 'web', port: 8080 },
        { service: 'echo', port: 7000 },
      ],
    }),
  );

  it('serves a file placed with `files` from a service started inside', async () => {
    const web = await ns().spawn('web', SERVE_SITE);
    expect(isAlive(web.pid)).toBe(true);
    await ns().waitTcp('web', 8080, 10_000);
    const response = await request('http://web:8080/index.html', {
      dispatcher: ns().dispatcher('web', 8080),
    });
    expect(response.statusCode).toBe(200);
    expect(await response.body.text()).toBe('<h1>inside</h1>\n');
    expect(ns().logs('web')).toContain('"GET /index.html HTTP/1.1" 200');
  });

  it('resolves service names and aliases to their own loopback addresses', async () => {
    expect(ns().address('web')).toBe('127.0.0.2');
    expect(ns().address('backend')).toBe('127.0.0.3');
    const backend = await ns().exec({ argv: ['getent', 'hosts', 'backend'] });
    expect(backend.stdout.trim().split(/\s+/)).toEqual(['127.0.0.3', 'backend', 'drive-backend']);
    const expected = {
      www: '127.0.0.2',
      'site.internal': '127.0.0.2',
      'drive-backend': '127.0.0.3',
      localhost: '127.0.0.1',
    };
    for (const [name, address] of Object.entries(expected)) {
      const alias = await ns().exec({ argv: ['getent', 'ahostsv4', name] });
      expect(alias.stdout.split(/\s+/)[0]).toBe(address);
    }
    const unknown = await ns().exec({ argv: ['getent', 'hosts', 'nosuch'], timeoutMs: 5000 });
    expect(unknown.code).toBe(2);
    // Docker's embedded DNS address, for configurations that name it as their resolver.
    const dns = await python(ns(), DNS_CLIENT);
    expect(dns.stdout.trim()).toBe('www:0:127.0.0.2 Backend:0:127.0.0.3 nosuch:3:- backend:0:-');
  });

  it('bridges a service that runs outside to a server of the test, streaming both ways', async () => {
    const http = await python(ns(), HTTP_CLIENT);
    expect(http.stderr).toBe('');
    const [hello, uploaded, answer, downloaded] = http.stdout.trim().split('\n');
    expect(hello).toBe('outside saw /x for backend:8000');
    expect(answer).toBe(`${String(20 * MIB)} ${uploaded ?? ''}`);
    expect(outsideHttp().received.at(-1)).toBe(uploaded);
    expect(downloaded).toBe(sha256(download));
    // Node looks names up with AI_ADDRCONFIG, like our services inside will.
    const node = await ns().exec({
      argv: [
        process.execPath,
        '-e',
        "fetch('http://backend:8000/node').then(r => r.text()).then(console.log)",
      ],
    });
    expect(node).toMatchObject({ code: 0, stdout: 'outside saw /node for backend:8000\n' });

    const echo = await python(ns(), ECHO_CLIENT);
    expect(echo.stderr).toBe('');
    const [sent, received, count] = echo.stdout.trim().split(' ');
    expect(received).toBe(sent);
    expect(Number(count)).toBe(20 * MIB);
  });

  it('exposes a port inside through a unix socket, streaming both ways with a half-close', async () => {
    await ns().spawn('echo', { argv: ['python3', '/srv/echo.py'] });
    await ns().waitTcp('echo', 7000, 10_000);
    const socket = connect({ path: ns().socketPath('echo', 7000), allowHalfOpen: true });
    // As outside: an answer before the next question, then 20 MiB and a half-close.
    for (let i = 0; i < 20; i++) {
      const answer = new Promise<Buffer>((resolve) => socket.once('data', resolve));
      socket.write(`${String(i)}\n`);
      expect((await answer).toString()).toBe(`${String(i)}\n`);
    }
    const chunks: Buffer[] = [];
    const ended = new Promise<void>((resolve, reject) => {
      socket.on('data', (chunk: Buffer) => chunks.push(chunk));
      socket.on('end', resolve);
      socket.on('error', reject);
    });
    const body = randomBytes(20 * MIB);
    socket.end(body);
    await ended;
    expect(sha256(Buffer.concat(chunks))).toBe(sha256(body));
    socket.destroy();
  });

  it('keeps what is written inside away from the host', async () => {
    const written = await ns().exec({
      argv: [
        'sh',
        '-c',
        'echo x > /etc/lasuite-ns-probe && echo x > /usr/local/lasuite-ns-probe && cat /etc/lasuite-ns-probe',
      ],
    });
    expect(written).toMatchObject({ code: 0, stdout: 'x\n' });
    expect(existsSync('/etc/lasuite-ns-probe')).toBe(false);
    expect(existsSync('/usr/local/lasuite-ns-probe')).toBe(false);
    expect(readFileSync('/etc/hosts', 'utf8')).toBe(hostsBefore);

    const topLevel = await ns().exec({
      argv: [
        'sh',
        '-c',
        'cat /data/a.txt && echo written > /data/b.txt && stat -c %a /certs/tls.key',
      ],
    });
    expect(topLevel).toMatchObject({ code: 0, stdout: 'from the host\n600\n' });
    // /data is a bind of the host directory: writes there are the mount's, not the root's.
    expect(await readFile(join(data().path, 'b.txt'), 'utf8')).toBe('written\n');
    expect(existsSync('/data')).toBe(false);
    expect(existsSync('/certs')).toBe(false);
  });

  it('binds host files and directories read-only, read-write or overlaid', async () => {
    const readOnly = await ns().exec({
      argv: [
        'sh',
        '-c',
        'cat /srv/readonly/a.txt /etc/nginx/certs/tls.crt; echo x > /srv/readonly/b.txt',
      ],
    });
    expect(readOnly.code).not.toBe(0);
    expect(readOnly.stdout).toBe('from the host\nfrom the host\n');
    expect(readOnly.stderr).toContain('Read-only file system');

    const overlaid = await ns().exec({
      argv: [
        'sh',
        '-c',
        'echo changed > a.txt && mkdir data && echo new > data/new && cat a.txt data/new',
      ],
      cwd: '/opt/keycloak',
    });
    expect(overlaid).toMatchObject({ code: 0, stdout: 'changed\nnew\n' });
    expect(await readdir(shared().path)).toEqual(['a.txt']);
    expect(await readFile(join(shared().path, 'a.txt'), 'utf8')).toBe('from the host\n');
    expect(existsSync('/opt/keycloak')).toBe(false);
  });

  it('runs commands with a container environment and reports how they failed', async () => {
    const env = await ns().exec({ argv: ['env'], env: { FOO: 'bar' }, cwd: '/srv' });
    expect(env.stdout.trim().split('\n').sort()).toEqual([
      'FOO=bar',
      'HOME=/root',
      'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    ]);
    expect((await ns().exec({ argv: ['pwd'], cwd: '/srv' })).stdout).toBe('/srv\n');
    expect((await ns().exec({ argv: ['id', '-u'], uid: 65534 })).stdout).toBe('65534\n');

    const failed = await ns().exec({ argv: ['sh', '-c', 'echo oops >&2; exit 3'] });
    expect(failed).toMatchObject({ code: 3, stdout: '', stderr: 'oops\n', timedOut: false });
    const missing = await ns().exec({ argv: ['no-such-command'] });
    expect(missing.code).toBe(127);
    expect(missing.stderr).toContain('no-such-command');
    const slow = await ns().exec({ argv: ['sleep', '30'], timeoutMs: 200 });
    expect(slow).toMatchObject({ code: null, signal: 'SIGKILL', timedOut: true });

    const quick = await ns().spawn('web', { argv: ['true'] });
    expect(await quick.exited).toBe(0);
    const crashing = await ns().spawn('web', { argv: ['sh', '-c', 'echo boom; exit 4'] });
    await expect(ns().waitTcp('web', 9999, 10_000)).rejects.toThrow(/exited with code 4[^]*boom/);
    expect(await crashing.exited).toBe(4);
  });

  it('stops everything it started, and namespaces are independent of each other', async () => {
    const spec = (content: string) => ({
      services: [{ name: 'web' }],
      files: { '/srv/site/index.html': content },
      expose: [{ service: 'web', port: 8080 }],
      stopGraceMs: 500,
    });
    const fetchFrom = async (namespace: ComposeNamespace) => {
      const response = await request('http://web:8080/index.html', {
        dispatcher: namespace.dispatcher('web', 8080),
      });
      return response.body.text();
    };
    const first = await startComposeNamespace(spec('first'));
    const second = await startComposeNamespace(spec('second'));
    try {
      expect(second.address('web')).toBe(first.address('web'));
      const web = await first.spawn('web', SERVE_SITE);
      // Ignores SIGTERM, and leaves a daemon outside its process group.
      const stubborn = await first.spawn('web', {
        argv: ['sh', '-c', 'trap "" TERM; setsid sleep 1000 & while :; do sleep 0.1; done'],
      });
      await second.spawn('web', SERVE_SITE);
      await first.waitTcp('web', 8080);
      await second.waitTcp('web', 8080);
      expect(await fetchFrom(first)).toBe('first');
      expect(await fetchFrom(second)).toBe('second');

      const netns = readlinkSync(`/proc/${String(first.agentPid)}/ns/net`);
      expect(processesIn(netns).length).toBeGreaterThanOrEqual(4);
      const socket = first.socketPath('web', 8080);
      // Kept, to see that the sockets went with the namespace and not with the directory.
      const keep = process.env.LASUITE_TESTBED_KEEP;
      process.env.LASUITE_TESTBED_KEEP = '1';
      try {
        await first.stop();
      } finally {
        if (keep === undefined) delete process.env.LASUITE_TESTBED_KEEP;
        else process.env.LASUITE_TESTBED_KEEP = keep;
      }
      expect(readdirSync(join(first.directory, 'sockets'))).toEqual([]);
      expect(readdirSync(join(first.directory, 'root'))).toEqual([]);
      if (keep === undefined) await rm(first.directory, { recursive: true });
      expect(isAlive(web.pid)).toBe(false);
      expect(isAlive(stubborn.pid)).toBe(false);
      expect(isAlive(first.agentPid)).toBe(false);
      expect(processesIn(netns)).toEqual([]);
      expect(existsSync(socket)).toBe(false);
      expect(await stubborn.exited).toBe(null);
      expect(await fetchFrom(second)).toBe('second');
    } finally {
      await first.stop();
      await second.stop();
    }
  });
});
