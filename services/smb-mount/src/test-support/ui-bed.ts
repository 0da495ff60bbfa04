// Everything the web UI's browser tests run against, started once per test file: the UI built
// from ui/, the test bed's Samba (one profile) with a mount `docs` on its directory m/, Redis,
// the test IdP with Drive's client (code flow, end-session), the WOPI discovery and editor
// STAND-INS, the service itself with all its extensions (as main.ts runs it) behind a TLS front
// at https://drive.example.test, and Chromium, which reaches all of it on loopback only.
// Screenshots of each step go to test-results/ui/<profile>/ (gitignored).
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chown, mkdir, readFile, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { extensions } from '../extensions.js';
import { launchChromium, startTlsFront, testCertificate, type TlsFront } from './chromium.js';
import { startEditorStandIn, type EditorStandIn } from './editor-stand-in.js';
import { DOCS_ROLES, GROUPS } from './mount-fixture.js';
import { serviceEnv, startService, type RunningService } from './mount-service.js';
import {
  putOnShare,
  report,
  shareOwner,
  startSamba,
  type Samba,
  type SambaProfile,
} from './samba-share.js';
import {
  driveClient,
  newSecret,
  oidcSettings,
  PUBLIC_URL,
  startOidcProvider,
  startRedis,
  type OidcProvider,
} from './session-service.js';
import { EDITOR_ORIGIN, startDiscoveryStandIn, type DiscoveryStandIn } from './wopi-stand-ins.js';

const run = promisify(execFile);
const SERVICE_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const SCREENSHOTS_ROOT = join(SERVICE_ROOT, 'test-results', 'ui');
export const CHUNK_BYTES = 4 << 20;

export interface UiBed {
  samba: Samba;
  idp: OidcProvider;
  service: RunningService;
  discovery: DiscoveryStandIn;
  editor: EditorStandIn;
  browser: Browser;
  /**
   * Uncaught script errors and console errors of the UI's pages (policy violations among them),
   * failed loads aside: some tests make requests fail on purpose.
   */
  problems: string[];
  /** https://drive.example.test + path. */
  url(path: string): string;
  /** The file behind a mount path of `docs`, on the share's directory. */
  onShare(path: string): string;
  put(path: string, data: string | Uint8Array): Promise<string>;
  /** A fresh browser context (no cookies, no storage) and a page in it. */
  newPage(): Promise<{ context: BrowserContext; page: Page }>;
  /** Answers the IdP's login form the page is on, as `user`. */
  login(page: Page, user: string): Promise<void>;
  /** A screenshot of the page, numbered in step order. */
  shoot(page: Page, step: string): Promise<void>;
}

export function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

export async function sha256OfFile(path: string): Promise<string> {
  return sha256(await readFile(path));
}

/** `npm run build:ui`, so that the test serves the UI its sources make now. */
async function buildUi(): Promise<void> {
  await run(process.execPath, [join(SERVICE_ROOT, 'ui', 'build.mjs')], { timeout: 120_000 });
}

