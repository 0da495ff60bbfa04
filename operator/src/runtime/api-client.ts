// A small JSON client for the Kubernetes API. Objects travel as plain JSON, so nothing typed
// models do not know (x-kubernetes-* keys, custom resources) is lost on the way.
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest, type RequestOptions } from 'node:https';
import type { ClusterConnection } from './cluster-connection.js';
import { collectionPath, objectPath, resourceKind } from './resource-kinds.js';

export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  deletionTimestamp?: string;
  ownerReferences?: {
    apiVersion: string;
    kind: string;
    name: string;
    uid: string;
    controller?: boolean;
  }[];
  creationTimestamp?: string;
}

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [field: string]: unknown;
}

export interface ObjectList<T> {
  metadata: { resourceVersion: string; continue?: string };
  items: T[];
}

export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

export const isNotFound = (error: unknown) => error instanceof ApiError && error.status === 404;
export const isConflict = (error: unknown) => error instanceof ApiError && error.status === 409;
export const isGone = (error: unknown) => error instanceof ApiError && error.status === 410;

export type RequestObserver = (verb: string, status: number) => void;

/** Element-wise equality, comparing Buffers (certificates, keys) by content. */
function sameValues(left: readonly unknown[], right: readonly unknown[]): boolean {
  return (
    left.length === right.length &&
    left.every((value, index) => {
      const other = right[index];
      return Buffer.isBuffer(value) && Buffer.isBuffer(other)
        ? value.equals(other)
        : value === other;
    })
  );
}

export type WatchHandler = (type: string, object: Record<string, unknown>) => void;

function apiError(method: string, path: string, status: number, text: string): ApiError {
  let reason = 'Unknown';
  let message = text;
  try {
    const parsed = JSON.parse(text) as { reason?: string; message?: string };
    reason = parsed.reason ?? reason;
    message = parsed.message ?? message;
  } catch {
    // Not a Status object.
  }
  return new ApiError(status, reason, `${method} ${path}: ${String(status)} ${message}`);
}

export class ApiClient {
  private observers: RequestObserver[] = [];
  private pooled: { tlsValues: unknown[]; agent: HttpAgent } | undefined;

  constructor(readonly connection: ClusterConnection) {}

  /** Called once per completed request, for metrics. */
  onRequest(observer: RequestObserver): void {
    this.observers.push(observer);
  }

  private async open(
    method: string,
    path: string,
    options: {
      query?: Record<string, string | undefined>;
      payload?: string;
      contentType?: string;
      timeoutMs: number;
      signal?: AbortSignal;
    },
  ): Promise<IncomingMessage> {
    const url = new URL(this.connection.server + path);
    for (const [key, value] of Object.entries(options.query ?? {}))
      if (value !== undefined) url.searchParams.set(key, value);
    const headers: Record<string, string | number> = { accept: 'application/json' };
    if (options.payload !== undefined) {
      headers['content-type'] = options.contentType ?? 'application/json';
      headers['content-length'] = Buffer.byteLength(options.payload);
    }
    const { authorization, extra, ...tls } = await this.connection.auth();
    if (authorization) headers.authorization = authorization;
    const requestOptions: RequestOptions = { method, headers, ...tls, ...extra };
    if (!this.connection.ownAgent) requestOptions.agent = this.keepAliveAgent(url.protocol, tls);
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise<IncomingMessage>((resolve, reject) => {
      const req = send(url, { ...requestOptions, signal: options.signal }, resolve);
      // An idle socket for this long is a dead connection (a watch hears bookmarks every minute).
      req.setTimeout(options.timeoutMs, () =>
        req.destroy(new Error(`${method} ${path} timed out`)),
      );
      req.on('error', reject);
      req.end(options.payload);
    });
  }

  async request<T>(
    method: string,
    path: string,
    options: {
      query?: Record<string, string | undefined>;
      body?: unknown;
      contentType?: string;
      verb?: string;
    } = {},
  ): Promise<T> {
    const response = await this.open(method, path, {
      query: options.query,
      payload: options.body === undefined ? undefined : JSON.stringify(options.body),
      contentType: options.contentType,
      timeoutMs: 30_000,
    });
    const chunks: Buffer[] = [];
    for await (const chunk of response) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString();
    const status = response.statusCode ?? 0;
    for (const observe of this.observers) observe(options.verb ?? method.toLowerCase(), status);
    if (status >= 400) throw apiError(method, path, status, text);
    return (text === '' ? undefined : JSON.parse(text)) as T;
  }

  /**
   * A watch: one call per event, in order. Resolves when the server ends the watch or the
   * signal aborts it; rejects on a refused request or a broken connection.
   */
  async watch(
    path: string,
    query: Record<string, string | undefined>,
    onEvent: WatchHandler,
    signal: AbortSignal,
    idleTimeoutMs: number,
  ): Promise<void> {
    let response: IncomingMessage;
    try {
      response = await this.open('GET', path, {
        query: { ...query, watch: 'true' },
        timeoutMs: idleTimeoutMs,
        signal,
      });
    } catch (error) {
      if (signal.aborted) return;
      throw error;
    }
    const status = response.statusCode ?? 0;
    for (const observe of this.observers) observe('watch', status);
    let pending = '';
    try {
      for await (const chunk of response) {
        if (status >= 400) {
          pending += String(chunk);
          continue;
        }
        pending += String(chunk);
        let newline = pending.indexOf('\n');
        while (newline !== -1) {
          const line = pending.slice(0, newline);
          pending = pending.slice(newline + 1);
          if (line.trim() !== '') {
            const event = JSON.parse(line) as { type: string; object: Record<string, unknown> };
            onEvent(event.type, event.object);
          }
          newline = pending.indexOf('\n');
        }
      }
    } catch (error) {
      if (signal.aborted) return;
      throw error;
    }
    if (status >= 400) throw apiError('GET', path, status, pending);
  }

