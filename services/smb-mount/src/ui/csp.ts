// The security headers of the web UI's pages. The page loads only its own scripts, styles and
// images and talks only to its own origin; it posts forms to itself, to the IdP's end-session
// endpoint (logout: a form post that redirects there, which form-action also checks) and to the
// WOPI editors, whose launch page it frames. Nobody may frame the page itself.

export interface PagePolicyInput {
  /** Origins of the editors' launch URLs (their discovery's urlsrc): framed and posted to. */
  editorOrigins: readonly string[];
  /** Other origins a form may be posted (or redirected) to: the IdP's end-session endpoint. */
  formOrigins: readonly string[];
}

/** Distinct origins of the given URLs, sorted; a URL that does not parse is left out. */
export function originsOf(urls: Iterable<string>): string[] {
  const origins = new Set<string>();
  for (const url of urls) {
    try {
      const { origin, protocol } = new URL(url);
      // Only web origins can be named in a policy; anything else (data:, opaque) is dropped.
      if (protocol === 'https:' || protocol === 'http:') origins.add(origin);
    } catch {
      // Not a URL: nothing to allow.
    }
  }
  return [...origins].sort();
}

export function contentSecurityPolicy(input: PagePolicyInput): string {
  const editors = originsOf(input.editorOrigins);
  const forms = originsOf([...input.formOrigins, ...editors]);
  const directives: [string, ...string[]][] = [
    ['default-src', "'none'"],
    ['script-src', "'self'"],
    ['style-src', "'self'"],
    ['img-src', "'self'"],
    ['connect-src', "'self'"],
    ['frame-src', ...(editors.length === 0 ? ["'none'"] : editors)],
    ['form-action', "'self'", ...forms],
    ['frame-ancestors', "'none'"],
    ['base-uri', "'none'"],
    // The scripts build the page with DOM calls only: no string ever becomes markup or code.
    ['require-trusted-types-for', "'script'"],
    ['trusted-types', "'none'"],
  ];
  return directives.map((directive) => directive.join(' ')).join('; ');
}

/** Every UI page's headers besides its type; the policy comes from contentSecurityPolicy. */
export function pageHeaders(policy: string): Record<string, string> {
  return {
    'content-security-policy': policy,
    // frame-ancestors for browsers that predate it.
    'x-frame-options': 'DENY',
    'x-content-type-options': 'nosniff',
    // Not no-referrer: that would make same-origin POSTs carry `Origin: null`, which the CSRF
    // check refuses. same-origin keeps paths out of what the editor's origin is told.
    'referrer-policy': 'same-origin',
    'cross-origin-opener-policy': 'same-origin',
    // The page holds no data (the scripts fetch it), but it must follow a new build at once.
    'cache-control': 'no-cache',
  };
}
