// The web UI's rules that need no browser: the page's security policy, what the editors'
// discovery makes of it, and the browser modules' pure parts (addresses, sorting), which run
// the same in Node.
import { describe, expect, it } from 'vitest';
import type { DiscoverySnapshot } from '../wopi/discovery-cache.js';
import type { EditorDiscovery } from '../wopi/discovery.js';
import { contentSecurityPolicy, originsOf, pageHeaders } from './csp.js';
import { Editors, summarize } from './editors.js';
import { pageUrl, parseRoute, within } from '../../ui/src/paths.js';
import { readSort, sortEntries, sortSearch, toggled } from '../../ui/src/sorting.js';

function directives(policy: string): Map<string, string[]> {
  return new Map(
    policy.split('; ').map((directive) => {
      const [name = '', ...values] = directive.split(' ');
      return [name, values];
    }),
  );
}

function editor(actions: Record<string, { edit?: string; view?: string }>): EditorDiscovery {
  return {
    url: 'http://collabora:9980/hosting/discovery',
    byExtension: new Map(Object.entries(actions)),
    byMimetype: new Map([['application/pdf', { view: 'https://pdf.example/view?' }]]),
  };
}

describe('the page policy', () => {
  it('allows only the page’s own origin, and the editors for frames and forms', () => {
    const policy = directives(
      contentSecurityPolicy({
        editorOrigins: ['https://office.example/browser/1/cool.html?', 'https://office.example/x'],
        formOrigins: ['https://id.example/realms/r/logout'],
      }),
    );
    expect(policy.get('default-src')).toEqual(["'none'"]);
    for (const name of ['script-src', 'style-src', 'img-src', 'connect-src'])
      expect(policy.get(name)).toEqual(["'self'"]);
    expect(policy.get('frame-src')).toEqual(['https://office.example']);
    expect(policy.get('form-action')).toEqual([
      "'self'",
      'https://id.example',
      'https://office.example',
    ]);
    expect(policy.get('frame-ancestors')).toEqual(["'none'"]);
    expect(policy.get('base-uri')).toEqual(["'none'"]);
    expect(policy.get('require-trusted-types-for')).toEqual(["'script'"]);
  });

  it('frames nothing without an editor', () => {
    const policy = directives(contentSecurityPolicy({ editorOrigins: [], formOrigins: [] }));
    expect(policy.get('frame-src')).toEqual(["'none'"]);
    expect(policy.get('form-action')).toEqual(["'self'"]);
  });

  it('names web origins only, whatever discovery says', () => {
    expect(
      originsOf([
        'javascript:alert(1)',
        'data:text/html,x',
        'not a url',
        'http://a.example:8080/x',
      ]),
    ).toEqual(['http://a.example:8080']);
  });

  it('keeps the page out of frames and its paths out of Referer, but not Origin', () => {
    const headers = pageHeaders('default-src none');
    expect(headers['x-frame-options']).toBe('DENY');
    expect(headers['referrer-policy']).toBe('same-origin');
    expect(headers['x-content-type-options']).toBe('nosniff');
  });
});

describe('the editors, from discovery', () => {
  const snapshot: DiscoverySnapshot = {
    editors: [
      undefined,
      editor({
        odt: { edit: 'https://office.example/cool.html?', view: 'https://view.example/v?' },
        pdf: { view: 'https://office.example/cool.html?' },
      }),
    ],
    failures: ['down', ''],
  };

  it('gives the launch origins and the extensions with an edit action', () => {
    expect(summarize(snapshot)).toEqual({
      origins: ['https://office.example', 'https://pdf.example', 'https://view.example'],
      extensions: ['odt'],
    });
  });

  it('does not hold the page for a slow discovery, and keeps the last answer', async () => {
    let answer: Promise<DiscoverySnapshot> = Promise.resolve(snapshot);
    const editors = new Editors(() => answer, 20);
    expect((await editors.current()).extensions).toEqual(['odt']);
    answer = new Promise(() => undefined);
    const started = performance.now();
    expect((await editors.current()).extensions).toEqual(['odt']);
    expect(performance.now() - started).toBeLessThan(1000);
    answer = Promise.reject(new Error('discovery down'));
    expect((await editors.current()).extensions).toEqual(['odt']);
  });

  it('is empty without a WOPI host', async () => {
    expect(await new Editors(() => undefined).current()).toEqual({ origins: [], extensions: [] });
  });
});

