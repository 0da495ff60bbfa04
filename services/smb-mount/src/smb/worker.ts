// One worker thread of the pool: one libsmbclient context, one request at a time. A connection
// error drops the context for a fresh one and runs an idempotent request once more.
import { parentPort, workerData } from 'node:worker_threads';
import { isConnectionError } from './errors.js';
import { loadAddon, type NativeAddon, type NativeContext } from './native.js';
import {
  IDEMPOTENT,
  serializeError,
  type HandleRef,
  type Request,
  type Response,
  type WorkerInit,
  type WorkerStarted,
} from './protocol.js';

const port = parentPort;
if (port === null) throw new Error('worker.ts runs as a worker thread of SmbPool');
const init = workerData as WorkerInit;

/**
 * A request that must not run twice goes first through a cheap stat when the connection has been
 * idle this long: a server restarted or an idle connection dropped shows there, and the request
 * then runs on a fresh connection instead of failing.
 */
const IDLE_CHECK_MS = 1000;

let addon: NativeAddon;
let context: NativeContext;
let lastAnswer = 0;
/** This context's descriptor for each pool handle it has opened. */
const descriptors = new Map<number, number>();

function codeOf(error: unknown): string | undefined {
  return typeof error === 'object' &&
    error !== null &&
    'code' in error &&
    typeof error.code === 'string'
    ? error.code
    : undefined;
}

function reconnect(): void {
  try {
    context.free();
  } catch {
    // The old connection is gone either way.
  }
  descriptors.clear();
  context = new addon.Context(init.options);
}

function descriptor(handle: HandleRef): { fd: number; opened: boolean } {
  const known = descriptors.get(handle.id);
  if (known !== undefined) return { fd: known, opened: false };
  const fd = context.open(handle.url, handle.flags);
  descriptors.set(handle.id, fd);
  return { fd, opened: true };
}

interface Outcome {
  value: unknown;
  opened?: number;
  transfer?: ArrayBuffer[];
}

function execute(request: Request): Outcome {
  switch (request.op) {
    case 'stat':
      return { value: context.stat(request.url) };
    case 'list':
      return { value: context.list(request.url) };
    case 'mkdir':
      context.mkdir(request.url);
      return { value: undefined };
    case 'rmdir':
      context.rmdir(request.url);
      return { value: undefined };
    case 'unlink':
      context.unlink(request.url);
      return { value: undefined };
    case 'rename':
      context.rename(request.from, request.to);
      return { value: undefined };
    case 'create':
      context.close(context.open(request.url, request.flags));
      return { value: undefined };
    case 'pread': {
      const { fd, opened } = descriptor(request.handle);
      const data = context.pread(fd, request.offset, request.length);
      return {
        value: data,
        transfer: [data.buffer as ArrayBuffer],
        ...(opened ? { opened: request.handle.id } : {}),
      };
    }
    case 'pwrite': {
      const { fd, opened } = descriptor(request.handle);
      const written = context.pwrite(fd, request.offset, request.data);
      return { value: written, ...(opened ? { opened: request.handle.id } : {}) };
    }
    case 'ftruncate': {
      const { fd, opened } = descriptor(request.handle);
      context.ftruncate(fd, request.size);
      return { value: undefined, ...(opened ? { opened: request.handle.id } : {}) };
    }
    case 'release': {
      const fd = descriptors.get(request.handleId);
      descriptors.delete(request.handleId);
      if (fd !== undefined) {
        try {
          context.close(fd);
        } catch {
          // A descriptor of a dead connection has nothing left to close.
        }
      }
      return { value: undefined };
    }
  }
}

function checkIdleConnection(): void {
  try {
    context.stat(init.rootUrl);
  } catch (error) {
    if (isConnectionError(codeOf(error))) reconnect();
  }
}

function run(request: Request): Outcome {
  const idempotent = IDEMPOTENT.has(request.op);
  if (!idempotent && performance.now() - lastAnswer > IDLE_CHECK_MS) checkIdleConnection();
  try {
    const outcome = execute(request);
    lastAnswer = performance.now();
    return outcome;
  } catch (error) {
    if (!isConnectionError(codeOf(error))) {
      lastAnswer = performance.now();
      throw error;
    }
    reconnect();
    if (!idempotent) throw error;
    const outcome = execute(request);
    lastAnswer = performance.now();
    return outcome;
  }
}

function start(): WorkerStarted {
  try {
    addon = loadAddon();
    context = new addon.Context(init.options);
    if (init.connect) {
      context.stat(init.rootUrl);
      lastAnswer = performance.now();
    }
    return { ready: true };
  } catch (error) {
    return { ready: false, error: serializeError(error) };
  }
}

const started = start();
port.postMessage(started);
if (started.ready) {
  port.on('message', (request: Request) => {
    let response: Response;
    let transfer: ArrayBuffer[] = [];
    try {
      const outcome = run(request);
      transfer = outcome.transfer ?? [];
      response =
        outcome.opened === undefined
          ? { id: request.id, ok: true, value: outcome.value }
          : { id: request.id, ok: true, value: outcome.value, opened: outcome.opened };
    } catch (error) {
      response = { id: request.id, ok: false, error: serializeError(error) };
    }
    port.postMessage(response, transfer);
  });
}
