// Measures how long each test-bed server takes to start warm (binaries cached), three runs
// each, for docs/testing.md. Run: npm run testbed:startup-times
import { startCephRgw } from './ceph-rgw.js';
import { startControlPlane } from './control-plane.js';
import { startNginx } from './nginx.js';
import { startOidcProvider } from './oidc-provider.js';
import { startSamba } from './samba.js';
import { startSeaweedFs } from './seaweedfs.js';
import { startTraefik } from './traefik.js';

const RUNS = 3;

const servers: [string, () => Promise<{ stop(): Promise<void> }>][] = [
  ['etcd + kube-apiserver + kube-controller-manager', () => startControlPlane()],
  ['Ceph RGW (mon, osd, radosgw, admin user)', () => startCephRgw()],
  ['SeaweedFS (weed mini)', () => startSeaweedFs()],
  ['Traefik', () => startTraefik()],
  ['nginx', () => startNginx((port) => `server { listen 127.0.0.1:${String(port)}; }`)],
  ['Samba, default profile', () => startSamba('default')],
  ['Samba, hardened profile', () => startSamba('hardened')],
  ['oidc-provider', () => startOidcProvider()],
];

const lines = ['| server | warm start, median of 3 (s) |', '| --- | --- |'];
for (const [name, start] of servers) {
  const durations: number[] = [];
  for (let run = 0; run < RUNS; run += 1) {
    const started = performance.now();
    const server = await start();
    durations.push((performance.now() - started) / 1000);
    await server.stop();
  }
  durations.sort((a, b) => a - b);
  lines.push(`| ${name} | ${(durations[Math.floor(RUNS / 2)] ?? 0).toFixed(2)} |`);
}
process.stdout.write(`${lines.join('\n')}\n`);
