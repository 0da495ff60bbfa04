// The IdP's userinfo claims, as the principal the roles are matched against.
import type { Principal } from './principal.js';

function asGroups(value: unknown): string[] {
  const names = typeof value === 'string' ? [value] : Array.isArray(value) ? value : [];
  const groups = new Set<string>();
  for (const name of names) {
    if (typeof name !== 'string' || name === '') continue;
    groups.add(name);
    // Keycloak's group mapper may send full paths (/staff): a binding names the group either way.
    if (name.startsWith('/') && name.length > 1) groups.add(name.slice(1));
  }
  return [...groups];
}

/** Undefined when the claims have no usable subject. */
export function principalFromClaims(
  claims: Record<string, unknown>,
  via: string,
): Principal | undefined {
  const { sub, email } = claims;
  if (typeof sub !== 'string' || sub === '') return undefined;
  // An address the IdP says it has not verified must not earn a role bound to that address.
  const verified = claims.email_verified !== false && claims.email_verified !== 'false';
  return {
    sub,
    ...(typeof email === 'string' && email !== '' && verified ? { email } : {}),
    groups: asGroups(claims.groups),
    via,
  };
}
