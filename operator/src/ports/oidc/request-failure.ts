// How a request to an IdP failed, said without the secrets it carried: shared by the RFC 7591
// registration and Keycloak admin adapters.

/** Failures before a request could leave: nothing reached the IdP. */
const NOT_SENT = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);

export function neverSent(error: unknown): boolean {
  for (let current: unknown = error, depth = 0; current instanceof Error && depth < 4; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && NOT_SENT.has(code)) return true;
    current = current.cause;
  }
  return false;
}

/** The reason fetch failed, which it hides a cause or two down ("ECONNREFUSED", a timeout). */
export function networkReason(error: unknown): string {
  const parts: string[] = [];
  for (let current: unknown = error, depth = 0; current instanceof Error && depth < 4; depth += 1) {
    const code = (current as { code?: unknown }).code;
    parts.push(typeof code === 'string' ? `${current.message} [${code}]` : current.message);
    current = current.cause;
  }
  return parts.join(': ').slice(0, 400) || String(error);
}

/** Removes tokens and secrets from text that may quote a request back (IdPs vary). */
export function redactor(secrets: readonly string[]): (text: string) => string {
  const long = secrets.filter((secret) => secret.length >= 4);
  return (text) => long.reduce((out, secret) => out.split(secret).join('[redacted]'), text);
}
