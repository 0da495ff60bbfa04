// The WOPI host for SMB files, without HTTP: who may open what (launch), and whether a WOPI call is
// genuine (its file id, its access token, the editor's proof). operations.ts does the file and lock
// work; plugin.ts puts both on fastify routes.
import type { MountsConfig, Role } from '../config.js';
import type { SmbBackend } from '../smb/backend.js';
import { MountPath } from '../smb/paths.js';
import { AccessTokens, type TokenClaims, type TokenRight } from './access-token.js';
import {
  DiscoveryCache,
  matchEditor,
  type DiscoveryCacheOptions,
  type DiscoverySnapshot,
} from './discovery-cache.js';
import { WopiRefusal } from './errors.js';
import { decodeFileId, encodeFileId, type WopiFile } from './file-id.js';
import { launchUrl, type LaunchOptions } from './launch-url.js';
import { LockStore, type LockRedis } from './locks.js';
import {
  checkTimestamp,
  PROOF_MAX_AGE_MS,
  PROOF_MAX_SKEW_MS,
  proofMatches,
  type ProofKeys,
} from './proof.js';

/** Where WOPI calls arrive; WOPISrc is PUBLIC_URL followed by this and the file id. */
export const WOPI_FILES_PATH = '/mounts/wopi/files/';

export type { Role };

/** Who acts; the API's Principal (with its groups and resolver) fits as it is. */
export interface Principal {
  sub: string;
  email?: string;
}

/** Someone's right to a file, however the API established it (session, bearer, share link). */
export interface Grant {
  principal: Principal;
  role: Role;
  mount: string;
  /** Mount-relative and decoded, as in a JSON body: `docs/report.odt`. */
  path: string;
}

export interface LaunchResult {
  /** The editor page for the iframe, with WOPISrc. */
  launchUrl: string;
  /** POSTed by the host page to launchUrl as access_token. */
  accessToken: string;
  /** POSTed as access_token_ttl: when the token expires, in ms since the epoch (not a duration). */
  accessTokenTtl: number;
}

/** The SMB operations the host uses; SmbBackend has them. */
export type WopiBackend = Pick<
  SmbBackend,
  'stat' | 'read' | 'createUpload' | 'writeFrom' | 'commit' | 'abort'
>;

export type WopiConfig = Pick<
  MountsConfig,
  'PUBLIC_URL' | 'WOPI_TOKEN_SECRET' | 'WOPI_DISCOVERY_URLS' | 'UPLOAD_MAX_FILE_SIZE_BYTES'
>;

/** Defaults are the spec's and Drive's; tests shorten them. */
export interface WopiTuning {
  accessTokenTtlMs?: number;
  lockTtlMs?: number;
  lockKeyPrefix?: string;
  discovery?: DiscoveryCacheOptions;
  proofMaxAgeMs?: number;
  proofMaxSkewMs?: number;
  /** Fills DISABLE_CHAT in launch URLs, as Drive's WOPI_DISABLE_CHAT. */
  disableChat?: boolean;
  now?: () => number;
}

export interface WopiHostOptions {
  config: WopiConfig;
  /**
   * The mount's SMB backend (MountRegistry.backend connects on first use); undefined, or an error
   * with a statusCode, for a mount this service does not serve.
   */
  backends: (mount: string) => WopiBackend | undefined | Promise<WopiBackend | undefined>;
  redis: LockRedis;
  tuning?: WopiTuning;
}

/** A WOPI call as it arrived, before anything in it is trusted. */
export interface WopiCall {
  fileId: string;
  accessToken: string | undefined;
  /** Path and query exactly as received (request.raw.url). */
  pathAndQuery: string;
  proof: string | undefined;
  proofOld: string | undefined;
  timestamp: string | undefined;
}

export interface Authenticated {
  file: WopiFile;
  fileId: string;
  backend: WopiBackend;
  claims: TokenClaims;
}

/** What the start-up log says about each editor. */
export interface EditorStatus {
  url: string;
  loaded: boolean;
  extensions: number;
  proofKey: boolean;
  failure?: string;
}

function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot <= 0 ? '' : name.slice(dot + 1).toLowerCase();
}

