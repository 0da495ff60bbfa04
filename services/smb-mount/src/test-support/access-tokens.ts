// Real access tokens from the test IdP: an authorization-code + PKCE login per user, as a
// browser would do it (the test bed's password-less login form), remembered per login name.
import { randomBytes } from 'node:crypto';
import * as client from 'openid-client';
import { browserLogin } from '../../../../operator/src/testbed/oidc-login.js';
import type {
  OidcClientRegistration,
  OidcProvider,
} from '../../../../operator/src/testbed/oidc-provider.js';

// Never requested: the login stops when the IdP redirects there.
const REDIRECT_URI = 'https://drive.example.test/mounts/auth/callback';

export interface TestClient {
  id: string;
  secret: string;
  registration: OidcClientRegistration;
}

export function testClient(): TestClient {
  const id = 'smb-mounts';
  const secret = randomBytes(16).toString('hex');
  return {
    id,
    secret,
    registration: {
      client_id: id,
      client_secret: secret,
      grant_types: ['authorization_code'],
      response_types: ['code'],
      redirect_uris: [REDIRECT_URI],
    },
  };
}

export class AccessTokens {
  readonly #tokens = new Map<string, Promise<string>>();
  readonly #idp: () => OidcProvider;
  readonly #client: TestClient;

  constructor(idp: () => OidcProvider, testClientUsed: TestClient) {
    this.#idp = idp;
    this.#client = testClientUsed;
  }

  /** A fresh token each call. */
  async login(name: string): Promise<string> {
    const config = await client.discovery(
      new URL(this.#idp().issuer),
      this.#client.id,
      this.#client.secret,
      undefined,
      // The test IdP speaks plain HTTP on loopback.
      // eslint-disable-next-line @typescript-eslint/no-deprecated
      { execute: [client.allowInsecureRequests] },
    );
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const start = client.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT_URI,
      scope: 'openid email profile',
      state,
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    });
    const callback = await browserLogin(start, name, REDIRECT_URI);
    const tokens = await client.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: verifier,
      expectedState: state,
    });
    return tokens.access_token;
  }

  /** The same token for the same name within a test file. */
  for(name: string): Promise<string> {
    let token = this.#tokens.get(name);
    if (token === undefined) {
      token = this.login(name);
      this.#tokens.set(name, token);
    }
    return token;
  }
}
