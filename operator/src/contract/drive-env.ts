// The Drive environment contract: one function that turns a DriveInstance and the resolved state
// of what it references into Drive's environment. Kubernetes (ConfigMap + secretKeyRef) and
// Compose (.env) both render from its output, so the two targets cannot drift (seed §7.4).
// Each rule below cites drive-contract.md (Drive v0.21.1).
import type { DriveInstanceSpec } from '../api/drive-instance.js';
import { pythonBool, pythonList, pythonLiteral, type PythonValue } from './python-literal.js';

export interface KeyRef {
  name: string;
  key: string;
}

export type EnvSource = { value: string } | { secretKeyRef: KeyRef } | { configMapKeyRef: KeyRef };
export type DriveEnvVar = { name: string } & EnvSource;

export interface ResolvedStorage {
  bucket: string;
  region: string;
  /** What the backend and the edge use; /media signatures are computed for this host. */
  internalEndpoint: string;
  /** What browsers upload to with presigned PUTs. */
  publicEndpoint: string;
  accessKeyId: KeyRef;
  secretAccessKey: KeyRef;
}

export interface ResolvedIdentity {
  issuer: string;
  endpoints: {
    authorization: string;
    token: string;
    userinfo: string;
    jwks: string;
    endSession?: string;
    introspection?: string;
  };
  clientId: EnvSource;
  clientSecret: KeyRef;
  scopes: readonly string[];
  storeClaims: readonly string[];
  userInfo: { fullNameFields: readonly string[]; shortNameField: string };
}

export interface ResolvedEditor {
  clientName: string;
  discoveryUrl: string;
  options: Readonly<Record<string, PythonValue>>;
}

export interface ResolvedDatabase {
  host: EnvSource;
  port: EnvSource;
  name: EnvSource;
  user: EnvSource;
  password: KeyRef;
}

export interface DriveTopology {
  /** Host names (no scheme, no port) by which the edge, gateway and editors reach the backend. */
  internalBackendHosts: readonly string[];
  /** Base URL editors call Drive's WOPI endpoints on. */
  wopiSrcBaseUrl: string;
  /**
   * Set when the edge's auth step sends the original URL in a header other than X-Original-URL
   * (Traefik ForwardAuth straight to a Drive that supports MEDIA_AUTH_ORIGINAL_URL_HEADER).
   */
  mediaAuthOriginalUrlHeader?: string;
}

export interface DriveEnvInputs {
  spec: DriveInstanceSpec;
  storage: ResolvedStorage;
  identity: ResolvedIdentity;
  editors: readonly ResolvedEditor[];
  database: ResolvedDatabase;
  redisUrl: KeyRef;
  /** The operator-generated Django SECRET_KEY. */
  djangoSecretKey: KeyRef;
  topology: DriveTopology;
}

export class DriveEnvError extends Error {
  override name = 'DriveEnvError';
}

/**
 * Drive's chunked transfers go through boto3's TransferConfig; without chunking the threshold is
 * raised above any single object so boto3 never switches to multipart (drive-contract §9,
 * docs/ds_proxy.md uses the same value).
 */
export const MULTIPART_DISABLED_THRESHOLD = 10 * 1024 * 1024 * 1024;

// §3.2: a trailing slash would end up in the signed path of every presigned URL.
function endpointUrl(url: string, what: string): string {
  const parsed = new URL(url);
  if (parsed.pathname !== '/' || parsed.search !== '' || parsed.hash !== '') {
    throw new DriveEnvError(
      `${what} ${url} has a path; Drive signs /<bucket>/<key> against the bare endpoint, so give scheme, host and port only`,
    );
  }
  return `${parsed.protocol}//${parsed.host}`;
}

class EnvBuilder {
  private readonly vars: DriveEnvVar[] = [];
  private readonly origins = new Map<string, string>();

  constructor(private readonly source: string) {}

  add(name: string, env: EnvSource, source = this.source): void {
    const first = this.origins.get(name);
    if (first !== undefined) {
      throw new DriveEnvError(`${name} is set twice: by ${first} and by ${source}`);
    }
    this.origins.set(name, source);
    this.vars.push({ name, ...env });
  }

  value(name: string, value: string, source = this.source): void {
    this.add(name, { value }, source);
  }

  secret(name: string, ref: KeyRef): void {
    this.add(name, { secretKeyRef: ref });
  }

