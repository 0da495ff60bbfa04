import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DiscoveryError, type DiscoveryProblem, parseWopiDiscovery } from './discovery.js';

const URL_GIVEN = 'http://collabora.drive.svc.cluster.local:9980/hosting/discovery';
const LAUNCH = 'https://office.example.org/browser/5c8e2b7a41/cool.html?';

const fixture = (name: string): string =>
  readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url), 'utf8');
const collabora = fixture('collabora-discovery.xml');
const onlyoffice = fixture('onlyoffice-discovery.xml');

function failure(xml: string, problem: DiscoveryProblem): DiscoveryError {
  let caught: unknown;
  try {
    parseWopiDiscovery(xml, URL_GIVEN);
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(DiscoveryError);
  const error = caught as DiscoveryError;
  expect(error.problem).toBe(problem);
  expect(error.url).toBe(URL_GIVEN);
  expect(error.message).toContain(URL_GIVEN);
  return error;
}

/** A public key as discovery carries it: plain base64, big-endian. */
function rsaPair(bits: number): { modulus: string; exponent: string } {
  const { publicKey } = generateKeyPairSync('rsa', { modulusLength: bits });
  const jwk = publicKey.export({ format: 'jwk' });
  const base64 = (value: string | undefined) => Buffer.from(value!, 'base64url').toString('base64');
  return { modulus: base64(jwk.n), exponent: base64(jwk.e) };
}

const edit = (ext: string, urlsrc = LAUNCH) =>
  `<action default="true" ext="${ext}" name="edit" urlsrc="${urlsrc}"/>`;
const app = (name: string, ...actions: string[]) => `<app name="${name}">${actions.join('')}</app>`;
const zone = (name: string, ...apps: string[]) =>
  `<net-zone name="${name}">${apps.join('')}</net-zone>`;
const discovery = (...children: string[]) =>
  `<?xml version="1.0" encoding="utf-8"?>\n<wopi-discovery>${children.join('')}</wopi-discovery>`;
const proofKey = (attributes: Record<string, string>) =>
  `<proof-key ${Object.entries(attributes)
    .map(([name, value]) => `${name}="${value}"`)
    .join(' ')}/>`;

/** The Collabora fixture with its proof-key's attributes replaced. */
function collaboraWithProofKey(attributes: Record<string, string>): string {
  const replaced = collabora.replace(/<proof-key [^>]*\/>/, proofKey(attributes));
  expect(replaced).not.toBe(collabora);
  return replaced;
}

function proofKeyAttributes(xml: string): Record<string, string> {
  const element = /<proof-key ([^>]*)\/>/.exec(xml)![1]!;
  return Object.fromEntries([...element.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]));
}

