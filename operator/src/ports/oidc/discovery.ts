// OIDC discovery of an issuer, for the OidcClient controller and for `lasuitectl compose`, which
// both turn the discovery document into Drive's OIDC_OP_* endpoints.
import * as client from 'openid-client';
import type { ResolvedIdentity } from '../../contract/drive-env.js';

export class DiscoveryError extends Error {
  override name = 'DiscoveryError';
  constructor(
    message: string,
    /** The document names another issuer: retrying will not help. */
    readonly issuerMismatch: boolean,
  ) {
    super(message);
  }
}

/** Fetches <issuer>/.well-known/openid-configuration; its issuer must match exactly. */
export async function discoverIssuer(issuer: string): Promise<client.Configuration> {
  try {
    // Plain-HTTP issuers are refused unless the spec names one (test beds, loopback IdPs).
    // eslint-disable-next-line @typescript-eslint/no-deprecated
    const execute = issuer.startsWith('http:') ? [client.allowInsecureRequests] : [];
    return await client.discovery(new URL(issuer), 'discovery', undefined, undefined, {
      execute,
      timeout: 10,
    });
  } catch (error) {
    const mismatch =
      error instanceof client.ClientError &&
      error.code === 'OAUTH_JSON_ATTRIBUTE_COMPARISON_FAILED';
    const cause = error instanceof Error ? error.message : String(error);
    throw new DiscoveryError(
      mismatch
        ? `the discovery document of ${issuer} names another issuer; set spec.issuer to exactly the issuer the IdP announces`
        : `discovery of ${issuer} failed: ${cause}`,
      mismatch,
    );
  }
}

export type DiscoveredEndpoints = Record<keyof ResolvedIdentity['endpoints'], string | undefined>;

/** The endpoints Drive needs, as the document lists them (absent ones stay undefined). */
export function discoveredEndpoints(metadata: client.ServerMetadata): DiscoveredEndpoints {
  return {
    authorization: metadata.authorization_endpoint,
    token: metadata.token_endpoint,
    userinfo: metadata.userinfo_endpoint,
    jwks: metadata.jwks_uri,
    endSession: metadata.end_session_endpoint,
    introspection: metadata.introspection_endpoint,
  };
}
