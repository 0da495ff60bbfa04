// Where the API server is and how to authenticate to it, from a kubeconfig or the pod's service
// account. client-node's KubeConfig does this too, but importing it loads every generated API
// model (≈ 60 MiB of resident memory, measured; docs/benchmarks.md), a third of the operator's
// budget. The common cases are read here: in-cluster, client certificates, bearer tokens and
// token files. Anything else (exec plugins, auth-provider, proxies, merged kubeconfigs) loads
// client-node on demand and lets its KubeConfig do the work, so no kubeconfig stops working.
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import { parse } from 'yaml';

/** What one request needs: TLS material and, for token auth, an Authorization header. */
export interface RequestAuth {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  rejectUnauthorized?: boolean;
  servername?: string;
  authorization?: string;
  /** Anything else client-node put on the request options (an agent for a proxy). */
  extra?: Record<string, unknown>;
}

export interface ClusterConnection {
  server: string;
  /** Called per request: rotated token and certificate files are picked up within a minute. */
  auth(): Promise<RequestAuth>;
  /** Whether requests must go through the connection's own agent (a proxy), not a pooled one. */
  ownAgent: boolean;
}

const SERVICE_ACCOUNT = '/var/run/secrets/kubernetes.io/serviceaccount';
const REREAD_MS = 60_000;

/** A file's content, read again once it is a minute old (kubelet rotates projected tokens). */
function rereadable(path: string): () => Buffer {
  let cached: { at: number; content: Buffer } | undefined;
  return () => {
    if (!cached || Date.now() - cached.at > REREAD_MS)
      cached = { at: Date.now(), content: readFileSync(path) };
    return cached.content;
  };
}

type Entry = Record<string, unknown>;

function named(list: unknown, name: unknown, what: string, file: string): Entry {
  const found = (Array.isArray(list) ? (list as Entry[]) : []).find((item) => item.name === name)?.[
    what
  ];
  if (typeof found !== 'object' || found === null)
    throw new Error(`kubeconfig ${file}: no ${what} named ${String(name)}`);
  return found as Entry;
}

/** Inline data (base64) or a file path relative to the kubeconfig, as kubectl resolves them. */
function material(entry: Entry, field: string, file: string): (() => Buffer) | undefined {
  const data = entry[`${field}-data`];
  if (typeof data === 'string') {
    const decoded = Buffer.from(data, 'base64');
    return () => decoded;
  }
  const path = entry[field];
  if (typeof path !== 'string') return undefined;
  return rereadable(isAbsolute(path) ? path : join(dirname(file), path));
}

/** A kubeconfig this module reads itself, or undefined when client-node must do it. */
function simpleKubeconfig(file: string): ClusterConnection | undefined {
  const config = parse(readFileSync(file, 'utf8')) as Entry | null;
  if (!config) throw new Error(`kubeconfig ${file} is empty`);
  const context = named(config.contexts, config['current-context'], 'context', file);
  const cluster = named(config.clusters, context.cluster, 'cluster', file);
  const user = context.user === undefined ? {} : named(config.users, context.user, 'user', file);
  const handledUser = new Set([
    'client-certificate',
    'client-certificate-data',
    'client-key',
    'client-key-data',
    'token',
    'tokenFile',
  ]);
  if (Object.keys(user).some((field) => !handledUser.has(field))) return undefined;
  if (cluster['proxy-url'] !== undefined) return undefined;
  if (typeof cluster.server !== 'string')
    throw new Error(`kubeconfig ${file}: cluster ${String(context.cluster)} has no server`);
  const ca = material(cluster, 'certificate-authority', file);
  const cert = material(user, 'client-certificate', file);
  const key = material(user, 'client-key', file);
  const tokenFile = typeof user.tokenFile === 'string' ? rereadable(user.tokenFile) : undefined;
  const token = typeof user.token === 'string' ? user.token : undefined;
  const insecure = cluster['insecure-skip-tls-verify'] === true;
  const servername = cluster['tls-server-name'];
  return {
    server: cluster.server.replace(/\/$/, ''),
    ownAgent: false,
    auth: () => {
      const bearer = token ?? tokenFile?.().toString('utf8').trim();
      return Promise.resolve({
        ca: ca?.(),
        cert: cert?.(),
        key: key?.(),
        rejectUnauthorized: !insecure,
        ...(typeof servername === 'string' ? { servername } : {}),
        ...(bearer ? { authorization: `Bearer ${bearer}` } : {}),
      });
    },
  };
}

/** The pod's service account, as client-go's rest.InClusterConfig reads it. */
export function inCluster(directory = SERVICE_ACCOUNT): ClusterConnection {
  const host = process.env.KUBERNETES_SERVICE_HOST ?? '';
  const port = process.env.KUBERNETES_SERVICE_PORT ?? '443';
  const ca = rereadable(join(directory, 'ca.crt'));
  const token = rereadable(join(directory, 'token'));
  return {
    server: `https://${host.includes(':') ? `[${host}]` : host}:${port}`,
    ownAgent: false,
    auth: () =>
      Promise.resolve({
        ca: ca(),
        rejectUnauthorized: true,
        authorization: `Bearer ${token().toString('utf8').trim()}`,
      }),
  };
}

/** client-node's KubeConfig, for what simpleKubeconfig does not read. */
async function clientNodeConnection(file: string | undefined): Promise<ClusterConnection> {
  const { KubeConfig } = await import('@kubernetes/client-node');
  const config = new KubeConfig();
  if (file) config.loadFromFile(file);
  else config.loadFromDefault();
  const cluster = config.getCurrentCluster();
  if (!cluster) throw new Error('the kubeconfig has no current cluster');
  return {
    server: cluster.server.replace(/\/$/, ''),
    ownAgent: cluster.proxyUrl !== undefined,
    auth: async () => {
      const options: Record<string, unknown> & { headers: Record<string, string> } = {
        headers: {},
      };
      await config.applyToHTTPSOptions(options);
      const { ca, cert, key, rejectUnauthorized, servername, headers, ...extra } = options;
      return {
        ca: ca as Buffer | undefined,
        cert: cert as Buffer | undefined,
        key: key as Buffer | undefined,
        rejectUnauthorized: rejectUnauthorized as boolean | undefined,
        servername: servername as string | undefined,
        authorization: headers.Authorization ?? headers.authorization,
        extra,
      };
    },
  };
}

/**
 * The connection kubectl would use: the given file; else $KUBECONFIG (several files are merged
 * by client-node); else ~/.kube/config; else the pod's service account.
 */
export async function loadClusterConnection(file?: string): Promise<ClusterConnection> {
  const fromEnvironment = (process.env.KUBECONFIG ?? '').split(':').filter((path) => path !== '');
  if (!file && fromEnvironment.length > 1) return clientNodeConnection(undefined);
  const defaultFile = join(homedir(), '.kube', 'config');
  const chosen = file ?? fromEnvironment[0] ?? (existsSync(defaultFile) ? defaultFile : undefined);
  if (chosen) return simpleKubeconfig(chosen) ?? clientNodeConnection(chosen);
  if (process.env.KUBERNETES_SERVICE_HOST && existsSync(join(SERVICE_ACCOUNT, 'token')))
    return inCluster();
  throw new Error(
    'no kubeconfig ($KUBECONFIG, ~/.kube/config) and not in a pod: point KUBECONFIG at a cluster',
  );
}