  build(): DriveEnvVar[] {
    return [...this.vars];
  }
}

export function driveEnvironment(inputs: DriveEnvInputs): DriveEnvVar[] {
  const { spec, storage, identity, editors, database, topology } = inputs;
  const appOrigin = `https://${spec.host}`;
  const env = new EnvBuilder('the operator');

  // §2: manage.py, wsgi.py and celery_app.py default to Development, which loads apps the
  // production image does not ship.
  env.value('DJANGO_CONFIGURATION', 'Production');
  env.value('DJANGO_SETTINGS_MODULE', 'drive.settings');
  env.secret('DJANGO_SECRET_KEY', inputs.djangoSecretKey);
  // §3.1, §11.3: every Host the backend is called by must be allowed, not only the public one.
  const allowedHosts = [...new Set([spec.host, ...topology.internalBackendHosts])];
  env.value('DJANGO_ALLOWED_HOSTS', pythonList(allowedHosts));
  env.value('DJANGO_CSRF_TRUSTED_ORIGINS', appOrigin);

  env.add('DB_HOST', database.host);
  env.add('DB_PORT', database.port);
  env.add('DB_NAME', database.name);
  env.add('DB_USER', database.user);
  env.secret('DB_PASSWORD', database.password);

  // §3.1: REDIS_URL backs the cache and the sessions; the broker is a separate setting.
  env.secret('REDIS_URL', inputs.redisUrl);
  env.secret('DJANGO_CELERY_BROKER_URL', inputs.redisUrl);

  // §3.2, §5.2, §5.4: the backend and media-auth use the internal endpoint; presigned browser
  // uploads are signed for the public one.
  env.value(
    'AWS_S3_ENDPOINT_URL',
    endpointUrl(storage.internalEndpoint, 'the internal S3 endpoint'),
  );
  env.value('AWS_S3_DOMAIN_REPLACE', endpointUrl(storage.publicEndpoint, 'the public S3 endpoint'));
  env.value('AWS_S3_REGION_NAME', storage.region);
  env.value('AWS_STORAGE_BUCKET_NAME', storage.bucket);
  env.secret('AWS_S3_ACCESS_KEY_ID', storage.accessKeyId);
  env.secret('AWS_S3_SECRET_ACCESS_KEY', storage.secretAccessKey);
  env.value('AWS_S3_SIGNATURE_VERSION', 's3v4');
  // §3.2, §11.6: boto3 ≥ 1.36 streams aws-chunked bodies with trailers that RGW before Squid and
  // other non-AWS stores reject.
  env.value('AWS_REQUEST_CHECKSUM_CALCULATION', 'when_required');
  env.value('AWS_RESPONSE_CHECKSUM_VALIDATION', 'when_required');
  // §3.2, §11.4: media URLs are MEDIA_BASE_URL + /media/...; the session cookie is host-only, so
  // this must be the app origin, without a trailing slash.
  env.value('MEDIA_BASE_URL', appOrigin);
  if (topology.mediaAuthOriginalUrlHeader !== undefined) {
    env.value('MEDIA_AUTH_ORIGINAL_URL_HEADER', topology.mediaAuthOriginalUrlHeader);
  }
  env.value('DATA_UPLOAD_MAX_MEMORY_SIZE', String(spec.upload.maxFileSizeBytes));
  const partSize = spec.upload.chunked ? spec.upload.chunkSizeBytes : MULTIPART_DISABLED_THRESHOLD;
  env.value('S3_TRANSFER_CONFIG_MULTIPART_THRESHOLD', String(partSize));
  env.value('S3_TRANSFER_CONFIG_MULTIPART_CHUNKSIZE', String(partSize));

  // §3.3: any standard IdP, through its discovered endpoints only.
  env.value('OIDC_OP_URL', identity.issuer);
  env.value('OIDC_OP_AUTHORIZATION_ENDPOINT', identity.endpoints.authorization);
  env.value('OIDC_OP_TOKEN_ENDPOINT', identity.endpoints.token);
  env.value('OIDC_OP_USER_ENDPOINT', identity.endpoints.userinfo);
  env.value('OIDC_OP_JWKS_ENDPOINT', identity.endpoints.jwks);
  if (identity.endpoints.endSession !== undefined) {
    env.value('OIDC_OP_LOGOUT_ENDPOINT', identity.endpoints.endSession);
  }
  env.add('OIDC_RP_CLIENT_ID', identity.clientId);
  env.secret('OIDC_RP_CLIENT_SECRET', identity.clientSecret);
  env.value('OIDC_RP_SIGN_ALGO', 'RS256');
  // A plain string setting, space-separated like the OAuth scope parameter.
  env.value('OIDC_RP_SCOPES', identity.scopes.join(' '));
  env.value('OIDC_USE_PKCE', pythonBool(true));
  if (identity.storeClaims.length > 0) {
    env.value('OIDC_STORE_CLAIMS', pythonList(identity.storeClaims));
  }
  env.value('OIDC_USERINFO_FULLNAME_FIELDS', pythonList(identity.userInfo.fullNameFields));
  env.value('OIDC_USERINFO_SHORTNAME_FIELD', identity.userInfo.shortNameField);
  env.value('LOGIN_REDIRECT_URL', appOrigin);
  env.value('LOGIN_REDIRECT_URL_FAILURE', appOrigin);
  env.value('LOGOUT_REDIRECT_URL', appOrigin);

  // §3.4 and seed 001: Drive as a resource server for the other La Suite apps.
  if (spec.resourceServer.enabled) {
    if (identity.endpoints.introspection === undefined) {
      throw new DriveEnvError(
        `resourceServer.enabled needs token introspection, but ${identity.issuer} publishes no introspection_endpoint`,
      );
    }
    env.value('OIDC_RESOURCE_SERVER_ENABLED', pythonBool(true));
    env.value('OIDC_OP_INTROSPECTION_ENDPOINT', identity.endpoints.introspection);
    env.add('OIDC_RS_CLIENT_ID', identity.clientId);
    env.secret('OIDC_RS_CLIENT_SECRET', identity.clientSecret);
    env.value('OIDC_RS_ALLOWED_AUDIENCES', pythonList(spec.resourceServer.allowedAudiences));
    env.value('EXTERNAL_API', pythonLiteral(EXTERNAL_API));
  }

  // §3.5, §6: WOPI_<CLIENT>_DISCOVERY_URL is required for every listed client; OPTIONS is a
  // DictValue, hence a Python literal.
  if (editors.length > 0) {
    env.value('WOPI_CLIENTS', pythonList(editors.map((editor) => editor.clientName)));
    for (const editor of editors) {
      const prefix = `WOPI_${editor.clientName.toUpperCase()}`;
      const source = `WopiClient ${editor.clientName}`;
      env.value(`${prefix}_DISCOVERY_URL`, editor.discoveryUrl, source);
      env.value(`${prefix}_OPTIONS`, pythonLiteral(editor.options), source);
    }
    env.value('WOPI_SRC_BASE_URL', topology.wopiSrcBaseUrl);
  }

  if (spec.ui.theme !== undefined) env.value('FRONTEND_THEME', spec.ui.theme);
  env.value('FRONTEND_HIDE_GAUFRE', pythonBool(spec.ui.hideGaufre));

  for (const extra of spec.extraEnv) {
    const source = `spec.extraEnv[${extra.name}]`;
    if (extra.value !== undefined) env.add(extra.name, { value: extra.value }, source);
    else if (extra.valueFrom?.secretKeyRef) {
      env.add(extra.name, { secretKeyRef: extra.valueFrom.secretKeyRef }, source);
    } else if (extra.valueFrom?.configMapKeyRef) {
      env.add(extra.name, { configMapKeyRef: extra.valueFrom.configMapKeyRef }, source);
    }
  }
  return env.build();
}

/**
 * The external API surface Drive exposes as a resource server: what the Docs integration needs
 * (seed 001), nothing that administers sharing.
 */
export const EXTERNAL_API: Readonly<Record<string, PythonValue>> = {
  items: {
    enabled: true,
    actions: ['list', 'retrieve', 'create', 'children', 'upload_ended', 'media_auth', 'wopi'],
  },
  item_access: { enabled: false, actions: [] },
  item_invitation: { enabled: false, actions: [] },
  users: { enabled: true, actions: ['get_me'] },
};

/** Plain values only (what goes into a ConfigMap or the non-secret part of a .env). */
export function plainValues(vars: readonly DriveEnvVar[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of vars) if ('value' in entry) out[entry.name] = entry.value;
  return out;
}
