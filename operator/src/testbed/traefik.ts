// Traefik v3 on loopback: a `web` entry point, a `websecure` one (TLS, Traefik's default
// self-signed certificate unless a route's Secret has one), ping on its own entry point, the file
// provider watching a directory the caller writes dynamic configuration into, and optionally the
// Kubernetes CRD provider watching a test-bed API server. Pods do not exist here: Services of type
// ExternalName naming 127.0.0.1 stand for them (the API server refuses loopback endpoints).
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { binaries } from './binaries.js';
import { freePorts, httpOk, serverDirectory, startServer } from './processes.js';

export interface Traefik {
  /** The `web` entry point. */
  url: string;
  port: number;
  /** The `websecure` entry point. */
  secureUrl: string;
  securePort: number;
  /** Drop dynamic configuration files here; Traefik reloads them. */
  dynamicDirectory: string;
  directory: string;
  pids: number[];
  stop(): Promise<void>;
}

export interface TraefikOptions {
  /** Watch Traefik CRDs (IngressRoute, Middleware) on this API server. */
  kubernetes?: { server: string; token: string; caFile: string; namespaces?: string[] };
  detached?: boolean;
}

export async function startTraefik(options: TraefikOptions = {}): Promise<Traefik> {
  const traefik = binaries.traefik();
  const directory = await serverDirectory('traefik');
  const dynamicDirectory = join(directory, 'dynamic');
  await mkdir(dynamicDirectory, { recursive: true });
  const { web, websecure, ping } = await freePorts('web', 'websecure', 'ping');
  const staticConfig = {
    // Both default to true and would reach for internet hosts.
    global: { checkNewVersion: false, sendAnonymousUsage: false },
    entryPoints: {
      web: { address: `127.0.0.1:${String(web)}` },
      websecure: { address: `127.0.0.1:${String(websecure)}`, http: { tls: {} } },
      traefik: { address: `127.0.0.1:${String(ping)}` },
    },
    ping: { entryPoint: 'traefik' },
    log: { level: 'INFO' },
    accessLog: { filePath: join(directory, 'access.log') },
    providers: {
      file: { directory: dynamicDirectory, watch: true },
      ...(options.kubernetes
        ? {
            kubernetesCRD: {
              endpoint: options.kubernetes.server,
              token: options.kubernetes.token,
              certAuthFilePath: options.kubernetes.caFile,
              allowExternalNameServices: true,
              ...(options.kubernetes.namespaces
                ? { namespaces: options.kubernetes.namespaces }
                : {}),
            },
          }
        : {}),
    },
  };
  const configFile = join(directory, 'traefik.yml');
  await writeFile(configFile, stringify(staticConfig));
  const server = await startServer('traefik', traefik, [`--configFile=${configFile}`], {
    logFile: join(directory, 'traefik.log'),
    detached: options.detached,
    directory,
    ready: () => httpOk(`http://127.0.0.1:${String(ping)}/ping`),
  });
  return {
    url: `http://127.0.0.1:${String(web)}`,
    port: web,
    secureUrl: `https://127.0.0.1:${String(websecure)}`,
    securePort: websecure,
    dynamicDirectory,
    directory,
    pids: [server.pid],
    stop: () => server.stop(),
  };
}
