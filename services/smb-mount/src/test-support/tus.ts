// tus 1.0 by hand, for the cases a client library would not send: each request as the protocol
// has it, against the service's upload endpoint.
import { Metadata } from '@tus/utils';
import type { ApiClient } from './mount-service.js';

export const TUS = { 'tus-resumable': '1.0.0' } as const;

export async function createUpload(
  api: ApiClient,
  mount: string,
  target: { filename: string; directory?: string; length: number },
): Promise<Response> {
  return api(`/mounts/api/v1/m/${mount}/uploads/`, {
    method: 'POST',
    headers: {
      ...TUS,
      'upload-length': String(target.length),
      'upload-metadata': Metadata.stringify({
        filename: target.filename,
        ...(target.directory === undefined ? {} : { directory: target.directory }),
      }),
    },
  });
}

/** The upload's URL path from a creation answer. */
export function location(response: Response): string {
  const value = response.headers.get('location');
  if (value === null) throw new Error(`no Location (status ${String(response.status)})`);
  return value;
}

export function patch(
  api: ApiClient,
  url: string,
  offset: number,
  body: Uint8Array,
  headers: Record<string, string> = {},
): Promise<Response> {
  return api(url, {
    method: 'PATCH',
    headers: {
      ...TUS,
      'content-type': 'application/offset+octet-stream',
      'upload-offset': String(offset),
      ...headers,
    },
    body,
  });
}

export async function offsetOf(api: ApiClient, url: string): Promise<number> {
  const response = await api(url, { method: 'HEAD', headers: TUS });
  if (response.status !== 200) throw new Error(`HEAD ${url}: ${String(response.status)}`);
  return Number(response.headers.get('upload-offset'));
}
