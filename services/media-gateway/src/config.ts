// The gateway's settings, from its environment, checked once at start: a wrong value stops it with
// the variable named, instead of failing on the first download.
import { z } from 'zod';

const HOST_PORT =
  /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*(?::\d{1,5})?$/;

const integer = (fallback: number, min: number, max: number) =>
  z.coerce.number().int().min(min).max(max).default(fallback);

const environment = z.object({
  DRIVE_MEDIA_AUTH_URL: z
    .url({ protocol: /^https?$/ })
    .describe(
      "Drive's media-auth endpoint, e.g. http://drive-backend.apps.svc:8000/api/v1.0/items/media-auth/",
    ),
  PUBLIC_HOST: z
    .string()
    .toLowerCase()
    .regex(HOST_PORT, 'must be a host name, with an optional port')
    .describe('The Drive host browsers use: the Host Drive sees, and the host of X-Original-URL.'),
  S3_UPSTREAM_URL: z
    .url({ protocol: /^https?$/ })
    .optional()
    .describe(
      'AWS_S3_ENDPOINT_URL as the gateway reaches it: enables the HEAD bridge (HEAD /s3-head/<bucket>/<key>).',
    ),
  PORT: integer(8080, 1, 65535),
  BIND_ADDRESS: z.string().min(1).default('0.0.0.0'),
  AUTH_TIMEOUT_MS: integer(5000, 100, 60_000),
  MAX_CONNECTIONS: integer(32, 1, 1024),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type GatewayConfig = z.infer<typeof environment>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function configFromEnv(env: NodeJS.ProcessEnv): GatewayConfig {
  const parsed = environment.safeParse(env);
  if (parsed.success) return parsed.data;
  throw new ConfigError(
    parsed.error.issues
      .map((issue) => {
        const name = String(issue.path[0] ?? '');
        return `${name}=${JSON.stringify(env[name] ?? null)}: ${issue.message}`;
      })
      .join('; '),
  );
}