  /**
   * One keep-alive connection pool per TLS identity: a TLS handshake and a secure context per
   * request were most of the operator's CPU at scale (docs/benchmarks.md, run c). A rotated
   * client certificate gets a new pool.
   */
  private keepAliveAgent(
    protocol: string,
    tls: {
      ca?: Buffer;
      cert?: Buffer;
      key?: Buffer;
      rejectUnauthorized?: boolean;
      servername?: string;
    },
  ): HttpAgent {
    const tlsValues = [protocol, tls.ca, tls.cert, tls.key, tls.rejectUnauthorized, tls.servername];
    if (!this.pooled || !sameValues(this.pooled.tlsValues, tlsValues)) {
      this.pooled?.agent.destroy();
      const agent =
        protocol === 'https:'
          ? new HttpsAgent({ keepAlive: true, ...tls })
          : new HttpAgent({ keepAlive: true });
      this.pooled = { tlsValues, agent };
    }
    return this.pooled.agent;
  }

  /** Closes pooled connections, so a stopped operator leaves no socket open. */
  close(): void {
    this.pooled?.agent.destroy();
    this.pooled = undefined;
  }

  get<T extends KubeObject>(
    apiVersion: string,
    kind: string,
    namespace: string | undefined,
    name: string,
  ): Promise<T> {
    return this.request<T>('GET', objectPath(resourceKind(apiVersion, kind), namespace, name), {
      verb: 'get',
    });
  }

  async getOrUndefined<T extends KubeObject>(
    apiVersion: string,
    kind: string,
    namespace: string | undefined,
    name: string,
  ) {
    try {
      return await this.get<T>(apiVersion, kind, namespace, name);
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  list<T extends KubeObject>(
    apiVersion: string,
    kind: string,
    namespace: string | undefined,
    query: Record<string, string | undefined> = {},
  ): Promise<ObjectList<T>> {
    return this.request<ObjectList<T>>(
      'GET',
      collectionPath(resourceKind(apiVersion, kind), namespace),
      { query, verb: 'list' },
    );
  }

  /** Server-side apply with one field manager; `force` takes over fields another manager set. */
  apply<T extends KubeObject>(object: KubeObject, fieldManager: string, force = true): Promise<T> {
    const path = objectPath(
      resourceKind(object.apiVersion, object.kind),
      object.metadata.namespace,
      object.metadata.name,
    );
    return this.request<T>('PATCH', path, {
      query: { fieldManager, force: String(force) },
      body: object,
      // JSON is YAML: the API server accepts a JSON body under the apply content type.
      contentType: 'application/apply-patch+yaml',
      verb: 'apply',
    });
  }

  /** Applies only the status subresource. */
  applyStatus<T extends KubeObject>(object: KubeObject, fieldManager: string): Promise<T> {
    const path = `${objectPath(resourceKind(object.apiVersion, object.kind), object.metadata.namespace, object.metadata.name)}/status`;
    return this.request<T>('PATCH', path, {
      query: { fieldManager, force: 'true' },
      body: object,
      contentType: 'application/apply-patch+yaml',
      verb: 'apply-status',
    });
  }

  /** A JSON merge patch (for metadata such as finalizers). */
  mergePatch<T extends KubeObject>(
    apiVersion: string,
    kind: string,
    namespace: string | undefined,
    name: string,
    patch: unknown,
  ): Promise<T> {
    return this.request<T>('PATCH', objectPath(resourceKind(apiVersion, kind), namespace, name), {
      body: patch,
      contentType: 'application/merge-patch+json',
      verb: 'patch',
    });
  }

  /** A JSON patch; `test` operations make it fail (422) when the object is not as expected. */
  jsonPatch<T extends KubeObject>(
    apiVersion: string,
    kind: string,
    namespace: string | undefined,
    name: string,
    operations: readonly { op: string; path: string; value?: unknown }[],
  ): Promise<T> {
    return this.request<T>('PATCH', objectPath(resourceKind(apiVersion, kind), namespace, name), {
      body: operations,
      contentType: 'application/json-patch+json',
      verb: 'patch',
    });
  }

  /** PUT with the object's resourceVersion: fails with 409 if someone else wrote in between. */
  replace<T extends KubeObject>(object: KubeObject): Promise<T> {
    return this.request<T>(
      'PUT',
      objectPath(
        resourceKind(object.apiVersion, object.kind),
        object.metadata.namespace,
        object.metadata.name,
      ),
      {
        body: object,
        verb: 'update',
      },
    );
  }

  create<T extends KubeObject>(object: KubeObject): Promise<T> {
    return this.request<T>(
      'POST',
      collectionPath(resourceKind(object.apiVersion, object.kind), object.metadata.namespace),
      {
        body: object,
        verb: 'create',
      },
    );
  }

  async delete(
    apiVersion: string,
    kind: string,
    namespace: string | undefined,
    name: string,
    propagationPolicy = 'Background',
  ) {
    try {
      await this.request('DELETE', objectPath(resourceKind(apiVersion, kind), namespace, name), {
        body: { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy },
        verb: 'delete',
      });
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }
}
