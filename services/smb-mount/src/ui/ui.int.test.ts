// The web UI in headless Chromium (Debian's, through playwright-core), against the real service
// with all its extensions, the test bed's Samba, Redis and IdP, and STAND-INS for Collabora
// (test-support/ui-bed.ts). Every step is a person's: logging in through the IdP's form,
// clicking, typing, picking files; and every step is checked against the share's directory on
// disk. Screenshots of each step: test-results/ui/<profile>/. The full tour runs on Samba's
// default profile; the hardened one (SMB3, signing and encryption required) gets the
// transfer-heavy part: uploads, a download and the editor.
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page, Request } from 'playwright-core';
import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { USERS } from '../test-support/mount-fixture.js';
import { report } from '../test-support/samba-share.js';
import { PUBLIC_URL } from '../test-support/session-service.js';
import { CHUNK_BYTES, sha256, sha256OfFile, useUiBed, type UiBed } from '../test-support/ui-bed.js';
import { EDITOR_ORIGIN } from '../test-support/wopi-stand-ins.js';

const MiB = 1 << 20;
const BIG_BYTES = 64 * MiB;

/** Local files to pick in the browser's file chooser. */
interface Picks {
  directory: string;
  small: string;
  big: string;
  resumable: string;
}

async function makePicks(): Promise<Picks> {
  const directory = await mkdtemp(join(tmpdir(), 'smb-mount-ui-files-'));
  const picks = {
    directory,
    small: join(directory, 'hello.txt'),
    big: join(directory, 'big.bin'),
    resumable: join(directory, 'resume.bin'),
  };
  await writeFile(picks.small, 'hello from Chromium\n');
  await writeFile(picks.big, randomBytes(BIG_BYTES));
  await writeFile(picks.resumable, randomBytes(3 * CHUNK_BYTES - 12_345));
  return picks;
}

async function timedStep<T>(name: string, work: () => Promise<T>): Promise<T> {
  const started = performance.now();
  const value = await work();
  report(`UI: ${name} in ${String(Math.round(performance.now() - started))} ms`);
  return value;
}

/** The names in the listing, in the order shown. */
function shownNames(page: Page): Promise<string[]> {
  return page
    .locator('table.listing tbody tr')
    .evaluateAll((rows) => rows.map((row) => row.getAttribute('data-name') ?? ''));
}

/** A directory's entries on the share, as the API lists them (its own temp files hidden). */
async function namesOnShare(directory: string): Promise<string[]> {
  return (await readdir(directory)).filter((name) => !name.startsWith('.'));
}