describe('the UI’s addresses', () => {
  it('reads the mounts, folders and files', () => {
    expect(parseRoute('/mounts/')).toEqual({ kind: 'home' });
    expect(parseRoute('/mounts')).toEqual({ kind: 'home' });
    expect(parseRoute('/mounts/docs/')).toEqual({
      kind: 'mount',
      mount: 'docs',
      path: '',
      directory: true,
    });
    expect(parseRoute('/mounts/docs/a%20b/c%2Fd.txt')).toEqual({
      kind: 'mount',
      mount: 'docs',
      path: 'a b/c/d.txt',
      directory: false,
    });
    expect(parseRoute('/mounts/docs//x/')).toEqual({ kind: 'invalid' });
    expect(parseRoute('/mounts/docs/%E0%A4%A/')).toEqual({ kind: 'invalid' });
    expect(parseRoute('/elsewhere/')).toEqual({ kind: 'invalid' });
  });

  it('writes each name as one segment, so that the address reads back the same', () => {
    const url = pageUrl('docs', 'Minutes 2025/Q1 #1 ?.odt', false);
    expect(url).toBe('/mounts/docs/Minutes%202025/Q1%20%231%20%3F.odt');
    expect(parseRoute(url)).toMatchObject({ path: 'Minutes 2025/Q1 #1 ?.odt', directory: false });
    expect(pageUrl('docs', '', true, '?sort=size')).toBe('/mounts/docs/?sort=size');
  });

  it('keeps a share link’s holder below its item', () => {
    expect(within('reports', 'reports/q1.odt')).toBe(true);
    expect(within('reports', 'reports-old/q1.odt')).toBe(false);
    expect(within('', 'anything')).toBe(true);
  });
});

describe('the UI’s sorting', () => {
  const entry = (name: string, type: 'file' | 'directory', size: number, mtime: string) => ({
    name,
    path: name,
    type,
    size,
    mtime,
    version: '',
  });
  const entries = [
    entry('b.txt', 'file', 30, '2024-03-01T00:00:00Z'),
    entry('a10.txt', 'file', 10, '2024-01-01T00:00:00Z'),
    entry('a9.txt', 'file', 20, '2024-02-01T00:00:00Z'),
    entry('zeta', 'directory', 0, '2023-01-01T00:00:00Z'),
  ];
  const names = (sort: Parameters<typeof sortEntries>[1]) =>
    sortEntries(entries, sort).map((each) => each.name);

  it('puts folders first, names in natural order, either way round', () => {
    expect(names({ key: 'name', order: 'asc' })).toEqual(['zeta', 'a9.txt', 'a10.txt', 'b.txt']);
    expect(names({ key: 'name', order: 'desc' })).toEqual(['zeta', 'b.txt', 'a10.txt', 'a9.txt']);
    expect(names({ key: 'size', order: 'asc' })).toEqual(['zeta', 'a10.txt', 'a9.txt', 'b.txt']);
    expect(names({ key: 'modified', order: 'desc' })).toEqual([
      'zeta',
      'b.txt',
      'a9.txt',
      'a10.txt',
    ]);
  });

  it('keeps the order in the address, the default as none', () => {
    expect(readSort('?sort=size&order=desc')).toEqual({ key: 'size', order: 'desc' });
    expect(readSort('?sort=owner')).toEqual({ key: 'name', order: 'asc' });
    expect(sortSearch({ key: 'name', order: 'asc' })).toBe('');
    expect(sortSearch(toggled({ key: 'name', order: 'asc' }, 'name'))).toBe(
      '?sort=name&order=desc',
    );
    expect(toggled({ key: 'name', order: 'desc' }, 'size')).toEqual({ key: 'size', order: 'asc' });
  });
});
