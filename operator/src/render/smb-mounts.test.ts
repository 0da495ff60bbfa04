import { describe, expect, it } from 'vitest';
import { storageMountSpec } from '../api/storage-mount.js';
import { TEST_EDGES } from '../test-support/edges.js';
import { schemaErrors } from '../test-support/kubernetes-schemas.js';
import { renderInputs } from '../test-support/render-inputs.js';
import { smbMountResource } from '../test-support/resources.js';
import { renderDrive, RenderError, type KubeObject } from './drive-objects.js';
import { mountCredentialVariable, type ResolvedSmbMount } from './smb-mounts.js';

type AnyObject = Record<string, any>;

function mount(name: string, smb: Record<string, unknown> = {}): ResolvedSmbMount {
  const spec = storageMountSpec.parse(smbMountResource(smb).spec);
  if (!spec.smb) throw new Error('no smb');
  return { name, smb: spec.smb };
}

const MOUNTS = [mount('team-share'), mount('archive', { path: '/old', domain: 'EXAMPLE' })];

function render(
  edge: (typeof TEST_EDGES)[keyof typeof TEST_EDGES] = TEST_EDGES.traefik,
  mounts = MOUNTS,
) {
  const inputs = renderInputs({ edge, mounts: mounts.map((entry) => ({ name: entry.name })) });
  return renderDrive({ ...inputs, mounts }).objects as AnyObject[];
}

function find(objects: AnyObject[], kind: string, name: string): AnyObject {
  const found = objects.find((object) => object.kind === kind && object.metadata.name === name);
  if (!found) throw new Error(`no ${kind}/${name}`);
  return found;
}

describe('the SMB mounts service of a DriveInstance', () => {
  it('runs one service for every mount, with the share credentials by reference', () => {
    const deployment = find(render(), 'Deployment', 'drive-mounts');
    const container = deployment.spec.template.spec.containers[0];
    const env = Object.fromEntries(
      (container.env as AnyObject[]).map((entry) => [entry.name, entry.value ?? entry.valueFrom]),
    );
    expect(JSON.parse(env.MOUNTS as string)).toEqual([
      expect.objectContaining({
        name: 'team-share',
        host: 'files.example.com',
        share: 'teams',
        path: '/',
        usernameVariable: 'SMB_TEAM_SHARE_USERNAME',
        passwordVariable: 'SMB_TEAM_SHARE_PASSWORD',
      }),
      expect.objectContaining({ name: 'archive', path: '/old', domain: 'EXAMPLE' }),
    ]);
    expect(env[mountCredentialVariable('team-share', 'PASSWORD')]).toEqual({
      secretKeyRef: { name: 'share-smb', key: 'password' },
    });
    expect(env.PUBLIC_URL).toBe('https://drive.example.com');
    expect(env.OIDC_CLIENT_SECRET).toEqual({
      secretKeyRef: { name: 'login-client', key: 'client_secret' },
    });
    expect(env.SESSION_SECRET).toEqual({
      secretKeyRef: { name: 'drive-mounts', key: 'SESSION_SECRET' },
    });
    expect(env.WOPI_DISCOVERY_URLS).toBe(
      'http://collabora-collabora.apps.svc.cluster.local:9980/hosting/discovery',
    );
    expect(container.securityContext).toMatchObject({
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
    });
    expect(JSON.stringify(container.env)).not.toMatch(/generated\d/);
  });

  it('generates the secrets it signs sessions, share links and WOPI tokens with', () => {
    const secret = find(render(), 'Secret', 'drive-mounts');
    expect(Object.keys(secret.data as object).sort()).toEqual([
      'SESSION_SECRET',
      'SHARE_LINK_SECRET',
      'WOPI_TOKEN_SECRET',
    ]);
  });

  it.each(Object.entries(TEST_EDGES))('is routed under /mounts/ by the %s edge', (_name, edge) => {
    const objects = render(edge);
    const text = JSON.stringify(objects);
    expect(text).toMatch(/PathPrefix\(`\/mounts\/`\)|"\/mounts\/"/);
    const policy = find(objects, 'NetworkPolicy', 'drive-allow-mounts');
    expect(policy.spec.podSelector.matchExpressions[0].values).toEqual(['mounts']);
    expect((objects as KubeObject[]).flatMap(schemaErrors)).toEqual([]);
  });

  it('renders nothing for mounts when the DriveInstance has none', () => {
    const objects = render(TEST_EDGES.traefik, []);
    expect(objects.some((object) => object.metadata.name === 'drive-mounts')).toBe(false);
  });

  it('refuses a mount the caller did not resolve', () => {
    const inputs = renderInputs({ mounts: [{ name: 'team-share' }] });
    expect(() => renderDrive({ ...inputs, mounts: [] })).toThrow(RenderError);
  });
});
