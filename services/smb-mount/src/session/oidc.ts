// The OpenID Connect relying party of the web UI, with openid-client: authorization code + PKCE
// (S256), state and nonce, at the endpoints the operator gives (no discovery: the service starts
// without reaching the IdP). The client is Drive's own, registered for client_secret_post.
import * as client from 'openid-client';

export interface OidcSettings {
  issuer: string;
  clientId: string;
  clientSecret: string;
  authorizationEndpoint: string;
  tokenEndpoint: string;
  userinfoEndpoint: string;
  jwksEndpoint: string;
  endSessionEndpoint?: string;
  /** Space-separated, `openid` among them. */
  scopes: string;
}

/** What a completed login yields: the user's claims, and the tokens the session keeps. */
export interface LoginResult {
  /** The ID token's claims, overridden by the userinfo endpoint's answer for the same subject. */
  claims: Record<string, unknown> & { sub: string };
  idToken: string;
  refreshToken?: string;
}

const REQUEST_TIMEOUT_SECONDS = 15;

export function oidcConfiguration(settings: OidcSettings): client.Configuration {
  const config = new client.Configuration(
    {
      issuer: settings.issuer,
      authorization_endpoint: settings.authorizationEndpoint,
      token_endpoint: settings.tokenEndpoint,
      userinfo_endpoint: settings.userinfoEndpoint,
      jwks_uri: settings.jwksEndpoint,
      ...(settings.endSessionEndpoint === undefined
        ? {}
        : { end_session_endpoint: settings.endSessionEndpoint }),
    },
    settings.clientId,
    { token_endpoint_auth_method: 'client_secret_post' },
    client.ClientSecretPost(settings.clientSecret),
  );
  config.timeout = REQUEST_TIMEOUT_SECONDS;
  // The ID token's signature is checked against the IdP's JWKS. openid-client skips this by
  // default, trusting TLS to the token endpoint; but the operator may give an in-cluster or
  // in-Compose plain-HTTP token endpoint (as it does to Drive), where TLS proves nothing.
  client.enableNonRepudiationChecks(config);
  const backChannel = [settings.tokenEndpoint, settings.userinfoEndpoint, settings.jwksEndpoint];
  if (backChannel.some((url) => new URL(url).protocol === 'http:'))
    // Those internal endpoints are the operator's choice, the same Drive is given; the browser
    // only ever sees the authorization and end-session endpoints.
    // eslint-disable-next-line @typescript-eslint/no-deprecated
    client.allowInsecureRequests(config);
  return config;
}

export interface LoginStart {
  url: URL;
  state: string;
  nonce: string;
  codeVerifier: string;
}

export async function startLogin(
  config: client.Configuration,
  redirectUri: string,
  scopes: string,
): Promise<LoginStart> {
  const codeVerifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope: scopes,
    state,
    nonce,
    code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
  });
  return { url, state, nonce, codeVerifier };
}

/**
 * Exchanges the code (with the PKCE verifier), validates the ID token (signature, issuer,
 * audience, expiry, nonce) and reads the userinfo endpoint, whose answers (email, name, groups)
 * win over the ID token's: many IdPs put only some claims in the ID token.
 */
export async function finishLogin(
  config: client.Configuration,
  callbackUrl: URL,
  checks: { state: string; nonce: string; codeVerifier: string },
): Promise<LoginResult> {
  const tokens = await client.authorizationCodeGrant(config, callbackUrl, {
    pkceCodeVerifier: checks.codeVerifier,
    expectedState: checks.state,
    expectedNonce: checks.nonce,
    idTokenExpected: true,
  });
  const claims = tokens.claims();
  if (claims === undefined || tokens.id_token === undefined)
    throw new Error('the token response has no ID token');
  // fetchUserInfo refuses an answer about another subject.
  const userinfo = await client.fetchUserInfo(config, tokens.access_token, claims.sub);
  return {
    claims: { ...claims, ...userinfo, sub: claims.sub },
    idToken: tokens.id_token,
    ...(tokens.refresh_token === undefined ? {} : { refreshToken: tokens.refresh_token }),
  };
}

export function endSessionUrl(
  config: client.Configuration,
  parameters: { idTokenHint?: string; postLogoutRedirectUri: string },
): URL {
  return client.buildEndSessionUrl(config, {
    post_logout_redirect_uri: parameters.postLogoutRedirectUri,
    // Keycloak needs the client (or the hint) to accept the redirect URI.
    client_id: config.clientMetadata().client_id,
    ...(parameters.idTokenHint === undefined ? {} : { id_token_hint: parameters.idTokenHint }),
  });
}