const RIGHTS: Readonly<Record<Role, TokenRight>> = {
  viewer: 'view',
  editor: 'edit',
  manager: 'edit',
};

type ProofVerdict = 'ok' | 'bad' | 'undecidable';

export class WopiHost {
  readonly tokens: AccessTokens;
  readonly locks: LockStore;
  readonly discovery: DiscoveryCache;
  readonly publicUrl: string;
  readonly maxFileBytes: number;
  readonly #backends: WopiHostOptions['backends'];
  readonly #proofLimits: { maxAgeMs: number; maxSkewMs: number };
  readonly #disableChat: boolean | undefined;
  readonly #now: () => number;

  constructor(options: WopiHostOptions) {
    const tuning = options.tuning ?? {};
    this.#now = tuning.now ?? Date.now;
    this.tokens = new AccessTokens(options.config.WOPI_TOKEN_SECRET, tuning.accessTokenTtlMs);
    this.locks = new LockStore(options.redis, {
      ...(tuning.lockTtlMs === undefined ? {} : { ttlMs: tuning.lockTtlMs }),
      ...(tuning.lockKeyPrefix === undefined ? {} : { keyPrefix: tuning.lockKeyPrefix }),
    });
    this.discovery = new DiscoveryCache(options.config.WOPI_DISCOVERY_URLS, {
      now: this.#now,
      ...tuning.discovery,
    });
    // An origin (config.ts keeps only that): the URL editors call starts with it.
    this.publicUrl = new URL(options.config.PUBLIC_URL).origin;
    this.maxFileBytes = options.config.UPLOAD_MAX_FILE_SIZE_BYTES;
    this.#backends = options.backends;
    this.#proofLimits = {
      maxAgeMs: tuning.proofMaxAgeMs ?? PROOF_MAX_AGE_MS,
      maxSkewMs: tuning.proofMaxSkewMs ?? PROOF_MAX_SKEW_MS,
    };
    this.#disableChat = tuning.disableChat;
  }

  wopiSrc(fileId: string): string {
    return `${this.publicUrl}${WOPI_FILES_PATH}${fileId}`;
  }

  /** The editors as discovery describes them now, fetching what is missing or stale. */
  async editors(): Promise<EditorStatus[]> {
    const snapshot = await this.discovery.get();
    return this.discovery.urls.map((url, index) => {
      const editor = snapshot.editors[index];
      const failure = snapshot.failures[index] ?? '';
      return {
        url,
        loaded: editor !== undefined,
        extensions: editor?.byExtension.size ?? 0,
        proofKey: editor?.proofKeys !== undefined,
        ...(failure === '' ? {} : { failure }),
      };
    });
  }

  /**
   * Opens a file in the editor that handles its extension: a token for this user and file, and
   * the editor URL. Editors and managers edit, viewers view. Refusals are WopiRefusals with the
   * HTTP status the API should answer.
   */
  async launch(grant: Grant, options: Pick<LaunchOptions, 'lang'> = {}): Promise<LaunchResult> {
    if (this.discovery.urls.length === 0)
      throw new WopiRefusal(404, 'no WOPI editor is configured (WOPI_DISCOVERY_URLS)');
    const backend = await this.#backends(grant.mount);
    if (!backend) throw new WopiRefusal(404, `no mount ${grant.mount}`);
    let path: MountPath;
    try {
      path = MountPath.parse(grant.path);
    } catch {
      throw new WopiRefusal(400, 'the path is not one the mount accepts');
    }
    if (path.isRoot) throw new WopiRefusal(400, 'the mount root is not a file');
    const fileId = encodeFileId(grant.mount, path);
    // The same checks a WOPI call makes (temporary files are no documents, say).
    decodeFileId(fileId);
    const stat = await backend.stat(path);
    if (stat.type !== 'file') throw new WopiRefusal(400, 'a directory does not open in an editor');
    const snapshot = await this.discovery.get();
    const match = matchEditor(snapshot, extensionOf(path.name));
    if (!match) {
      if (snapshot.editors.every((editor) => editor === undefined))
        throw new WopiRefusal(503, 'no WOPI editor is reachable', { 'Retry-After': '30' });
      throw new WopiRefusal(415, `no WOPI editor opens .${extensionOf(path.name)} files`);
    }
    const right = RIGHTS[grant.role];
    const urlsrc =
      right === 'edit' ? match.actions.edit : (match.actions.view ?? match.actions.edit);
    const { token, expiresAt } = this.tokens.issue(
      {
        fileId,
        sub: grant.principal.sub,
        ...(grant.principal.email === undefined ? {} : { email: grant.principal.email }),
        right,
      },
      this.#now(),
    );
    return {
      launchUrl: launchUrl(urlsrc, this.wopiSrc(fileId), {
        ...options,
        ...(this.#disableChat === undefined ? {} : { disableChat: this.#disableChat }),
      }),
      accessToken: token,
      accessTokenTtl: expiresAt,
    };
  }

  /**
   * Checks a WOPI call: the file id names a file of a served mount, the token was issued for it
   * and has not expired, and, when the editor publishes a proof key, the request carries its
   * signature over this token and the URL it called. That URL is PUBLIC_URL followed by the path
   * and query received: the editor called WOPISrc, and a proxy's Host header says nothing of it.
   */
  async authenticate(call: WopiCall): Promise<Authenticated> {
    const file = decodeFileId(call.fileId);
    const backend = await this.#backends(file.mount);
    if (!backend) throw new WopiRefusal(404, 'unknown file id: no such mount');
    if (call.accessToken === undefined || call.accessToken === '')
      throw new WopiRefusal(401, 'no access token');
    const claims = this.tokens.verify(call.accessToken, call.fileId, this.#now());
    await this.#checkProof(call, call.accessToken, extensionOf(file.path.name));
    return { file, fileId: call.fileId, backend, claims };
  }

  async #checkProof(call: WopiCall, accessToken: string, extension: string): Promise<void> {
    let verdict = this.#judgeProof(await this.discovery.get(), call, accessToken, extension);
    if (verdict === 'bad') {
      // Perhaps the editor rotated its key since the document was fetched.
      const refreshed = await this.discovery.refreshAfterFailedProof();
      if (refreshed) verdict = this.#judgeProof(refreshed, call, accessToken, extension);
    }
    if (verdict === 'undecidable')
      throw new WopiRefusal(503, 'the editors’ discovery is not available to check the proof', {
        'Retry-After': '30',
      });
    // 500, as Drive answers (its signature error is not caught) and other hosts (Nuxeo, ownCloud)
    // do: not the 401 an editor reads as "the user's token expired".
    if (verdict === 'bad') throw new WopiRefusal(500, 'the request proof does not verify');
  }

  #judgeProof(
    snapshot: DiscoverySnapshot,
    call: WopiCall,
    accessToken: string,
    extension: string,
  ): ProofVerdict {
    let candidates: ProofKeys[];
    const match = matchEditor(snapshot, extension);
    if (match) {
      // Drive's rule: the keys of the editor that opens this kind of file, if it has any.
      candidates = match.editor.proofKeys ? [match.editor.proofKeys] : [];
    } else {
      // No editor claims the file now (discovery changed since the launch): any editor's key
      // will do, but while a document is missing no one can say that none is needed.
      if (snapshot.editors.some((editor) => editor === undefined)) return 'undecidable';
      candidates = snapshot.editors.flatMap((editor) =>
        editor?.proofKeys ? [editor.proofKeys] : [],
      );
    }
    if (candidates.length === 0) return 'ok';
    const timestamp = checkTimestamp(call.timestamp, this.#now(), this.#proofLimits);
    if ('problem' in timestamp)
      throw new WopiRefusal(500, `the request proof timestamp is ${timestamp.problem}`);
    if (call.proof === undefined || call.proof === '')
      throw new WopiRefusal(500, 'the request carries no proof');
    const signed = {
      accessToken,
      url: `${this.publicUrl}${call.pathAndQuery}`,
      ticks: timestamp.ticks,
      proof: call.proof,
      proofOld: call.proofOld,
    };
    return candidates.some((keys) => proofMatches(signed, keys)) ? 'ok' : 'bad';
  }
}
