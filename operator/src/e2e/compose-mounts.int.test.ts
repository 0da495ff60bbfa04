// SMB mounts of a rendered Compose project, run as rendered: the `mounts` service (our
// services/smb-mount, from its image emulation, with the rendered environment and .env) behind the
// rendered nginx and Traefik edges, on the test bed's Samba in both profiles (the hardened one:
// SMB3 only, signing and encryption required). Users log in at the test IdP, which the project
// reaches by name, and use the mounts at https://<drive host>/mounts/ as a browser or a client
// would: with a bearer token whose role comes from the StorageMount's roles.
import { createHash, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Upload } from 'tus-js-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  CHUNK_SIZE_BYTES,
  driveClient,
  GROUPS,
  IDP_ISSUER,
  MOUNT_ROOT,
  MOUNTS_CALLBACK,
  SHARES,
  startComposeMounts,
  USERS,
  DRIVE_HOST,
  type ComposeMounts,
} from '../test-support/compose-mounts.js';
import { startNamedIdp } from '../test-support/named-idp.js';
import { useServer } from '../testbed/fixtures.js';
import { loginTokens } from '../testbed/oidc-login.js';
import { startRedis } from '../testbed/redis.js';
import { putOnShare, startSamba } from '../testbed/samba.js';

const client = driveClient();
const idp = useServer(() => startNamedIdp(IDP_ISSUER, { clients: [client], groups: GROUPS }));
const redis = useServer(() => startRedis());
const samba = {
  default: useServer(() => startSamba('default')),
  hardened: useServer(() => startSamba('hardened')),
};

const tokens = new Map<string, Promise<string>>();
/** One login per user for the whole file, as a client keeps its token. */
function tokenOf(login: string): Promise<string> {
  let token = tokens.get(login);
  if (token === undefined) {
    token = loginTokens({
      issuer: idp().issuer,
      clientId: client.client_id,
      clientSecret: client.client_secret,
      redirectUri: MOUNTS_CALLBACK,
      login,
      fetch: idp().fetch,
    }).then((tokens) => tokens.access_token);
    tokens.set(login, token);
  }
  return token;
}

const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

/** A compose.yaml value with .env substituted, as Compose does: `${NAME:?hint}` and `$$`. */
function interpolated(value: string, env: Record<string, string>): string {
  return value.replace(/\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::\?[^}]*)?\}/g, (match, name) => {
    if (match === '$$') return '$';
    const found = env[name as string];
    if (found === undefined) throw new Error(`${String(name)} is not in .env`);
    return found;
  });
}

