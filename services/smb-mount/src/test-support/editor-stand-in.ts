// A STAND-IN for Collabora's editor page (cool.html), served over HTTPS at the editor's public
// origin (EDITOR_ORIGIN of wopi-stand-ins.ts, mapped to loopback by the test's Chromium). It does
// what coolwsd does when the host page posts the launch form into its frame: takes the posted
// access_token and access_token_ttl and WOPISrc from the query, and calls CheckFileInfo on the
// WOPI host, signed with the discovery stand-in's proof key, through the host's loopback port.
// The page it answers shows what CheckFileInfo said, so the test reads it inside the frame.
// It also serves a page that tries to frame the UI from this (foreign) origin.
import type { IncomingMessage } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TestCertificate } from './chromium.js';
import { URLSRC, WopiClientStandIn, type DiscoveryStandIn } from './wopi-stand-ins.js';

export interface EditorLaunchSeen {
  wopiSrc: string;
  accessToken: string;
  accessTokenTtl: string;
  checkFileInfo: { status: number; body: Record<string, unknown> };
}

export interface EditorStandIn {
  port: number;
  launches: EditorLaunchSeen[];
  stop(): Promise<void>;
}

const escape = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escape(title)}</title></head><body>${body}</body></html>`;
}

async function formBody(request: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

export async function startEditorStandIn(options: {
  certificate: TestCertificate;
  discovery: DiscoveryStandIn;
  /** Where the WOPI host really listens: http://127.0.0.1:<port>. */
  hostTransport: string;
  /** The UI's page to frame from here: it must refuse. */
  framedUrl: string;
}): Promise<EditorStandIn> {
  const launches: EditorLaunchSeen[] = [];
  const launchPath = new URL(URLSRC).pathname;
  const server: Server = createServer(
    { cert: options.certificate.cert, key: options.certificate.key },
    (request, response) => {
      const url = new URL(request.url ?? '/', 'https://stand-in');
      const answer = (status: number, html: string) => {
        response.writeHead(status, { 'content-type': 'text/html; charset=utf-8' }).end(html);
      };
      if (request.method === 'GET' && url.pathname === '/framer') {
        answer(
          200,
          page('framer', `<iframe id="framed" src="${escape(options.framedUrl)}"></iframe>`),
        );
        return;
      }
      if (request.method !== 'POST' || url.pathname !== launchPath) {
        answer(404, page('not found', '<p>not found</p>'));
        return;
      }
      void (async () => {
        const form = await formBody(request);
        const wopiSrc = url.searchParams.get('WOPISrc') ?? '';
        const accessToken = form.get('access_token') ?? '';
        const client = new WopiClientStandIn(
          wopiSrc,
          accessToken,
          options.hostTransport,
          () => options.discovery.key?.privateKey,
          Number(form.get('access_token_ttl') ?? 0),
        );
        try {
          const info = await client.checkFileInfo();
          const body = info.status === 200 ? (info.json() as Record<string, unknown>) : {};
          launches.push({
            wopiSrc,
            accessToken,
            accessTokenTtl: form.get('access_token_ttl') ?? '',
            checkFileInfo: { status: info.status, body },
          });
          const field = (name: string, fallback = '') => {
            const value = body[name];
            return escape(
              typeof value === 'string' || typeof value === 'boolean' ? String(value) : fallback,
            );
          };
          answer(
            200,
            page(
              'Editor stand-in',
              `<h1 id="file">${field('BaseFileName', `CheckFileInfo ${String(info.status)}`)}</h1>` +
                `<p id="user">${field('UserFriendlyName')}</p>` +
                `<p id="can-write">${field('UserCanWrite')}</p>`,
            ),
          );
        } finally {
          client.close();
        }
      })().catch((error: unknown) => {
        answer(500, page('error', `<p id="error">${escape(String(error))}</p>`));
      });
    },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    launches,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}
