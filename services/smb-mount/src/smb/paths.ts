// Paths inside a mount. A path from a request is checked segment by segment before anything
// reaches SMB: only plain names that Samba stores and lists back unchanged pass, never anything
// that could climb out of the mount root or mean something else to a later hop.
import { SmbError } from './errors.js';

export type PathRejection =
  | 'absolute'
  | 'empty-segment'
  | 'dot-segment'
  | 'backslash'
  | 'control-character'
  | 'malformed-encoding'
  | 'encoded-separator'
  | 'lookalike'
  | 'reserved-character'
  | 'trailing-dot-or-space'
  | 'name-too-long'
  | 'path-too-long';

const DESCRIPTIONS: Readonly<Record<PathRejection, string>> = {
  absolute: 'an absolute path',
  'empty-segment': 'an empty segment',
  'dot-segment': 'a segment of dots only',
  backslash: 'a backslash',
  'control-character': 'a control character',
  'malformed-encoding': 'malformed percent-encoding',
  'encoded-separator': 'an encoded separator, dot segment or control character',
  lookalike: 'a Unicode lookalike of a slash, backslash or dot segment',
  'reserved-character': 'a character SMB does not allow in names (: * ? " < > |)',
  'trailing-dot-or-space': 'a name ending in a dot or space, which Samba lists under another name',
  'name-too-long': 'a name longer than 255 bytes',
  'path-too-long': 'a path longer than 3072 bytes',
};

export class PathError extends SmbError {
  override name = 'PathError';
  readonly reason: PathRejection;

  constructor(reason: PathRejection) {
    super('Invalid', `refused path: ${DESCRIPTIONS[reason]}`, { operation: 'path' });
    this.reason = reason;
  }
}

/** Bytes, as Samba's Linux file systems count them. */
export const MAX_NAME_BYTES = 255;
/** The mount root (smb.path, at most 1024 characters) plus this stays within Linux's PATH_MAX. */
export const MAX_PATH_BYTES = 3072;