/** The order the page shows by default: folders first, then by name. */
async function defaultOrder(directory: string): Promise<string[]> {
  const entries = (await readdir(directory, { withFileTypes: true })).filter(
    (entry) => !entry.name.startsWith('.'),
  );
  const names = (folders: boolean) =>
    entries
      .filter((entry) => entry.isDirectory() === folders)
      .map((entry) => entry.name)
      .sort((a, b) => a.localeCompare(b, undefined, { numeric: true, sensitivity: 'base' }));
  return [...names(true), ...names(false)];
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** Picks files through the page's own Upload button, as a person does. */
async function upload(page: Page, files: string[]): Promise<void> {
  const chooser = page.waitForEvent('filechooser');
  await page.getByRole('button', { name: 'Upload files', exact: true }).click();
  await (await chooser).setFiles(files);
}

function uploadItem(page: Page, name: string) {
  return page.locator(`.upload[data-name="${name}"]`);
}

/** Logs in through the IdP from a fresh context, arriving at `path`. */
async function loggedIn(
  bed: UiBed,
  user: string,
  path: string,
): Promise<{ context: BrowserContext; page: Page }> {
  const { context, page } = await bed.newPage();
  await page.goto(bed.url(path));
  await bed.login(page, user);
  await page.waitForURL(bed.url(path));
  return { context, page };
}

async function uploadSmallAndBig(bed: UiBed, page: Page, picks: Picks): Promise<void> {
  await upload(page, [picks.small, picks.big]);
  // Progress shows while the big file is on its way: a value between nothing and all.
  const bar = uploadItem(page, 'big.bin').locator('progress');
  await expect
    .poll(
      async () => {
        const value = Number(await bar.getAttribute('value'));
        return value > 0 && value < Number(await bar.getAttribute('max'));
      },
      { interval: 50, timeout: 30_000 },
    )
    .toBe(true);
  await bed.shoot(page, 'upload-progress');
  await expect
    .poll(() => uploadItem(page, 'big.bin').getAttribute('data-state'), { timeout: 60_000 })
    .toBe('done');
  await expect.poll(() => uploadItem(page, 'hello.txt').getAttribute('data-state')).toBe('done');
  await expect
    .poll(() => shownNames(page))
    .toEqual(expect.arrayContaining(['big.bin', 'hello.txt']));
  await bed.shoot(page, 'uploaded');
  expect(await sha256OfFile(bed.onShare('reports/big.bin'))).toBe(await sha256OfFile(picks.big));
  expect(await readFile(bed.onShare('reports/hello.txt'), 'utf8')).toBe('hello from Chromium\n');
}

async function downloadBig(bed: UiBed, page: Page): Promise<void> {
  const download = page.waitForEvent('download');
  await page.getByRole('link', { name: 'Download big.bin' }).click();
  const file = await (await download).path();
  expect(await sha256OfFile(file)).toBe(await sha256OfFile(bed.onShare('reports/big.bin')));
}

async function openInEditor(
  bed: UiBed,
  page: Page,
  name: string,
  canWrite: boolean,
): Promise<void> {
  const before = bed.editor.launches.length;
  await page.getByRole('button', { name: `Open ${name} in the online editor` }).click();
  const dialog = page.getByRole('dialog', { name: `Editing ${name}` });
  await expect.poll(() => dialog.isVisible()).toBe(true);
  const frame = page.frameLocator('iframe.editor-frame');
  await expect.poll(() => frame.locator('#file').textContent()).toBe(name);
  await bed.shoot(page, 'editor');
  const launch = bed.editor.launches[before];
  expect(launch?.accessToken).toMatch(/.{20,}/);
  expect(Number(launch?.accessTokenTtl)).toBeGreaterThan(Date.now());
  expect(launch?.wopiSrc.startsWith(`${PUBLIC_URL}/mounts/wopi/files/`)).toBe(true);
  expect(launch?.checkFileInfo).toMatchObject({
    status: 200,
    body: { BaseFileName: name, UserCanWrite: canWrite },
  });
  await dialog.getByRole('button', { name: 'Close' }).click();
  await expect.poll(() => dialog.count()).toBe(0);
}

async function seedShare(bed: UiBed): Promise<void> {
  await bed.put('readme.txt', 'at the mount root, outside any share link\n');
  await bed.put('photos/cat.txt', 'meow\n');
  await bed.put('reports/archive/old.txt', 'old\n');
  const dated: [string, number, string][] = [
    ['reports/a-data.csv', 5000, '2024-01-01T10:00:00Z'],
    ['reports/b-notes.txt', 300, '2024-06-01T10:00:00Z'],
    ['reports/q1.odt', 12, '2025-01-01T10:00:00Z'],
  ];
  for (const [path, size, date] of dated) {
    const full = await bed.put(path, randomBytes(size));
    await utimes(full, new Date(date), new Date(date));
  }
}

describe('the web UI in Chromium, Samba default profile', () => {
  const bed = useUiBed('default');
  let picks: Picks;
  let manager: { context: BrowserContext; page: Page };
  let shareUrl = '';
  let visitor: { context: BrowserContext; page: Page } | undefined;

  beforeAll(async () => {
    picks = await makePicks();
    await seedShare(bed());
  });
  afterAll(async () => {
    await rm(picks.directory, { recursive: true, force: true });
  });

  it('sends a visitor without a session to the login and back, then browses into a folder', async () => {
    const { page, context } = await bed().newPage();
    manager = { page, context };
    const requested: string[] = [];
    page.on('request', (request) => requested.push(request.url()));
    await timedStep('login through the IdP', async () => {
      await page.goto(bed().url('/mounts/'));
      await page.waitForURL((url) => url.href.startsWith(bed().idp.issuer));
      await bed().shoot(page, 'idp-login');
      await bed().login(page, USERS.manager);
    });
    expect(requested).toContain(
      bed().url(`/mounts/auth/login?returnTo=${encodeURIComponent('/mounts/')}`),
    );
    await page.waitForURL(bed().url('/mounts/'));
    await expect
      .poll(() => page.getByRole('heading', { level: 1 }).textContent())
      .toBe('Your mounts');
    await expect.poll(() => page.getByText(`Signed in as ${USERS.manager}`).count()).toBe(1);
    await bed().shoot(page, 'mounts');

    await page.getByRole('link', { name: 'docs', exact: true }).click();
    await page.waitForURL(bed().url('/mounts/docs/'));
    await expect.poll(() => shownNames(page)).toEqual(await defaultOrder(bed().onShare('')));
    await page.getByRole('link', { name: 'reports', exact: true }).click();
    await page.waitForURL(bed().url('/mounts/docs/reports/'));
    const reports = await defaultOrder(bed().onShare('reports'));
    expect(reports).toEqual(['archive', 'a-data.csv', 'b-notes.txt', 'q1.odt']);
    await expect.poll(() => shownNames(page)).toEqual(reports);
    const crumbs = page.getByRole('navigation', { name: 'Location' }).getByRole('link');
    expect(await crumbs.allTextContents()).toEqual(['Mounts', 'docs', 'reports']);
    expect(await crumbs.last().getAttribute('aria-current')).toBe('page');
    // The heading has the focus after a navigation, for screen readers.
    expect(await page.locator('h1:focus').count()).toBe(1);
    await bed().shoot(page, 'folder');
    // Reloading the address shows the same folder.
    await page.reload();
    await expect.poll(() => shownNames(page)).toEqual(reports);
  });

  it('sorts by name, size and date, folders first, the order kept in the address', async () => {
    const { page } = manager;
    const files = ['a-data.csv', 'b-notes.txt', 'q1.odt'];
    const sizes = new Map<string, number>();
    const times = new Map<string, number>();
    for (const name of files) {
      const info = await stat(bed().onShare(`reports/${name}`));
      sizes.set(name, info.size);
      times.set(name, info.mtimeMs);
    }
    const expected = (key: (name: string) => number, descending = false) => [
      'archive',
      ...[...files].sort((a, b) => (descending ? -1 : 1) * (key(a) - key(b))),
    ];
    const header = (name: string) => page.getByRole('button', { name, exact: true });
    await header('Size').click();
    await expect.poll(() => shownNames(page)).toEqual(expected((name) => sizes.get(name) ?? 0));
    expect(page.url()).toBe(bed().url('/mounts/docs/reports/?sort=size&order=asc'));
    expect(await page.locator('th[aria-sort]').getAttribute('aria-sort')).toBe('ascending');
    await header('Size').click();
    await expect
      .poll(() => shownNames(page))
      .toEqual(expected((name) => sizes.get(name) ?? 0, true));
    await bed().shoot(page, 'sorted-by-size-descending');
    await header('Modified').click();
    await expect.poll(() => shownNames(page)).toEqual(expected((name) => times.get(name) ?? 0));
    await page.reload();
    await expect.poll(() => shownNames(page)).toEqual(expected((name) => times.get(name) ?? 0));
    await header('Name').click();
    await header('Name').click();
    await expect.poll(() => shownNames(page)).toEqual(['archive', ...[...files].sort().reverse()]);
    // Focus stays on the column's control while the table is drawn again.
    expect(await page.locator('th button[data-focus-key="sort-name"]:focus').count()).toBe(1);
    await header('Name').click();
    expect(page.url()).toBe(bed().url('/mounts/docs/reports/'));
  });

  it('creates a folder, the dialog worked from the keyboard', async () => {
    const { page } = manager;
    const opener = page.getByRole('button', { name: 'New folder', exact: true });
    await opener.focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'New folder' });
    // The field has the focus; Escape closes the dialog and gives the focus back.
    await expect
      .poll(() =>
        dialog
          .getByLabel('Folder name')
          .evaluate((field) => field === field.ownerDocument.activeElement),
      )
      .toBe(true);
    await page.keyboard.press('Escape');
    await expect.poll(() => dialog.count()).toBe(0);
    expect(await page.locator('button:focus').textContent()).toBe('New folder');
    await page.keyboard.press('Enter');
    await dialog.getByLabel('Folder name').fill('Minutes 2025');
    await bed().shoot(page, 'new-folder-dialog');
    await dialog.getByLabel('Folder name').press('Enter');
    await expect.poll(() => shownNames(page)).toContain('Minutes 2025');
    expect((await stat(bed().onShare('reports/Minutes 2025'))).isDirectory()).toBe(true);
    await expect.poll(() => page.getByRole('status').textContent()).toBe('Created Minutes 2025.');
  });

  it('uploads several files with progress; a 64 MiB file lands byte-exact', async () => {
    await timedStep('upload of 20 B + 64 MiB (tus, 4 MiB chunks)', () =>
      uploadSmallAndBig(bed(), manager.page, picks),
    );
  });

  it('resumes a failed upload from the server’s offset when retried', async () => {
    const { page } = manager;
    const patches: { offset: number; blocked: boolean }[] = [];
    let blocked = false;
    const pattern = '**/mounts/api/v1/m/docs/uploads/*';
    await page.route(pattern, async (route, request: Request) => {
      if (request.method() !== 'PATCH') return route.continue();
      const offset = Number(request.headers()['upload-offset']);
      // The first chunk goes through; then the network "fails" until the test lets it be.
      if (offset > 0 && patches.every((patch) => !patch.blocked)) blocked = true;
      patches.push({ offset, blocked });
      return blocked ? route.abort('connectionreset') : route.continue();
    });
    await upload(page, [picks.resumable]);
    await expect
      .poll(() => uploadItem(page, 'resume.bin').getAttribute('data-state'), { timeout: 20_000 })
      .toBe('failed');
    await bed().shoot(page, 'upload-failed');
    expect(await exists(bed().onShare('reports/resume.bin'))).toBe(false);
    blocked = false;
    const failedAttempts = patches.length;
    await page.getByRole('button', { name: 'Retry uploading resume.bin' }).click();
    await expect.poll(() => uploadItem(page, 'resume.bin').getAttribute('data-state')).toBe('done');
    await page.unroute(pattern);
    // The retry went on from the server's offset: the first chunk was not sent again.
    const resumed = patches.slice(failedAttempts);
    expect(resumed[0]?.offset).toBe(CHUNK_BYTES);
    expect(patches.filter((patch) => patch.offset === 0)).toHaveLength(1);
    expect(await sha256OfFile(bed().onShare('reports/resume.bin'))).toBe(
      await sha256OfFile(picks.resumable),
    );
    await bed().shoot(page, 'upload-resumed');
  });

  it('downloads through the browser, byte-exact', async () => {
    await timedStep('download of 64 MiB', () => downloadBig(bed(), manager.page));
  });

  it('renames', async () => {
    const { page } = manager;
    await page.getByRole('button', { name: 'Rename hello.txt' }).click();
    const dialog = page.getByRole('dialog', { name: 'Rename hello.txt' });
    const field = dialog.getByLabel('New name');
    // The name is selected without its extension, ready to be typed over.
    expect(
      await page.evaluate(
        '[document.activeElement.selectionStart, document.activeElement.selectionEnd]',
      ),
    ).toEqual([0, 5]);
    await field.fill('greeting.txt');
    await dialog.getByRole('button', { name: 'Rename', exact: true }).click();
    await expect.poll(() => shownNames(page)).toContain('greeting.txt');
    expect(await exists(bed().onShare('reports/hello.txt'))).toBe(false);
    expect(await readFile(bed().onShare('reports/greeting.txt'), 'utf8')).toBe(
      'hello from Chromium\n',
    );
    await bed().shoot(page, 'renamed');
  });

  it('moves to another folder of the mount', async () => {
    const { page } = manager;
    await page.getByRole('button', { name: 'Move greeting.txt' }).click();
    const dialog = page.getByRole('dialog', { name: 'Move greeting.txt' });
    await dialog.getByRole('button', { name: 'Open folder Minutes 2025' }).click();
    await expect
      .poll(() => dialog.locator('.move-where').textContent())
      .toContain('/docs/reports/Minutes 2025');
    await bed().shoot(page, 'move-dialog');
    await dialog.getByRole('button', { name: 'Move here' }).click();
    await expect.poll(() => shownNames(page)).not.toContain('greeting.txt');
    expect(await readFile(bed().onShare('reports/Minutes 2025/greeting.txt'), 'utf8')).toBe(
      'hello from Chromium\n',
    );
    expect(await exists(bed().onShare('reports/greeting.txt'))).toBe(false);
  });

  it('deletes only after confirmation, a folder with what is in it', async () => {
    const { page } = manager;
    await page.getByRole('button', { name: 'Delete Minutes 2025' }).click();
    let dialog = page.getByRole('dialog', { name: 'Delete' });
    await expect.poll(() => dialog.textContent()).toContain('everything in it');
    await bed().shoot(page, 'delete-confirmation');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    expect(await exists(bed().onShare('reports/Minutes 2025/greeting.txt'))).toBe(true);
    await page.getByRole('button', { name: 'Delete Minutes 2025' }).click();
    dialog = page.getByRole('dialog', { name: 'Delete' });
    await dialog.getByRole('button', { name: 'Delete', exact: true }).click();
    await expect.poll(() => shownNames(page)).not.toContain('Minutes 2025');
    expect(await exists(bed().onShare('reports/Minutes 2025'))).toBe(false);
    await bed().shoot(page, 'deleted');
  });

  it('shows files changed directly on the share after a refresh', async () => {
    const { page } = manager;
    await bed().put('reports/from-the-share.txt', 'written behind the service’s back\n');
    await bed().put('reports/b-notes.txt', randomBytes(900));
    const size = () =>
      page.locator('tr[data-name="b-notes.txt"] td.size').getAttribute('data-bytes');
    await expect
      .poll(
        async () => {
          await page.getByRole('button', { name: 'Refresh', exact: true }).click();
          return [(await shownNames(page)).includes('from-the-share.txt'), await size()];
        },
        { timeout: 10_000 },
      )
      .toEqual([true, '900']);
    await bed().shoot(page, 'changed-on-share');
  });

  it('opens a file in the editor: the token posted into the frame, CheckFileInfo with it', async () => {
    await openInEditor(bed(), manager.page, 'q1.odt', true);
  });

  it('creates a share link; without a session it shows the shared folder only, no upload', async () => {
    const { page } = manager;
    await page
      .getByRole('navigation', { name: 'Location' })
      .getByRole('link', { name: 'docs' })
      .click();
    await page.waitForURL(bed().url('/mounts/docs/'));
    await page.getByRole('button', { name: 'Share reports' }).click();
    const dialog = page.getByRole('dialog', { name: 'Share reports' });
    await dialog.getByLabel('View and download').check();
    await dialog.getByLabel('The link expires in').selectOption({ label: '1 day' });
    await dialog.getByRole('button', { name: 'Create link' }).click();
    const link = dialog.locator('.share-result input');
    await expect
      .poll(() => link.inputValue())
      .toMatch(/^https:\/\/drive\.example\.test\/mounts\/s\/.+/);
    shareUrl = await link.inputValue();
    await dialog.locator('.share-result').getByRole('button', { name: 'Copy' }).click();
    await expect.poll(() => dialog.getByText('Copied.').count()).toBe(1);
    expect(await page.evaluate('navigator.clipboard.readText()')).toBe(shareUrl);
    await expect.poll(() => dialog.locator('.share-links li.share-link').count()).toBe(1);
    await bed().shoot(page, 'share-link-created');
    await dialog.getByRole('button', { name: 'Close' }).click();

    visitor = await bed().newPage();
    const shared = visitor.page;
    await shared.goto(shareUrl);
    await shared.waitForURL(bed().url('/mounts/docs/reports/'));
    await expect
      .poll(() => shownNames(shared))
      .toEqual(expect.arrayContaining(await namesOnShare(bed().onShare('reports'))));
    expect((await shownNames(shared)).length).toBe(
      (await namesOnShare(bed().onShare('reports'))).length,
    );
    expect(await shared.getByText('You are using a share link').count()).toBe(1);
    // Nothing above the shared folder: no mounts, no mount root in the breadcrumbs.
    const crumbs = shared.getByRole('navigation', { name: 'Location' }).getByRole('link');
    expect(await crumbs.allTextContents()).toEqual(['reports']);
    // A viewer link: no upload, no change.
    for (const name of ['Upload files', 'New folder', 'Share this folder']) {
      expect(await shared.getByRole('button', { name, exact: true }).count()).toBe(0);
    }
    expect(await shared.getByRole('button', { name: /^(Rename|Move|Delete|Share) / }).count()).toBe(
      0,
    );
    await bed().shoot(shared, 'share-link-visitor');

    // Downloads work through the link (its cookie).
    const download = shared.waitForEvent('download');
    await shared.getByRole('link', { name: 'Download b-notes.txt' }).click();
    expect(await sha256OfFile(await (await download).path())).toBe(
      await sha256OfFile(bed().onShare('reports/b-notes.txt')),
    );

    // The parent is out of reach: its address leads back to the shared folder, and the API
    // answers the link's holder as if it did not exist.
    await shared.goto(bed().url('/mounts/docs/'));
    await shared.waitForURL(bed().url('/mounts/docs/reports/'));
    await expect.poll(() => shownNames(shared)).toContain('a-data.csv');
    expect(await shared.getByText('readme.txt').count()).toBe(0);
    const token = new URL(shareUrl).pathname.split('/').pop() ?? '';
    const parent = await shared.evaluate(
      async (header) =>
        (await fetch('/mounts/api/v1/m/docs/items?path=', { headers: { 'X-Share-Link': header } }))
          .status,
      token,
    );
    expect(parent).toBe(404);
  });

  it('shares a single file: its own page, with nothing around it', async () => {
    const { page } = manager;
    await page.goto(bed().url('/mounts/docs/reports/q1.odt'));
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('q1.odt');
    await page.getByRole('button', { name: 'Share q1.odt' }).click();
    const dialog = page.getByRole('dialog', { name: 'Share q1.odt' });
    await dialog.getByLabel('View, download, upload and change').check();
    await dialog.getByRole('button', { name: 'Create link' }).click();
    const link = dialog.locator('.share-result input');
    await expect.poll(() => link.inputValue()).toMatch(/\/mounts\/s\//);
    const url = await link.inputValue();
    await dialog.getByRole('button', { name: 'Close' }).click();

    const { page: shared } = await bed().newPage();
    await shared.goto(url);
    await shared.waitForURL(bed().url('/mounts/docs/reports/q1.odt'));
    await expect.poll(() => shared.getByRole('heading', { level: 1 }).textContent()).toBe('q1.odt');
    const crumbs = shared.getByRole('navigation', { name: 'Location' }).getByRole('link');
    expect(await crumbs.allTextContents()).toEqual(['q1.odt']);
    // An editor link may edit the file, not move or delete what it shares.
    expect(
      await shared.getByRole('button', { name: 'Open q1.odt in the online editor' }).count(),
    ).toBe(1);
    expect(await shared.getByRole('button', { name: /^(Rename|Move|Delete) / }).count()).toBe(0);
    expect(await shared.getByRole('link', { name: 'Download q1.odt' }).count()).toBe(1);
    await bed().shoot(shared, 'file-share-link');
    // The folder around it is out of reach.
    await shared.goto(bed().url('/mounts/docs/reports/'));
    await expect.poll(() => shared.getByRole('heading', { level: 1 }).textContent()).toBe('q1.odt');
    expect(await shared.getByText('a-data.csv').count()).toBe(0);
    await page.goto(bed().url('/mounts/docs/'));
  });

  it('lists the mount’s share links and revokes one, which stops working at once', async () => {
    const { page } = manager;
    await page.getByRole('button', { name: 'Share links', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Share links of this mount' });
    const links = dialog.locator('li.share-link');
    await expect.poll(() => links.count()).toBe(2);
    const folderLink = links.filter({ has: page.getByText('For /docs/reports', { exact: true }) });
    expect(await folderLink.locator('input.link-url').inputValue()).toBe(shareUrl);
    expect(await links.filter({ hasText: 'For /docs/reports/q1.odt' }).count()).toBe(1);
    await bed().shoot(page, 'share-links');
    await dialog
      .getByRole('button', { name: 'Revoke the link to /docs/reports', exact: true })
      .click();
    await expect.poll(() => links.count()).toBe(1);
    expect(await folderLink.count()).toBe(0);
    await dialog.getByRole('button', { name: 'Close' }).click();

    const shared = visitor?.page;
    if (shared === undefined) throw new Error('the share-link test did not run');
    await shared.reload();
    await expect
      .poll(() => shared.getByRole('alert').textContent())
      .toContain('not valid any more');
    expect(await shownNames(shared)).toEqual([]);
    await bed().shoot(shared, 'share-link-revoked');
  });

  it('offers a viewer no upload, new folder, rename, move, delete or share', async () => {
    const viewer = await loggedIn(bed(), USERS.viewer, '/mounts/docs/reports/');
    const { page } = viewer;
    await expect.poll(() => shownNames(page)).toContain('a-data.csv');
    for (const name of ['Upload files', 'New folder', 'Share this folder', 'Share links']) {
      expect(await page.getByRole('button', { name, exact: true }).count()).toBe(0);
    }
    expect(await page.getByRole('button', { name: /^(Rename|Move|Delete|Share) / }).count()).toBe(
      0,
    );
    expect(await page.getByRole('link', { name: 'Download a-data.csv' }).count()).toBe(1);
    // "Open" only where the editor's discovery has an edit action for the extension.
    expect(
      await page.getByRole('button', { name: 'Open q1.odt in the online editor' }).count(),
    ).toBe(1);
    expect(await page.getByRole('button', { name: /^Open a-data\.csv/ }).count()).toBe(0);
    await bed().shoot(page, 'viewer');
    // The editor opens read-only for a viewer.
    await openInEditor(bed(), page, 'q1.odt', false);
  });

  it('serves the page with a strict policy, and no other site can frame it', async () => {
    const { context, page } = manager;
    const response = await page.goto(bed().url('/mounts/docs/reports/'));
    if (response === null) throw new Error('no response for the page');
    const policy = response.headers()['content-security-policy'] ?? '';
    expect(policy).toContain("default-src 'none'");
    expect(policy).toContain("script-src 'self'");
    expect(policy).toContain("connect-src 'self'");
    expect(policy).toContain("frame-ancestors 'none'");
    expect(policy).toContain(`frame-src ${EDITOR_ORIGIN}`);
    expect(policy).toMatch(new RegExp(`form-action 'self' .*${EDITOR_ORIGIN}`));
    expect(response.headers()['x-frame-options']).toBe('DENY');
    // The UI's routes leave the API's alone: an unknown API route is still the API's JSON 404,
    // only known files are served, and the OpenAPI document stays valid.
    const statuses = await page.evaluate(async () => {
      const answer = async (url: string) => {
        const reply = await fetch(url);
        return `${String(reply.status)} ${reply.headers.get('content-type') ?? ''}`;
      };
      return [
        await answer('/mounts/api/v1/nothing-here'),
        await answer('/mounts/_ui/index.html'),
        await answer('/mounts/_ui/main.js'),
        await answer('/mounts/_ui/editors.json'),
      ];
    });
    expect(statuses).toEqual([
      '404 application/json; charset=utf-8',
      '404 application/json; charset=utf-8',
      '200 text/javascript; charset=utf-8',
      '200 application/json; charset=utf-8',
    ]);
    const openapi: any = await (
      await fetch(`${bed().service.origin}/mounts/api/openapi.json`)
    ).json();
    const validation = await new Validator().validate(openapi);
    expect(validation.errors ?? []).toEqual([]);
    // Scripts and styles come from the service itself; nothing went anywhere else.
    const framer = await context.newPage();
    await framer.goto(`${EDITOR_ORIGIN}/framer`);
    const framed = framer.frames().find((frame) => frame !== framer.mainFrame());
    await expect.poll(async () => framed?.locator('#app').count()).toBe(0);
    expect(framed?.url().startsWith(PUBLIC_URL)).toBe(false);
    await framer.close();
    // The page itself loaded nothing from elsewhere (the editor's frame aside).
    const loaded = await page.evaluate<string[]>(
      `performance.getEntriesByType('resource').filter((entry) => entry.initiatorType !== 'iframe').map((entry) => entry.name)`,
    );
    const foreign = loaded.filter((name) => new URL(name).origin !== PUBLIC_URL);
    expect(foreign).toEqual([]);
  });

  it('logs out, at the IdP too', async () => {
    const { page } = manager;
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.waitForURL((url) => url.href.startsWith(bed().idp.issuer));
    await bed().shoot(page, 'logout-at-idp');
    await page.getByRole('button', { name: 'Yes, sign me out' }).click();
    // Back at the mounts, which send the browser to log in again.
    await page.waitForURL(
      (url) => url.href.startsWith(bed().idp.issuer) && url.pathname.includes('interaction'),
    );
    await bed().shoot(page, 'logged-out');
    const session = await page.goto(bed().url('/mounts/auth/session'));
    // No page of the UI threw or broke its policy at any step.
    expect(bed().problems).toEqual([]);
    expect(await session?.json()).toMatchObject({ authenticated: false });
  });
});

describe('the web UI in Chromium, Samba hardened profile', () => {
  const bed = useUiBed('hardened');
  let picks: Picks;

  beforeAll(async () => {
    picks = await makePicks();
    await seedShare(bed());
  });
  afterAll(async () => {
    await rm(picks.directory, { recursive: true, force: true });
  });

  it('logs in, uploads, downloads and opens in the editor over SMB3 with encryption', async () => {
    const { page } = await loggedIn(bed(), USERS.editor, '/mounts/docs/reports/');
    await expect.poll(() => shownNames(page)).toContain('q1.odt');
    await timedStep('hardened: upload of 20 B + 64 MiB', () =>
      uploadSmallAndBig(bed(), page, picks),
    );
    await timedStep('hardened: download of 64 MiB', () => downloadBig(bed(), page));
    await openInEditor(bed(), page, 'q1.odt', true);
    expect(sha256(await readFile(bed().onShare('reports/hello.txt')))).toBe(
      sha256(await readFile(picks.small)),
    );
    expect(bed().problems).toEqual([]);
  });
});
