// The call to Drive's media-auth endpoint (drive-contract §5.2), over a bounded keep-alive pool.
import { Pool, errors } from 'undici';

/** drive-contract §5.2: what media-auth answers with, replayed to S3 by the edge. */
export const SIGNATURE_HEADERS = ['authorization', 'x-amz-date', 'x-amz-content-sha256'] as const;

export interface MediaAuthRequest {
  /** The checked X-Forwarded-Uri: path only. */
  uri: string;
  method: 'GET' | 'HEAD';
  cookie?: string;
  authorization?: string;
  forwardedFor?: string;
}

export type MediaAuthAnswer =
  | { kind: 'authorized'; headers: Record<(typeof SIGNATURE_HEADERS)[number], string> }
  | { kind: 'denied'; status: 401 | 403; contentType?: string; body: string }
  | { kind: 'failed'; status: 502 | 504; reason: string };

const MAX_DENIAL_BODY = 4096;

export class DriveMediaAuth {
  private readonly pool: Pool;
  private readonly path: string;

  constructor(
    authUrl: string,
    private readonly publicHost: string,
    options: { connections: number; timeoutMs: number },
  ) {
    const url = new URL(authUrl);
    this.path = `${url.pathname}${url.search}`;
    this.pool = new Pool(url.origin, {
      connections: options.connections,
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
      connectTimeout: options.timeoutMs,
    });
  }

  async authorize(request: MediaAuthRequest): Promise<MediaAuthAnswer> {
    const headers: Record<string, string> = {
      // Django checks this Host against ALLOWED_HOSTS and builds absolute URLs from it.
      host: this.publicHost,
      // Without it Drive's SSL redirect answers 301 (drive-contract §5.1).
      'x-forwarded-proto': 'https',
      // What ingress-nginx sends: a full URL, which Drive urlparses (§5.2).
      'x-original-url': `https://${this.publicHost}${request.uri}`,
      'x-original-method': request.method,
    };
    if (request.cookie) headers.cookie = request.cookie;
    if (request.authorization) headers.authorization = request.authorization;
    if (request.forwardedFor) headers['x-forwarded-for'] = request.forwardedFor;
    let answer: Awaited<ReturnType<Pool['request']>>;
    try {
      answer = await this.pool.request({ method: 'GET', path: this.path, headers });
    } catch (error) {
      const timedOut =
        error instanceof errors.HeadersTimeoutError ||
        error instanceof errors.BodyTimeoutError ||
        error instanceof errors.ConnectTimeoutError;
      return {
        kind: 'failed',
        status: timedOut ? 504 : 502,
        reason: `Drive media-auth ${timedOut ? 'timed out' : 'unreachable'}: ${(error as Error).message}`,
      };
    }
    const { statusCode } = answer;
    if (statusCode === 200) {
      await answer.body.dump();
      const signature = Object.fromEntries(
        SIGNATURE_HEADERS.map((name) => [name, single(answer.headers[name])]),
      ) as Record<(typeof SIGNATURE_HEADERS)[number], string | undefined>;
      const missing = SIGNATURE_HEADERS.filter((name) => !signature[name]);
      if (missing.length > 0)
        return {
          kind: 'failed',
          status: 502,
          reason: `Drive media-auth answered 200 without ${missing.join(', ')}`,
        };
      return {
        kind: 'authorized',
        headers: signature as Record<(typeof SIGNATURE_HEADERS)[number], string>,
      };
    }
    if (statusCode === 401 || statusCode === 403) {
      const body = (await answer.body.text()).slice(0, MAX_DENIAL_BODY);
      const contentType = single(answer.headers['content-type']);
      return { kind: 'denied', status: statusCode, body, ...(contentType ? { contentType } : {}) };
    }
    await answer.body.dump();
    const hint =
      statusCode === 301
        ? ' (an SSL redirect: Drive does not trust X-Forwarded-Proto from this gateway)'
        : statusCode === 400
          ? ` (is ${this.publicHost} in Drive's ALLOWED_HOSTS?)`
          : '';
    return {
      kind: 'failed',
      status: 502,
      reason: `Drive media-auth answered ${String(statusCode)}${hint}`,
    };
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
