// Which Drive environment variables belong to the operator and which ones must never be set.
// The DriveInstance schema turns these lists into admission rules on spec.extraEnv; the env
// contract's tests prove that every name it emits is listed here.

/** Every fixed name the Drive env contract may emit. */
export const MANAGED_ENV_NAMES = [
  'DJANGO_CONFIGURATION',
  'DJANGO_SETTINGS_MODULE',
  'DJANGO_SECRET_KEY',
  'DJANGO_ALLOWED_HOSTS',
  'DJANGO_CSRF_TRUSTED_ORIGINS',
  'DB_HOST',
  'DB_PORT',
  'DB_NAME',
  'DB_USER',
  'DB_PASSWORD',
  'DATABASE_URL',
  'REDIS_URL',
  'DJANGO_CELERY_BROKER_URL',
  'AWS_S3_ENDPOINT_URL',
  'AWS_S3_DOMAIN_REPLACE',
  'AWS_S3_REGION_NAME',
  'AWS_STORAGE_BUCKET_NAME',
  'AWS_S3_ACCESS_KEY_ID',
  'AWS_S3_SECRET_ACCESS_KEY',
  'AWS_S3_SIGNATURE_VERSION',
  'AWS_REQUEST_CHECKSUM_CALCULATION',
  'AWS_RESPONSE_CHECKSUM_VALIDATION',
  'MEDIA_BASE_URL',
  'MEDIA_AUTH_ORIGINAL_URL_HEADER',
  'DATA_UPLOAD_MAX_MEMORY_SIZE',
  'S3_TRANSFER_CONFIG_MULTIPART_THRESHOLD',
  'S3_TRANSFER_CONFIG_MULTIPART_CHUNKSIZE',
  'OIDC_OP_URL',
  'OIDC_OP_AUTHORIZATION_ENDPOINT',
  'OIDC_OP_TOKEN_ENDPOINT',
  'OIDC_OP_USER_ENDPOINT',
  'OIDC_OP_JWKS_ENDPOINT',
  'OIDC_OP_LOGOUT_ENDPOINT',
  'OIDC_RP_CLIENT_ID',
  'OIDC_RP_CLIENT_SECRET',
  'OIDC_RP_SIGN_ALGO',
  'OIDC_RP_SCOPES',
  'OIDC_USE_PKCE',
  'OIDC_STORE_CLAIMS',
  'OIDC_USERINFO_FULLNAME_FIELDS',
  'OIDC_USERINFO_SHORTNAME_FIELD',
  'LOGIN_REDIRECT_URL',
  'LOGIN_REDIRECT_URL_FAILURE',
  'LOGOUT_REDIRECT_URL',
  'OIDC_RESOURCE_SERVER_ENABLED',
  'OIDC_OP_INTROSPECTION_ENDPOINT',
  'OIDC_RS_CLIENT_ID',
  'OIDC_RS_CLIENT_SECRET',
  'OIDC_RS_ALLOWED_AUDIENCES',
  'EXTERNAL_API',
  'WOPI_CLIENTS',
  'WOPI_SRC_BASE_URL',
  'FRONTEND_THEME',
  'FRONTEND_HIDE_GAUFRE',
] as const;

export type ManagedEnvName = (typeof MANAGED_ENV_NAMES)[number];

/** Per-client WOPI settings, `WOPI_<CLIENT>_DISCOVERY_URL` and `WOPI_<CLIENT>_OPTIONS`. */
export const WOPI_CLIENT_ENV_PATTERN = '^WOPI_[A-Z0-9_]+_(DISCOVERY_URL|OPTIONS)$';

/**
 * lasuite's SecretFileValue also reads `<NAME>_FILE`, and the file wins over the variable, so
 * these would silently override secrets the operator wires.
 */
export const SECRET_FILE_ENV_NAMES = [
  'DJANGO_SECRET_KEY_FILE',
  'DB_PASSWORD_FILE',
  'AWS_S3_ACCESS_KEY_ID_FILE',
  'AWS_S3_SECRET_ACCESS_KEY_FILE',
  'OIDC_RP_CLIENT_SECRET_FILE',
] as const;

/** Variables that break Drive v0.21 when set through the environment, with the reason. */
export const FORBIDDEN_ENV: Readonly<Record<string, string>> = {
  TRASHBIN_CUTOFF_DAYS:
    'Drive reads it as a string and crashes in timedelta(days=...); leave it at its default',
  PURGE_GRACE_DAYS:
    'Drive reads it as a string and crashes in timedelta(days=...); leave it at its default',
  THEME_CUSTOMIZATION_CACHE_TIMEOUT:
    'Drive reads it as a string and passes it as a cache timeout; leave it at its default',
  AWS_SESSION_TOKEN:
    'STS session tokens add X-Amz-Security-Token to /media signatures, which edges do not forward',
  AWS_SECURITY_TOKEN:
    'STS session tokens add X-Amz-Security-Token to /media signatures, which edges do not forward',
};