describe('parseWopiDiscovery on what the editors publish', () => {
  it('reads Collabora: named and mimetype apps by ext, ext="" apps as mimetypes, both key pairs', () => {
    const result = parseWopiDiscovery(collabora, URL_GIVEN);
    expect(result).toEqual({
      netZone: 'external-http',
      ignoredNetZones: [],
      // view-only formats (sxw, dotx, sxc, sxi, vsd, pdf, svg) are left out; rtf comes thrice.
      editExtensions: [
        'csv',
        'doc',
        'docm',
        'docx',
        'fodp',
        'fods',
        'fodt',
        'odg',
        'odm',
        'odp',
        'ods',
        'odt',
        'ott',
        'ppt',
        'pptx',
        'rtf',
        'txt',
        'xls',
        'xlsm',
        'xlsx',
      ],
      // application/pdf has only a view action; Capabilities' getinfo is not an edit action.
      editMimetypes: [
        'application/vnd.oasis.opendocument.presentation',
        'application/vnd.oasis.opendocument.spreadsheet',
        'application/vnd.oasis.opendocument.text',
        'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
        'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
      ],
      urlsrcOrigins: ['https://office.example.org'],
      proofKey: { present: true, hasOldKey: true, modulusBits: 2048 },
    });
  });

  it('reads ONLYOFFICE: Word/Excel/PowerPoint edit actions, not editnew, and its rotated key pair', () => {
    const result = parseWopiDiscovery(onlyoffice, URL_GIVEN);
    expect(result.netZone).toBe('external-http');
    expect(result.editExtensions).toEqual([
      'csv',
      'docm',
      'docx',
      'dotx',
      'odp',
      'ods',
      'odt',
      'potx',
      'pptm',
      'pptx',
      'txt',
      'xlsm',
      'xlsx',
      'xltx',
    ]);
    expect(result.editMimetypes).toEqual([
      'application/vnd.ms-excel.sheet.macroenabled.12',
      'application/vnd.ms-powerpoint.presentation.macroenabled.12',
      'application/vnd.ms-word.document.macroenabled.12',
      'application/vnd.oasis.opendocument.presentation',
      'application/vnd.oasis.opendocument.spreadsheet',
      'application/vnd.oasis.opendocument.text',
      'application/vnd.openxmlformats-officedocument.presentationml.presentation',
      'application/vnd.openxmlformats-officedocument.presentationml.template',
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      'application/vnd.openxmlformats-officedocument.spreadsheetml.template',
      'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
      'application/vnd.openxmlformats-officedocument.wordprocessingml.template',
      'text/csv',
      'text/plain',
    ]);
    // The urlsrc carries escaped <placeholder> templates; only the origin matters here.
    expect(result.urlsrcOrigins).toEqual(['https://docs.example.org']);
    const keys = proofKeyAttributes(onlyoffice);
    expect(keys.oldmodulus).not.toBe(keys.modulus);
    expect(result.proofKey).toEqual({ present: true, hasOldKey: true, modulusBits: 2048 });
  });

  it('uses only the first net-zone and lists the others', () => {
    const xml = discovery(
      zone('external-https', app('writer', edit('odt'), edit('DOCX'), edit('docx'))),
      zone('internal-http', app('calc', edit('ods', 'http://collabora:9980/browser/x/cool.html?'))),
      zone('external-http'),
    );
    expect(parseWopiDiscovery(xml, URL_GIVEN)).toEqual({
      netZone: 'external-https',
      ignoredNetZones: ['internal-http', 'external-http'],
      editExtensions: ['docx', 'odt'],
      editMimetypes: [],
      urlsrcOrigins: ['https://office.example.org'],
      proofKey: { present: false, hasOldKey: false },
    });
  });

  it('accepts a document without proof-key: Drive then skips proof checks', () => {
    const xml = collabora.replace(/<proof-key [^>]*\/>/, '');
    expect(parseWopiDiscovery(xml, URL_GIVEN).proofKey).toEqual({
      present: false,
      hasOldKey: false,
    });
  });

  it('keeps apart the origins of edit actions served from two hosts', () => {
    const xml = discovery(
      zone(
        'external-http',
        app('writer', edit('odt')),
        app('calc', edit('ods', 'http://office.example.org:8080/browser/x/cool.html?')),
        app('text/plain', edit('')),
      ),
    );
    const result = parseWopiDiscovery(xml, URL_GIVEN);
    expect(result.urlsrcOrigins).toEqual([
      'http://office.example.org:8080',
      'https://office.example.org',
    ]);
    expect(result.editMimetypes).toEqual(['text/plain']);
  });
});

describe('parseWopiDiscovery refusing what Drive cannot use', () => {
  it.each([
    ['plain text', 'Bad Gateway'],
    ['an HTML error page', '<!DOCTYPE html><html><head><meta charset="utf-8"></head></html>'],
    ['a truncated document', collabora.slice(0, collabora.length / 2)],
    ['an empty body', ''],
    ['JSON', '{"error":"not found"}'],
  ])('calls %s malformed', (_, body) => {
    const error = failure(body, 'DiscoveryMalformed');
    expect(error.message).toMatch(/is not XML \(.+, line \d+\)/);
    expect(error.message).toContain("serves the editor's /hosting/discovery");
  });

  it('refuses a bare & that only a lenient parser would read', () => {
    const xml = discovery(zone('external-http', app('writer', edit('odt', `${LAUNCH}a=1&b=2`))));
    expect(failure(xml, 'DiscoveryMalformed').message).toContain("bare '&'");
  });

  it('refuses entity declarations, as defusedxml does', () => {
    const xml = `<!DOCTYPE wopi-discovery [<!ENTITY host "office.example.org">]>${discovery(
      zone('external-http', app('writer', edit('odt', 'https://&host;/cool.html?'))),
    )}`;
    expect(failure(xml, 'DiscoveryMalformed').message).toContain('declares XML entities');
  });

  it('refuses a root other than wopi-discovery', () => {
    const error = failure('<html><body><h1>Sign in</h1></body></html>', 'DiscoveryMalformed');
    expect(error.message).toContain('root element is <html>, not <wopi-discovery>');
  });

  it('refuses a default namespace, under which Drive finds no net-zone', () => {
    const xml = collabora.replace('<wopi-discovery>', '<wopi-discovery xmlns="urn:wopi">');
    expect(failure(xml, 'DiscoveryMalformed').message).toContain('default XML namespace');
  });

  it('refuses a document without net-zone', () => {
    const error = failure(discovery(proofKey(rsaPair(2048))), 'DiscoveryMalformed');
    expect(error.message).toContain('has no <net-zone>');
  });

  it('reports a first zone without edit actions, and a later zone that has some', () => {
    const viewOnly = app(
      'writer',
      `<action default="true" ext="odt" name="view" urlsrc="${LAUNCH}"/>`,
      `<action ext="odt" name="editnew" urlsrc="${LAUNCH}"/>`,
    );
    const capabilities = app(
      'Capabilities',
      '<action ext="" name="getinfo" urlsrc="https://office.example.org/hosting/capabilities"/>',
    );
    const alone = failure(
      discovery(zone('external-http', viewOnly, capabilities)),
      'NoEditActions',
    );
    expect(alone.message).toContain('net-zone "external-http" has no edit action with a urlsrc');
    const later = failure(
      discovery(zone('external-http', viewOnly), zone('internal-http', app('calc', edit('ods')))),
      'NoEditActions',
    );
    expect(later.message).toContain('net-zone "internal-http" has some');
  });

  it('does not count edit actions without urlsrc, without ext, or in an app without name', () => {
    const xml = discovery(
      zone(
        'external-http',
        app('writer', '<action default="true" ext="odt" name="edit"/>'),
        app('calc', `<action name="edit" urlsrc="${LAUNCH}"/>`),
        `<app>${edit('odp')}</app>`,
      ),
    );
    failure(xml, 'NoEditActions');
  });

  it('refuses an edit action without urlsrc next to good ones', () => {
    const xml = discovery(
      zone('external-http', app('writer', edit('odt'), '<action ext="rtf" name="edit"/>')),
    );
    expect(failure(xml, 'DiscoveryMalformed').message).toContain(
      'the edit action for ext rtf has no urlsrc',
    );
  });

  it.each(['/browser/5c8e2b7a41/cool.html?', 'cool.html?', 'ftp://office.example.org/cool.html?'])(
    'refuses the urlsrc %s, which is not absolute http(s)',
    (urlsrc) => {
      const xml = collabora.replaceAll(LAUNCH, urlsrc);
      const error = failure(xml, 'DiscoveryMalformed');
      expect(error.message).toContain(`urlsrc "${urlsrc}"`);
      expect(error.message).toContain('not an absolute http(s) URL');
    },
  );
});