// Characters that render as a slash, backslash or full stop without being one. NFKC folds some of
// them (U+FF0F, U+FF3C, U+FF0E, U+2024, U+FE52); these do not fold and are listed.
const SLASH_LOOKALIKES = /[\u2044\u2215\u2571\u27cb\u29f8\u3033\uff0f\u2cc1]/u;
const BACKSLASH_LOOKALIKES = /[\u2216\u2572\u27cd\u29f5\u29f9\ufe68\uff3c]/u;
const DOT_LOOKALIKES = /[\u2024\u3002\uff0e\uff61\ufe52\u0701\u0702\ua4f8\u2e33]/gu;
// Control characters, and the bidirectional overrides that make a name display as another.
const CONTROL = /[\p{Cc}\u202a-\u202e\u2066-\u2069]/u;
const RESERVED = /[:*?"<>|]/;

const encoder = new TextEncoder();

/** Decodes while the text still changes and decodes: what any later hop could make of it. */
function fullyDecoded(text: string): string {
  let current = text;
  for (let round = 0; round < 4; round += 1) {
    let next: string;
    try {
      next = decodeURIComponent(current);
    } catch {
      return current;
    }
    if (next === current) return current;
    current = next;
  }
  return current;
}

/** Checks one decoded name: a single segment, with no separator of any kind in it. */
function checkName(name: string): void {
  if (name === '') throw new PathError('empty-segment');
  if (CONTROL.test(name)) throw new PathError('control-character');
  if (name.includes('\\')) throw new PathError('backslash');
  if (name.includes('/')) throw new PathError('encoded-separator');
  const deeper = fullyDecoded(name);
  if (deeper !== name && (/[/\\]/.test(deeper) || CONTROL.test(deeper) || /^\.+$/.test(deeper)))
    throw new PathError('encoded-separator');
  if (/^\.+$/.test(name)) throw new PathError('dot-segment');
  const folded = name.normalize('NFKC');
  if (
    /[/\\]/.test(folded) ||
    SLASH_LOOKALIKES.test(folded) ||
    BACKSLASH_LOOKALIKES.test(folded) ||
    /^\.+$/.test(folded.replace(DOT_LOOKALIKES, '.'))
  )
    throw new PathError('lookalike');
  if (RESERVED.test(name)) throw new PathError('reserved-character');
  if (/[. ]$/.test(name)) throw new PathError('trailing-dot-or-space');
  if (encoder.encode(name).length > MAX_NAME_BYTES) throw new PathError('name-too-long');
}

/** A checked path inside a mount, as its segments; no segments is the mount root. */
export class MountPath {
  static readonly root = new MountPath([]);

  private constructor(readonly segments: readonly string[]) {}

  private static of(segments: string[]): MountPath {
    if (encoder.encode(segments.join('/')).length > MAX_PATH_BYTES)
      throw new PathError('path-too-long');
    return segments.length === 0 ? MountPath.root : new MountPath(segments);
  }

  /**
   * A path as it appears in a request URL (`a/b%20c/d.txt`), percent-decoded exactly once; the
   * empty string is the mount root.
   */
  static fromUrl(raw: string): MountPath {
    // Encoded, a path may take three bytes per byte: no point decoding one that cannot fit.
    if (raw.length > MAX_PATH_BYTES * 3) throw new PathError('path-too-long');
    if (raw === '') return MountPath.root;
    if (raw.startsWith('/')) throw new PathError('absolute');
    if (raw.includes('\\')) throw new PathError('backslash');
    if (CONTROL.test(raw)) throw new PathError('control-character');
    const segments = raw.split('/').map((segment) => {
      let name: string;
      try {
        name = decodeURIComponent(segment);
      } catch {
        throw new PathError('malformed-encoding');
      }
      if (/[/\\]/.test(name)) throw new PathError('encoded-separator');
      checkName(name);
      return name;
    });
    return MountPath.of(segments);
  }

  /** A path that is already decoded (`a/b c/d.txt`, from a JSON body); '' is the mount root. */
  static parse(path: string): MountPath {
    if (path.length > MAX_PATH_BYTES) throw new PathError('path-too-long');
    if (path === '') return MountPath.root;
    if (path.startsWith('/')) throw new PathError('absolute');
    const segments = path.split('/');
    for (const segment of segments) checkName(segment);
    return MountPath.of(segments);
  }

  /** The StorageMount's smb.path (`/`, `/Team/Shared`): the directory inside the share. */
  static shareRoot(path: string): MountPath {
    if (!path.startsWith('/')) throw new PathError('absolute');
    const trimmed = path.replace(/^\/+|\/+$/g, '');
    return trimmed === '' ? MountPath.root : MountPath.parse(trimmed);
  }

  get isRoot(): boolean {
    return this.segments.length === 0;
  }

  /** The last segment; '' for the mount root. */
  get name(): string {
    return this.segments.at(-1) ?? '';
  }

  get parent(): MountPath {
    return this.segments.length <= 1 ? MountPath.root : new MountPath(this.segments.slice(0, -1));
  }

  child(name: string): MountPath {
    checkName(name);
    return MountPath.of([...this.segments, name]);
  }

  /** Whether `other` is this path or lies below it. */
  contains(other: MountPath): boolean {
    return (
      other.segments.length >= this.segments.length &&
      this.segments.every((segment, index) => other.segments[index] === segment)
    );
  }

  toString(): string {
    return this.segments.join('/');
  }
}

export interface ShareLocation {
  host: string;
  share: string;
  /** smb.path, the directory inside the share that is the mount root. */
  root: MountPath;
}

/**
 * The smb:// URL libsmbclient opens for a path. libsmbclient percent-decodes every URL it is
 * given, so each segment is encoded: a name with `%`, `?`, `#` or `;` stays that name. The port
 * is set on the context, not in the URL.
 */
export function smbUrl(location: ShareLocation, path: MountPath): string {
  const host = location.host.includes(':')
    ? `[${location.host.replace(/^\[|\]$/g, '')}]`
    : location.host;
  const segments = [...location.root.segments, ...path.segments].map(encodeURIComponent);
  return `smb://${host}/${encodeURIComponent(location.share)}/${segments.join('/')}`;
}
