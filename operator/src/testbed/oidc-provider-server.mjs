// The test IdP: oidc-provider with a password-less login (any login name, no password check),
// client_credentials, introspection, revocation and dynamic registration behind an initial
// access token. Usage: node oidc-provider-server.mjs CONFIG.json, where the file gives port,
// clients, initialAccessToken, cookieKeys, groups (login name → its `groups` claim; a name not
// listed has no such claim) and, optionally, jwks (its own signing keys) and issuer (another name
// than its loopback address; it still listens on loopback only).
import { readFile } from 'node:fs/promises';
import Provider from 'oidc-provider';

const config = JSON.parse(await readFile(process.argv[2], 'utf8'));
const issuer = config.issuer ?? `http://127.0.0.1:${config.port}`;

const provider = new Provider(issuer, {
  clients: config.clients,
  scopes: ['openid', 'offline_access', 'email', 'profile', 'api:read'],
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name', 'given_name', 'family_name', 'groups'],
  },
  cookies: { keys: config.cookieKeys },
  ...(config.jwks ? { jwks: config.jwks } : {}),
  features: {
    devInteractions: { enabled: true },
    clientCredentials: { enabled: true },
    introspection: { enabled: true, allowedPolicy: () => true },
    revocation: { enabled: true },
    registration: { enabled: true, initialAccessToken: config.initialAccessToken },
    registrationManagement: { enabled: true, rotateRegistrationAccessToken: false },
  },
  ttl: {
    AccessToken: 600,
    AuthorizationCode: 60,
    ClientCredentials: 600,
    IdToken: 600,
    Interaction: 600,
    Session: 3600,
    Grant: 3600,
  },
  async findAccount(_ctx, id) {
    return {
      accountId: id,
      async claims() {
        return {
          sub: id,
          email: `${id}@example.test`,
          email_verified: true,
          name: id,
          given_name: id,
          family_name: 'Test',
          ...(config.groups?.[id] ? { groups: config.groups[id] } : {}),
        };
      },
    };
  },
  // Consent is granted up front so a login is one form post.
  async loadExistingGrant(ctx) {
    const existing = ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (existing) return ctx.oidc.provider.Grant.find(existing);
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope('openid email profile offline_access');
    await grant.save();
    return grant;
  },
});

provider.listen(config.port, '127.0.0.1');
