// HEAD on /media behind Traefik. Drive signs a GET (drive-contract §5.2), and a HEAD sent on as a
// HEAD fails S3's signature check; Traefik cannot change a request's method. The edge routes a
// HEAD, once authorised and rewritten like a download, here: the same request goes to S3 as a GET,
// the answer's headers come back, and the body is never read (the connection is dropped).
import { Pool, errors } from 'undici';

export const HEAD_BRIDGE_PREFIX = '/s3-head';

/** What S3 may see from the client: the signature the edge added, ranges and conditions. */
const REQUEST_HEADERS = [
  'authorization',
  'x-amz-date',
  'x-amz-content-sha256',
  'range',
  'if-range',
  'if-match',
  'if-none-match',
  'if-modified-since',
  'if-unmodified-since',
];

/** What a HEAD answer carries back. */
const RESPONSE_HEADERS = [
  'content-length',
  'content-type',
  'content-range',
  'accept-ranges',
  'etag',
  'last-modified',
  'cache-control',
  'expires',
];

export interface HeadAnswer {
  status: number;
  headers: Record<string, string>;
}

export class HeadBridge {
  private readonly pool: Pool;
  private readonly base: string;

  constructor(s3Url: string, options: { connections: number; timeoutMs: number }) {
    const url = new URL(s3Url);
    this.base = url.pathname.replace(/\/+$/, '');
    this.pool = new Pool(url.origin, {
      connections: options.connections,
      headersTimeout: options.timeoutMs,
      connectTimeout: options.timeoutMs,
    });
  }

  /** `path` is /<bucket>/<key> as the edge rewrote it, still percent-encoded as signed. */
  async head(
    path: string,
    host: string,
    incoming: Record<string, string | string[] | undefined>,
  ): Promise<HeadAnswer> {
    const headers: Record<string, string> = { host };
    for (const name of REQUEST_HEADERS) {
      const value = incoming[name];
      const single = Array.isArray(value) ? value[0] : value;
      if (single) headers[name] = single;
    }
    const controller = new AbortController();
    try {
      const answer = await this.pool.request({
        method: 'GET',
        path: `${this.base}${path}`,
        headers,
        signal: controller.signal,
      });
      const out: Record<string, string> = {};
      for (const name of RESPONSE_HEADERS) {
        const value = answer.headers[name];
        const single = Array.isArray(value) ? value[0] : value;
        if (single) out[name] = single;
      }
      // A HEAD needs no body: drop the connection rather than read the object.
      controller.abort();
      answer.body.on('error', () => undefined);
      return { status: answer.statusCode, headers: out };
    } catch (error) {
      const timedOut =
        error instanceof errors.HeadersTimeoutError || error instanceof errors.ConnectTimeoutError;
      return { status: timedOut ? 504 : 502, headers: {} };
    }
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}
