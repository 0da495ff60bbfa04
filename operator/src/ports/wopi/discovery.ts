// A WOPI editor's discovery document (`GET <editor>/hosting/discovery`), judged the way Drive's
// configure_wopi task will read it, so that a WopiClient which passes here also works in Drive:
// only the first net-zone, only `edit` actions (by ext, or by app name as a mimetype when ext is
// ""), and a proof-key that must carry both pairs because Drive builds a key from each.
import { createPublicKey } from 'node:crypto';
import { XMLParser, XMLValidator } from 'fast-xml-parser';

export type DiscoveryProblem =
  /** Network error, timeout, redirect or non-2xx; the message names the URL and the status. */
  | 'DiscoveryUnreachable'
  /** Not XML, root is not wopi-discovery, no net-zone, or a urlsrc that is not absolute http(s). */
  | 'DiscoveryMalformed'
  /** The first net-zone has no `action name="edit"` with a urlsrc. */
  | 'NoEditActions'
  /** A proof-key whose current or old pair is missing, not base64, not an RSA key, or < 2048 bits. */
  | 'ProofKeyIncomplete';

export class DiscoveryError extends Error {
  override name = 'DiscoveryError';
  constructor(
    readonly problem: DiscoveryProblem,
    /** The discovery URL, as given. */
    readonly url: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface WopiDiscovery {
  /** name of the first net-zone, the only one Drive reads */
  netZone: string;
  /** other net-zone names (Drive ignores them; the controller warns) */
  ignoredNetZones: string[];
  /** extensions (lower-case, sorted, unique) with an edit action in the first zone */
  editExtensions: string[];
  /** mimetypes mapped from apps whose edit action has ext="" */
  editMimetypes: string[];
  /** distinct urlsrc origins (scheme://host[:port]) of the edit actions — the controller checks https and host */
  urlsrcOrigins: string[];
  /**
   * `hasOldKey` is true whenever `present` is: a proof-key without its old pair is refused
   * (ProofKeyIncomplete), since Drive fails on it. `modulusBits` is the current key's size.
   */
  proofKey: { present: boolean; hasOldKey: boolean; modulusBits?: number };
}

const DEFAULT_TIMEOUT_MS = 10_000;
/** Real documents are tens of KiB; anything this big is not discovery, and is not buffered. */
const MAX_BODY_BYTES = 5 * 1024 * 1024;
const MIN_MODULUS_BITS = 2048;

interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
}

const ATTRIBUTES = ':@';

const parser = new XMLParser({
  // Document order matters: Drive takes the first net-zone and the first proof-key.
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseAttributeValue: false,
  // Only to decode numeric character references (&#38;) as expat does; named HTML entities
  // never reach the parser, undefinedEntity() refuses them first.
  htmlEntities: true,
});

function toElements(nodes: unknown): XmlElement[] {
  if (!Array.isArray(nodes)) return [];
  const elements: XmlElement[] = [];
  for (const node of nodes as unknown[]) {
    if (typeof node !== 'object' || node === null) continue;
    const record = node as Record<string, unknown>;
    // Text (#text), the declaration (?xml) and other markup are not elements.
    const name = Object.keys(record).find(
      (key) => key !== ATTRIBUTES && !key.startsWith('#') && !key.startsWith('?'),
    );
    if (name === undefined) continue;
    const attributes: Record<string, string> = {};
    const raw = record[ATTRIBUTES];
    if (typeof raw === 'object' && raw !== null) {
      for (const [key, value] of Object.entries(raw)) {
        if (typeof value === 'string') attributes[key] = value;
      }
    }
    elements.push({ name, attributes, children: toElements(record[name]) });
  }
  return elements;
}

/** First descendant with this name in document order, like ElementTree's `.//name`. */
function findFirst(element: XmlElement, name: string): XmlElement | undefined {
  for (const child of element.children) {
    if (child.name === name) return child;
    const found = findFirst(child, name);
    if (found) return found;
  }
  return undefined;
}

/**
 * fast-xml-parser passes a bare `&` and unknown entities through, where Drive's expat-based
 * parser stops; comments and CDATA may hold either legitimately.
 */
function undefinedEntity(xml: string): string | undefined {
  const markup = xml.replace(/<!--[\s\S]*?-->/g, '').replace(/<!\[CDATA\[[\s\S]*?\]\]>/g, '');
  return /&(?!(?:amp|lt|gt|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);)[^\s"'<]{0,12}/.exec(markup)?.[0];
}

function malformed(url: string, message: string): DiscoveryError {
  return new DiscoveryError('DiscoveryMalformed', url, `WOPI discovery ${url}: ${message}`);
}

function parseRoot(xml: string, url: string): XmlElement {
  const notDiscovery =
    "check that the URL serves the editor's /hosting/discovery, not an error or login page";
  // defusedxml, which Drive parses with, refuses entity declarations outright.
  if (/<!ENTITY/i.test(xml)) {
    throw malformed(url, 'declares XML entities, which Drive refuses; serve plain discovery');
  }
  // XMLValidator is deprecated in favour of a separate package; this one is already a dependency.
  // eslint-disable-next-line @typescript-eslint/no-deprecated
  const verdict = XMLValidator.validate(xml);
  if (verdict !== true) {
    const { msg, line } = verdict.err;
    throw malformed(url, `is not XML (${msg.replace(/\.$/, '')}, line ${line}); ${notDiscovery}`);
  }
  const entity = undefinedEntity(xml);
  if (entity !== undefined) {
    throw malformed(url, `has a bare '&' or unknown entity (${entity}), so Drive cannot parse it`);
  }
  const roots = toElements(parser.parse(xml));
  const [root] = roots;
  if (!root) throw malformed(url, `has no root element; ${notDiscovery}`);
  if (roots.length > 1) throw malformed(url, `has ${roots.length} root elements; ${notDiscovery}`);
  if (root.name !== 'wopi-discovery') {
    throw malformed(url, `root element is <${root.name}>, not <wopi-discovery>; ${notDiscovery}`);
  }
  // ElementTree then names every element {namespace}tag, and Drive's `.//net-zone` finds none.
  if (root.attributes.xmlns !== undefined) {
    throw malformed(url, 'root declares a default XML namespace, so Drive finds no net-zone');
  }
  return root;
}

interface EditAction {
  app: string;
  ext: string;
  urlsrc: string | undefined;
}

function editActions(zone: XmlElement): EditAction[] {
  const actions: EditAction[] = [];
  for (const app of zone.children) {
    const appName = app.attributes.name;
    // Drive skips an app without a name.
    if (app.name !== 'app' || appName === undefined) continue;
    for (const action of app.children) {
      // Without an ext attribute Drive files the action under the key None, which no file matches.
      const ext = action.attributes.ext;
      if (action.name !== 'action' || action.attributes.name !== 'edit' || ext === undefined) {
        continue;
      }
      const urlsrc = action.attributes.urlsrc?.trim();
      actions.push({ app: appName, ext, urlsrc: urlsrc === '' ? undefined : urlsrc });
    }
  }
  return actions;
}

function launchOrigin(action: EditAction, url: string): string {
  const label = action.ext === '' ? `app ${action.app}` : `ext ${action.ext}`;
  if (action.urlsrc === undefined) {
    throw malformed(url, `the edit action for ${label} has no urlsrc; Drive would launch nothing`);
  }
  let parsed: URL | undefined;
  try {
    parsed = new URL(action.urlsrc);
  } catch {
    parsed = undefined;
  }
  if (parsed?.protocol !== 'http:' && parsed?.protocol !== 'https:') {
    throw malformed(
      url,
      `urlsrc "${action.urlsrc}" (${label}) is not an absolute http(s) URL, and the browser loads it ` +
        "in an iframe; set the editor's public URL (Collabora: server_name; ONLYOFFICE: wopi.host)",
    );
  }
  return parsed.origin;
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function proofKeyError(url: string, message: string): DiscoveryError {
  return new DiscoveryError('ProofKeyIncomplete', url, `WOPI discovery ${url}: ${message}`);
}

function decodeBase64(value: string, attribute: string, url: string): Buffer {
  const compact = value.replace(/\s+/g, '');
  if (compact === '' || !BASE64.test(compact)) {
    throw proofKeyError(
      url,
      `proof-key ${attribute} is not base64, so Drive cannot build a key from it`,
    );
  }
  return Buffer.from(compact, 'base64');
}

function bigEndian(bytes: Buffer): bigint {
  return bytes.length === 0 ? 0n : BigInt(`0x${bytes.toString('hex')}`);
}

/** Size in bits of the key built from one pair; throws unless Drive could build and use it. */
function checkKey(
  attributes: Record<string, string>,
  modulusName: string,
  exponentName: string,
  url: string,
): number {
  const modulusValue = attributes[modulusName] ?? '';
  const exponentValue = attributes[exponentName] ?? '';
  const modulus = decodeBase64(modulusValue, modulusName, url);
  const exponent = decodeBase64(exponentValue, exponentName, url);
  const n = bigEndian(modulus);
  const e = bigEndian(exponent);
  const pair = `${modulusName}/${exponentName}`;
  // The checks Python's cryptography makes (RSAPublicNumbers.public_key) before Drive gets a key;
  // node:crypto accepts all of these.
  if (n % 2n === 0n || e < 3n || e >= n || e % 2n === 0n) {
    throw proofKeyError(
      url,
      `proof-key ${pair} is not a usable RSA public key; Drive's parser fails on it`,
    );
  }
  let bits: number | undefined;
  try {
    const key = createPublicKey({
      key: { kty: 'RSA', n: modulus.toString('base64url'), e: exponent.toString('base64url') },
      format: 'jwk',
    });
    bits = key.asymmetricKeyDetails?.modulusLength;
  } catch (error) {
    throw new DiscoveryError(
      'ProofKeyIncomplete',
      url,
      `WOPI discovery ${url}: proof-key ${pair} is not a usable RSA public key`,
      { cause: error },
    );
  }
  if (bits === undefined || bits < MIN_MODULUS_BITS) {
    throw proofKeyError(
      url,
      `proof-key ${modulusName} is ${bits ?? 'of unknown size'} bits, under ${MIN_MODULUS_BITS}; ` +
        'give the editor a stronger proof key (Collabora: the proof_key Secret; ONLYOFFICE: wopi.privateKey)',
    );
  }
  return bits;
}

function proofKeyOf(root: XmlElement, url: string): WopiDiscovery['proofKey'] {
  const element = findFirst(root, 'proof-key');
  // Drive then skips signature checks for this editor: valid, but the controller may warn.
  if (!element) return { present: false, hasOldKey: false };
  const { attributes } = element;
  const missing = ['modulus', 'exponent', 'oldmodulus', 'oldexponent'].filter(
    (name) => attributes[name] === undefined,
  );
  if (missing.length > 0) {
    const list = missing.join(missing.length === 2 ? ' and ' : ', ');
    const onlyOld = missing.every((name) => name.startsWith('old'));
    throw proofKeyError(
      url,
      `proof-key lacks ${list}: Drive's parser fails on it; ` +
        (onlyOld
          ? 'publish the old pair too (equal to the current one if the key never rotated)'
          : 'publish modulus, exponent, oldmodulus and oldexponent, or no proof-key at all'),
    );
  }
  const modulusBits = checkKey(attributes, 'modulus', 'exponent', url);
  checkKey(attributes, 'oldmodulus', 'oldexponent', url);
  return { present: true, hasOldKey: true, modulusBits };
}

const sortedUnique = (values: Iterable<string>): string[] => [...new Set(values)].sort();

/** Reads a discovery document as Drive will; throws DiscoveryError on what would break Drive. */
export function parseWopiDiscovery(xml: string, url: string): WopiDiscovery {
  const root = parseRoot(xml, url);
  const zones = root.children.filter((child) => child.name === 'net-zone');
  const [zone, ...ignored] = zones;
  if (!zone) {
    throw malformed(url, "has no <net-zone>, and Drive's configure_wopi stops on that");
  }
  const netZone = zone.attributes.name ?? '';
  const actions = editActions(zone);
  if (!actions.some((action) => action.urlsrc !== undefined)) {
    const elsewhere = ignored.find((other) =>
      editActions(other).some((action) => action.urlsrc !== undefined),
    );
    throw new DiscoveryError(
      'NoEditActions',
      url,
      `WOPI discovery ${url}: net-zone "${netZone}" has no edit action with a urlsrc, so Drive ` +
        'opens no file in this editor; ' +
        (elsewhere
          ? `net-zone "${elsewhere.attributes.name ?? ''}" has some, but Drive reads only the first`
          : 'check that the editor enables editing (ONLYOFFICE: wopi.wordEdit, cellEdit, slideEdit)'),
    );
  }
  const origins = actions.map((action) => launchOrigin(action, url));
  return {
    netZone,
    ignoredNetZones: ignored.map((other) => other.attributes.name ?? ''),
    editExtensions: sortedUnique(
      actions.filter((action) => action.ext !== '').map((action) => action.ext.toLowerCase()),
    ),
    editMimetypes: sortedUnique(
      actions.filter((action) => action.ext === '').map((action) => action.app),
    ),
    urlsrcOrigins: sortedUnique(origins),
    proofKey: proofKeyOf(root, url),
  };
}

const NETWORK_HINTS: Record<string, string> = {
  ECONNREFUSED: 'connection refused; check that the editor runs and listens on that port',
  ECONNRESET: 'connection reset; check the editor and any proxy in front of it',
  ENOTFOUND: 'host not found; check the host name (a Service is <name>.<namespace>.svc)',
  EAI_AGAIN: 'host name lookup failed; check DNS and the host name',
  EHOSTUNREACH: 'host unreachable; check the address and NetworkPolicies',
  ENETUNREACH: 'network unreachable; check the address and NetworkPolicies',
  UND_ERR_SOCKET: 'the connection closed mid-answer; check the editor and any proxy',
};

/** The errors fetch wraps, outermost first ("fetch failed", then the socket's own). */
function causes(error: unknown): { code?: unknown; message?: unknown }[] {
  const chain: { code?: unknown; message?: unknown; cause?: unknown }[] = [];
  for (let current = error; typeof current === 'object' && current !== null && chain.length < 5;) {
    const link = current as { code?: unknown; message?: unknown; cause?: unknown };
    chain.push(link);
    current = link.cause;
  }
  return chain;
}

function unreachable(url: string, error: unknown, timeoutMs: number): DiscoveryError {
  const prefix = `GET ${url}`;
  if (error instanceof DiscoveryError) return error;
  if ((error as { name?: unknown } | null)?.name === 'TimeoutError') {
    return new DiscoveryError(
      'DiscoveryUnreachable',
      url,
      `${prefix} got no complete answer within ${timeoutMs} ms; check that the editor is up and ` +
        'that nothing drops the connection',
      { cause: error },
    );
  }
  const chain = causes(error);
  const code = chain.map((link) => link.code).find((c) => typeof c === 'string') ?? '';
  const innermost = chain.at(-1)?.message;
  let hint = NETWORK_HINTS[code];
  if (hint === undefined && /CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO/.test(code)) {
    hint = `TLS certificate refused (${code}); Drive verifies it too, so give the editor a trusted one`;
  }
  // Node's fetch refuses the ports the Fetch standard blocks (9, 6000, 6665-6669, ...) without
  // connecting; Drive's requests has no such list.
  if (hint === undefined && innermost === 'bad port') {
    hint =
      "the port is on fetch's blocked list, so the operator cannot check it; serve the editor on another port";
  }
  hint ??= `${typeof innermost === 'string' ? innermost : String(error)}${code ? ` (${code})` : ''}`;
  return new DiscoveryError('DiscoveryUnreachable', url, `${prefix} failed: ${hint}`, {
    cause: error,
  });
}

function statusHint(status: number): string {
  if (status === 404) {
    return 'check the path ends in /hosting/discovery and that WOPI is on (ONLYOFFICE: wopi.enable)';
  }
  if (status === 401 || status === 403) {
    return 'discovery must be served without credentials; Drive sends none';
  }
  if (status === 502 || status === 503 || status === 504) {
    return 'a proxy in front of the editor cannot reach it; check that the editor is up';
  }
  if (status >= 500) return "the editor failed to answer; see the editor's log";
  return "Drive's discovery fetch fails on any status but 2xx";
}

async function readCapped(response: Response, url: string): Promise<string> {
  const declared = Number(response.headers.get('content-length') ?? NaN);
  const tooBig = malformed(
    url,
    `answers more than ${MAX_BODY_BYTES} bytes, so it is not discovery`,
  );
  if (declared > MAX_BODY_BYTES) {
    await response.body?.cancel();
    throw tooBig;
  }
  if (!response.body) return '';
  // undici types the stream loosely; its chunks are bytes.
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > MAX_BODY_BYTES) {
      await reader.cancel();
      throw tooBig;
    }
    chunks.push(value);
  }
  // TextDecoder drops a UTF-8 BOM, which the XML validator would otherwise reject.
  return new TextDecoder('utf-8').decode(Buffer.concat(chunks));
}

function redirectTarget(response: Response, base: URL): string {
  const location = response.headers.get('location');
  if (location === null) return '(no Location)';
  try {
    return new URL(location, base).href;
  } catch {
    return location;
  }
}

/**
 * GETs the discovery URL and parses it. Redirects are refused: Drive's requests.get would follow
 * them, but the operator writes this URL into Drive's settings and should write the final one,
 * so that what was checked is exactly what Drive fetches, not a hop (say an ingress forcing
 * https) that can change behind it. The message names the target, so the fix is to copy it.
 */
export async function fetchWopiDiscovery(
  url: string,
  options: { timeoutMs?: number } = {},
): Promise<WopiDiscovery> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  let target: URL | undefined;
  try {
    target = new URL(url);
  } catch {
    target = undefined;
  }
  // fetch would also read data: and blob: URLs; Drive's requests only speaks http(s).
  if (target?.protocol !== 'http:' && target?.protocol !== 'https:') {
    throw new DiscoveryError(
      'DiscoveryUnreachable',
      url,
      `WOPI discovery URL "${url}" is not an absolute http(s) URL; give e.g. http://collabora:9980/hosting/discovery`,
    );
  }
  let body: string;
  try {
    // One deadline for the headers and the body: a server that trickles bytes is not an answer.
    const response = await fetch(target, {
      signal: AbortSignal.timeout(timeoutMs),
      // 'manual', not 'error', so that the status and Location can be reported.
      redirect: 'manual',
    });
    if (!response.ok) {
      await response.body?.cancel();
      const status = `${response.status}${response.statusText ? ` ${response.statusText}` : ''}`;
      const message =
        response.status >= 300 && response.status < 400
          ? `GET ${url} answered ${status} to ${redirectTarget(response, target)}; ` +
            'give Drive the final URL instead, so that the URL checked is the one Drive fetches'
          : `GET ${url} answered ${status}; ${statusHint(response.status)}`;
      throw new DiscoveryError('DiscoveryUnreachable', url, message);
    }
    body = await readCapped(response, url);
  } catch (error) {
    throw unreachable(url, error, timeoutMs);
  }
  return parseWopiDiscovery(body, url);
}