describe.each(['nginx', 'traefik'] as const)(
  'SMB mounts of a Compose project, through the rendered %s edge',
  (edge) => {
    let project: ComposeMounts;

    beforeAll(async () => {
      project = await startComposeMounts(edge, {
        idp: idp(),
        client: { id: client.client_id, secret: client.client_secret },
        redis: redis(),
        samba: { default: samba.default(), hardened: samba.hardened() },
      });
    });
    afterAll(async () => {
      await project.stop();
    });

    const api = (path: string) => `/mounts/api/v1/${path}`;
    const as = async (login: string) => ({ authorization: `Bearer ${await tokenOf(login)}` });
    const json = async (
      login: string,
      path: string,
      options: { method?: 'GET' | 'POST'; body?: unknown } = {},
    ) => {
      const answer = await project.request(api(path), {
        method: options.method ?? 'GET',
        headers: {
          ...(await as(login)),
          ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
      });
      const text = await answer.body.text();
      return { status: answer.statusCode, body: text === '' ? undefined : JSON.parse(text) };
    };

    it('starts the mounts service with exactly the rendered environment and .env values', async () => {
      const { fixture, running, mounts } = project;
      const rendered = parse(await readFile(join(fixture.directory, 'compose.yaml'), 'utf8')) as {
        services: { mounts: { environment: Record<string, string> } };
      };
      const expected = Object.fromEntries(
        Object.entries(rendered.services.mounts.environment).map(([name, value]) => [
          name,
          interpolated(value, fixture.env),
        ]),
      );
      // What compose-go loaded, and what the process was given: nothing more, nothing less
      // (PATH and HOME are the container's own).
      expect(running.project.services.mounts?.environment).toEqual(expected);
      const environ = (await readFile(`/proc/${String(mounts.pid)}/environ`, 'utf8'))
        .split('\0')
        .filter(Boolean)
        .map((entry) => [entry.slice(0, entry.indexOf('=')), entry.slice(entry.indexOf('=') + 1)]);
      const { PATH: _path, HOME: _home, ...given } = Object.fromEntries(environ);
      expect(given).toEqual(expected);

      // The values that come from .env are the servers' real credentials and generated secrets.
      expect(expected.SMB_TEAM_SHARE_PASSWORD).toBe(samba.default().password);
      expect(expected.SMB_SECURE_SHARE_USERNAME).toBe(samba.hardened().user);
      expect(expected.SMB_SECURE_SHARE_PASSWORD).toBe(samba.hardened().password);
      expect(expected.REDIS_URL).toBe(`redis://:${redis().password}@redis:6379/0`);
      expect(expected.OIDC_CLIENT_SECRET).toBe(client.client_secret);
      expect(expected.SESSION_SECRET).toBe(fixture.env.DRIVE_MOUNTS__SESSION_SECRET);
      expect(expected.PUBLIC_URL).toBe(`https://${DRIVE_HOST}`);
      expect(JSON.parse(expected.MOUNTS ?? '[]')).toEqual(
        SHARES.map((share) =>
          expect.objectContaining({
            name: share.mount,
            host: share.host,
            port: 445,
            share: 'share',
            path: `/${MOUNT_ROOT}`,
          }),
        ),
      );
      // The endpoints given while rendering offline are the IdP's own.
      const discovery = (await (
        await idp().fetch(`${idp().issuer}/.well-known/openid-configuration`)
      ).json()) as Record<string, string>;
      expect(expected.OIDC_ISSUER).toBe(discovery.issuer);
      expect(expected.OIDC_USERINFO_ENDPOINT).toBe(discovery.userinfo_endpoint);
      expect(expected.OIDC_TOKEN_ENDPOINT).toBe(discovery.token_endpoint);
      expect(expected.OIDC_JWKS_ENDPOINT).toBe(discovery.jwks_uri);
    });

    it('is healthy by its rendered healthcheck, with every mount connected', async () => {
      const test = project.running.project.services.mounts?.healthcheck?.test ?? [];
      expect(test.join(' ')).toContain('http://127.0.0.1:8090/readyz');
      const check = await project.running.healthcheck('mounts');
      expect(check.code, `${check.stdout}${check.stderr}`).toBe(0);
      // Mounts connect at start; the hardened share only with SMB3, signing and encryption.
      const deadline = Date.now() + 20_000;
      let listed = await json(USERS.editor, 'mounts');
      while (
        listed.body?.mounts?.some((mount: { state: string }) => mount.state !== 'connected') &&
        Date.now() < deadline
      ) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        listed = await json(USERS.editor, 'mounts');
      }
      expect(listed.status).toBe(200);
      expect(
        listed.body.mounts.map((mount: { name: string; role: string; state: string }) => [
          mount.name,
          mount.role,
          mount.state,
        ]),
      ).toEqual(SHARES.map((share) => [share.mount, 'editor', 'connected']));
    });

    it('refuses a request without a token, or with one the IdP does not know: 401', async () => {
      const anonymous = await project.request(api(`m/${SHARES[0]!.mount}/items?path=`));
      expect(anonymous.statusCode).toBe(401);
      expect(anonymous.headers['www-authenticate']).toBe('Bearer realm="mounts"');
      expect(((await anonymous.body.json()) as { error: string }).error).toBe('Unauthorized');
      const forged = await project.request(api(`m/${SHARES[0]!.mount}/items?path=`), {
        headers: { authorization: `Bearer ${randomBytes(32).toString('base64url')}` },
      });
      expect(forged.statusCode).toBe(401);
      expect(forged.headers['www-authenticate']).toContain('error="invalid_token"');
      await forged.body.dump();
    });

    describe.each(SHARES)("the $mount mount, on Samba's $profile profile", (share) => {
      const root = () => join(samba[share.profile]().shareDirectory, MOUNT_ROOT);
      const directory = `reports-${edge}`;

      it('lists a file put on the share directly, for an editor and a viewer', async () => {
        const data = randomBytes(3000);
        await putOnShare(samba[share.profile](), `${MOUNT_ROOT}/${directory}/q3.pdf`, data);
        for (const login of [USERS.editor, USERS.viewer]) {
          const listing = await json(login, `m/${share.mount}/items?path=${directory}`);
          expect(listing.status, login).toBe(200);
          expect(
            listing.body.entries.map((entry: { name: string; type: string; size: number }) => [
              entry.name,
              entry.type,
              entry.size,
            ]),
          ).toEqual([['q3.pdf', 'file', 3000]]);
        }
        // A user the mount gives no role sees no mount at all.
        expect(
          (await json(USERS.outsider, `m/${share.mount}/items?path=${directory}`)).status,
        ).toBe(404);
      });

      it('takes a tus upload in chunks of the rendered size; the share holds the same bytes', async () => {
        const created = await json(USERS.editor, `m/${share.mount}/mkdir`, {
          method: 'POST',
          body: { path: `uploads/${edge}` },
        });
        expect(created.status).toBe(201);
        const capabilities = await json(USERS.editor, `m/${share.mount}/capabilities`);
        expect(capabilities.body.upload).toMatchObject({
          chunked: true,
          chunkSizeBytes: CHUNK_SIZE_BYTES,
        });
        const data = randomBytes(2 * CHUNK_SIZE_BYTES + 4321);
        let chunks = 0;
        let version: string | undefined;
        const headers = await as(USERS.editor);
        await new Promise<void>((resolve, reject) => {
          new Upload(data, {
            endpoint: `https://${DRIVE_HOST}${capabilities.body.upload.tusEndpoint as string}`,
            chunkSize: capabilities.body.upload.chunkSizeBytes as number,
            headers,
            metadata: { filename: 'big.bin', directory: `uploads/${edge}` },
            retryDelays: [],
            httpStack: project.tusHttpStack,
            onChunkComplete: () => {
              chunks += 1;
            },
            onAfterResponse: (_request, response) => {
              version = response.getHeader('X-Item-Version') ?? version;
            },
            onSuccess: () => {
              resolve();
            },
            onError: reject,
          }).start();
        });
        expect(chunks).toBe(3);
        expect(version).toBeTruthy();
        const onShare = await readFile(join(root(), 'uploads', edge, 'big.bin'));
        expect(sha256(onShare)).toBe(sha256(data));
        const stat = await json(USERS.viewer, `m/${share.mount}/stat?path=uploads/${edge}/big.bin`);
        expect(stat.body).toMatchObject({ size: data.length, version });

        // A viewer may read, not upload.
        const refused = await project.request(api(`m/${share.mount}/uploads/`), {
          method: 'POST',
          headers: {
            ...(await as(USERS.viewer)),
            'tus-resumable': '1.0.0',
            'upload-length': '5',
            'upload-metadata': `filename ${Buffer.from('nope.txt').toString('base64')}`,
          },
        });
        expect(refused.statusCode).toBe(403);
        await refused.body.dump();
      });

      it('serves a byte range of a file on the share', async () => {
        const data = randomBytes(100_000);
        await putOnShare(samba[share.profile](), `${MOUNT_ROOT}/${directory}/ranged.bin`, data);
        const answer = await project.request(
          api(`m/${share.mount}/content?path=${directory}/ranged.bin`),
          { headers: { ...(await as(USERS.viewer)), range: 'bytes=1000-65999' } },
        );
        expect(answer.statusCode).toBe(206);
        expect(answer.headers['content-range']).toBe('bytes 1000-65999/100000');
        const body = Buffer.from(await answer.body.arrayBuffer());
        expect(sha256(body)).toBe(sha256(data.subarray(1000, 66_000)));
      });
    });
  },
);
