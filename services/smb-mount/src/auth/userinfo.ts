// Asks the IdP's userinfo endpoint who a bearer token belongs to, as Drive does: it works for
// opaque and JWT access tokens alike, and a revoked or expired token fails there.
import { ApiError } from '../api/errors.js';
import { AuthenticationError } from './principal.js';

export const BEARER_CHALLENGE = 'Bearer realm="mounts"';

export function invalidToken(description: string): AuthenticationError {
  return new AuthenticationError(
    description,
    `${BEARER_CHALLENGE}, error="invalid_token", error_description="${description}"`,
  );
}

export type ClaimsFetcher = (token: string) => Promise<Record<string, unknown>>;

export function userinfoFetcher(endpoint: string, timeoutMs: number): ClaimsFetcher {
  return async (token) => {
    let response: Response;
    try {
      response = await fetch(endpoint, {
        headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
        redirect: 'error',
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch {
      throw new ApiError('Unavailable', 'the identity provider did not answer');
    }
    if (response.status === 401 || response.status === 403) {
      await response.body?.cancel();
      throw invalidToken('the token is not valid');
    }
    const type = response.headers.get('content-type') ?? '';
    if (!response.ok || !/^application\/json\b/i.test(type)) {
      await response.body?.cancel();
      throw new ApiError('Unavailable', 'the identity provider gave no usable userinfo answer');
    }
    let claims: unknown;
    try {
      claims = await response.json();
    } catch {
      throw new ApiError('Unavailable', 'the identity provider gave no usable userinfo answer');
    }
    if (typeof claims !== 'object' || claims === null || Array.isArray(claims))
      throw new ApiError('Unavailable', 'the identity provider gave no usable userinfo answer');
    return claims as Record<string, unknown>;
  };
}