export function useUiBed(profile: SambaProfile): () => UiBed {
  let bed: UiBed | undefined;
  const stops: (() => Promise<unknown>)[] = [];
  const contexts: BrowserContext[] = [];
  let shots = 0;
  const problems: string[] = [];
  const screenshots = join(SCREENSHOTS_ROOT, profile);

  beforeAll(async () => {
    const started = performance.now();
    const [samba, redis, discovery, certificate] = await Promise.all([
      startSamba(profile),
      startRedis(),
      startDiscoveryStandIn(),
      testCertificate([new URL(PUBLIC_URL).hostname, new URL(EDITOR_ORIGIN).hostname]),
      buildUi(),
      rm(screenshots, { recursive: true, force: true }).then(() =>
        mkdir(screenshots, { recursive: true }),
      ),
    ]);
    stops.push(
      () => samba.stop(),
      () => redis.stop(),
      () => discovery.stop(),
    );
    const secret = newSecret();
    const idp = await startOidcProvider({ clients: [driveClient(secret)], groups: GROUPS });
    stops.push(() => idp.stop());
    const oidc = await oidcSettings(idp.issuer, { id: 'drive', secret });
    const env = serviceEnv({
      idp,
      clientId: 'drive',
      clientSecret: secret,
      redisUrl: redis.url,
      mounts: [{ name: 'docs', samba, path: '/m', roles: DOCS_ROLES }],
      overrides: {
        OIDC_AUTHORIZATION_ENDPOINT: oidc.authorizationEndpoint,
        OIDC_TOKEN_ENDPOINT: oidc.tokenEndpoint,
        OIDC_USERINFO_ENDPOINT: oidc.userinfoEndpoint,
        OIDC_JWKS_ENDPOINT: oidc.jwksEndpoint,
        ...(oidc.endSessionEndpoint === undefined
          ? {}
          : { OIDC_END_SESSION_ENDPOINT: oidc.endSessionEndpoint }),
        WOPI_DISCOVERY_URLS: discovery.url,
        UPLOAD_CHUNK_SIZE_BYTES: String(CHUNK_BYTES),
      },
    });
    // The mount's root, owned like what Samba makes (nothing in it yet: tests fill it).
    const owner = await shareOwner(samba);
    await mkdir(join(samba.shareDirectory, 'm'));
    await chown(join(samba.shareDirectory, 'm'), owner.uid, owner.gid);
    const service = await startService(env, { extensions, listingTtlMs: 300 });
    stops.push(() => service.stop());
    const front: TlsFront = await startTlsFront(Number(new URL(service.origin).port), certificate);
    stops.push(() => front.stop());
    const editor = await startEditorStandIn({
      certificate,
      discovery,
      hostTransport: service.origin,
      framedUrl: `${PUBLIC_URL}/mounts/`,
    });
    stops.push(() => editor.stop());
    const browser = await launchChromium({
      hosts: {
        [new URL(PUBLIC_URL).hostname]: front.port,
        [new URL(EDITOR_ORIGIN).hostname]: editor.port,
      },
      certificate,
    });
    stops.push(() => browser.close());
    bed = {
      samba,
      idp,
      service,
      discovery,
      editor,
      browser,
      problems,
      url: (path) => `${PUBLIC_URL}${path}`,
      onShare: (path) => join(samba.shareDirectory, 'm', path),
      put: (path, data) => putOnShare(samba, `m/${path}`, data),
      newPage: async () => {
        const context = await browser.newContext({ acceptDownloads: true });
        // The share dialog's Copy button writes the link there; the test reads it back.
        await context.grantPermissions(['clipboard-read', 'clipboard-write'], {
          origin: PUBLIC_URL,
        });
        contexts.push(context);
        context.setDefaultTimeout(20_000);
        const page = await context.newPage();
        page.on('pageerror', (error) => problems.push(`${page.url()}: ${error.message}`));
        page.on('console', (message) => {
          // Some violations (Trusted Types) carry no location: the page's address stands in.
          const where = message.location().url || page.url();
          if (message.type() !== 'error' || !where.startsWith(PUBLIC_URL)) return;
          if (message.text().startsWith('Failed to load resource')) return;
          problems.push(`${where}: ${message.text()}`);
        });
        return { context, page };
      },
      login: async (page, user) => {
        await page.waitForURL((url) => url.href.startsWith(idp.issuer));
        await page.locator('input[name="login"]').fill(user);
        await page.locator('input[name="password"]').fill('unused');
        await page.locator('button[type="submit"]').click();
        await page.waitForURL((url) => url.origin === PUBLIC_URL);
      },
      shoot: async (page, step) => {
        shots += 1;
        const name = `${String(shots).padStart(2, '0')}-${step}.png`;
        await page.screenshot({ path: join(screenshots, name), fullPage: true });
      },
    };
    report(
      `UI bed (${profile}): Samba, Redis, IdP, stand-ins, service, Chromium in ${String(Math.round(performance.now() - started))} ms`,
    );
  });

  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  });

  return () => {
    if (bed === undefined)
      throw new Error('the UI bed did not start; see the beforeAll error above');
    return bed;
  };
}