describe('parseWopiDiscovery on proof keys', () => {
  const current = proofKeyAttributes(collabora);

  it('refuses a proof-key without the old pair, on which Drive crashes', () => {
    const xml = collaboraWithProofKey({
      value: current.value!,
      modulus: current.modulus!,
      exponent: current.exponent!,
    });
    const error = failure(xml, 'ProofKeyIncomplete');
    expect(error.message).toContain(
      "proof-key lacks oldmodulus and oldexponent: Drive's parser fails on it",
    );
  });

  it('refuses a proof-key with only the old pair', () => {
    const xml = collaboraWithProofKey({
      oldmodulus: current.modulus!,
      oldexponent: current.exponent!,
    });
    expect(failure(xml, 'ProofKeyIncomplete').message).toContain(
      'proof-key lacks modulus and exponent',
    );
  });

  it.each([
    ['modulus', 'not base64!'],
    ['modulus', ''],
    ['oldexponent', 'AQAB='],
    ['oldmodulus', 'q83v_-'],
  ])('refuses %s="%s", which is not base64', (attribute, value) => {
    const xml = collaboraWithProofKey({ ...current, [attribute]: value });
    expect(failure(xml, 'ProofKeyIncomplete').message).toContain(
      `proof-key ${attribute} is not base64`,
    );
  });

  it('refuses a 1024-bit key, current or old', () => {
    const weak = rsaPair(1024);
    const weakCurrent = failure(
      collaboraWithProofKey({ ...current, modulus: weak.modulus, exponent: weak.exponent }),
      'ProofKeyIncomplete',
    );
    expect(weakCurrent.message).toContain('proof-key modulus is 1024 bits, under 2048');
    const weakOld = failure(
      collaboraWithProofKey({ ...current, oldmodulus: weak.modulus, oldexponent: weak.exponent }),
      'ProofKeyIncomplete',
    );
    expect(weakOld.message).toContain('proof-key oldmodulus is 1024 bits');
  });

  it.each([
    ['an even exponent', { exponent: Buffer.from([2]).toString('base64') }],
    ['the exponent 1', { exponent: Buffer.from([1]).toString('base64') }],
    ['an even modulus', { modulus: Buffer.alloc(256, 0xfe).toString('base64') }],
  ])('refuses %s, from which Drive cannot build a key', (_, replaced) => {
    const xml = collaboraWithProofKey({ ...current, ...replaced });
    expect(failure(xml, 'ProofKeyIncomplete').message).toContain(
      'proof-key modulus/exponent is not a usable RSA public key',
    );
  });

  it('accepts a 3072-bit key and reports its size', () => {
    const strong = rsaPair(3072);
    const xml = collaboraWithProofKey({ ...current, ...strong });
    expect(parseWopiDiscovery(xml, URL_GIVEN).proofKey).toEqual({
      present: true,
      hasOldKey: true,
      modulusBits: 3072,
    });
  });
});
