// StorageMounts of type smb on a real API server and real Samba, in its default profile and the
// hardened one (SMB3, signing and encryption required): a mount becomes Ready only once the
// operator logged in with the mount's account and security settings and, when a role may write,
// wrote in the mount root. Every way a share can be wrong gives the condition the status contract
// promises: permanent problems stall with an Event naming the fix, an absent server is retried.
import { chown, mkdir, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningOperator } from '../operator/operator.js';
import type { ApiClient, KubeObject } from '../runtime/api-client.js';
import { startControlPlane } from '../testbed/control-plane.js';
import { useServer } from '../testbed/fixtures.js';
import { installCrds } from '../testbed/kube.js';
import { freePort } from '../testbed/processes.js';
import { startSamba, type Samba } from '../testbed/samba.js';
import { opaqueSecret } from '../test-support/drive-seed.js';
import {
  eventually,
  operatorUnderTest,
  stopOperatorUnderTest,
} from '../test-support/operator-under-test.js';
import { smbMountResource, type Mutable } from '../test-support/resources.js';

const NS = 'apps';
const GV = 'lasuite.selfhost.dev/v1alpha1';

interface Condition {
  type: string;
  status: string;
  reason: string;
  message: string;
}
type Mount = KubeObject & {
  status?: { conditions?: Condition[]; url?: string; capabilities?: Record<string, boolean> };
};
type Event = KubeObject & { reason?: string; message?: string; involvedObject?: { name?: string } };

describe('StorageMounts of type smb', () => {
  const kube = useServer(() => startControlPlane({ controllerManager: false }));
  const plain = useServer(() => startSamba('default'));
  const hardened = useServer(() => startSamba('hardened'));
  let operator: RunningOperator;
  let api: ApiClient;

  const mount = (name: string) => api.getOrUndefined<Mount>(GV, 'StorageMount', NS, name);
  const condition = async (name: string, type: string) =>
    (await mount(name))?.status?.conditions?.find((entry) => entry.type === type);
  const withReason = (name: string, type: string, reason: string) =>
    eventually(async () => {
      const found = await condition(name, type);
      return found?.status === 'True' && found.reason === reason ? found : undefined;
    }).catch(async (error: unknown) => {
      throw new Error(
        `${name}: no ${type} ${reason} in ${JSON.stringify((await mount(name))?.status?.conditions)}`,
        { cause: error },
      );
    });
  const ready = (name: string) =>
    eventually(async () => {
      const found = await condition(name, 'Ready');
      return found?.status === 'True' ? found : undefined;
    }).catch(async (error: unknown) => {
      throw new Error(
        `${name} not Ready: ${JSON.stringify((await mount(name))?.status?.conditions)}`,
        { cause: error },
      );
    });
  const credentials = (name: string, samba: Samba, password = samba.password) =>
    api.create(opaqueSecret(NS, name, { username: samba.user, password }));
  const create = (name: string, samba: Samba, smb: Mutable) => {
    const resource = smbMountResource({
      host: samba.host,
      port: samba.port,
      share: samba.share,
      ...smb,
    });
    (resource.metadata as Mutable).name = name;
    return api.create(resource as KubeObject);
  };
  const events = async (name: string) =>
    (await api.list<Event>('v1', 'Event', NS)).items.filter(
      (event) => event.involvedObject?.name === name,
    );
  /** A directory in the share that the share's user may read but not write. */
  const readOnlyDirectory = async (samba: Samba, name: string) => {
    const directory = join(samba.shareDirectory, name);
    await mkdir(directory, { mode: 0o755 });
    await chown(directory, 0, 0);
  };

  beforeAll(async () => {
    await installCrds(kube().kubeconfig);
    ({ operator, api } = await operatorUnderTest(kube().kubeconfig, {
      controllers: ['storagemount'],
      logName: 'smb-mounts',
      namespace: NS,
    }));
    await credentials('plain-account', plain());
    await credentials('hardened-account', hardened());
  });

  afterAll(async () => {
    await stopOperatorUnderTest(operator);
  });

  it('default profile: logs in, writes a probe in the mount root, and reports the capabilities', async () => {
    await create('plain', plain(), { credentialsSecretRef: { name: 'plain-account' } });
    await ready('plain');
    const reachable = await condition('plain', 'ShareReachable');
    expect(reachable).toMatchObject({ status: 'True', reason: 'Succeeded' });
    expect(reachable?.message).toContain('read and write access');
    const status = (await mount('plain'))?.status;
    expect(status?.url).toBe(`smb://127.0.0.1:${String(plain().port)}/share`);
    expect(status?.capabilities).toEqual({
      versioning: false,
      rangeReads: true,
      resumableUploads: true,
      wopi: true,
      shareLinks: true,
      searchByName: true,
    });
    // The probe file is gone: the share holds only what users put there.
    expect(await readdir(plain().shareDirectory)).toEqual([]);
  });

  it('hardened profile: Ready with the defaults and with encryption Required, on a sub-directory', async () => {
    const { uid, gid } = await stat(hardened().shareDirectory);
    for (const directory of ['teams', 'teams/finance']) {
      await mkdir(join(hardened().shareDirectory, directory));
      await chown(join(hardened().shareDirectory, directory), uid, gid);
    }
    await create('hardened', hardened(), { credentialsSecretRef: { name: 'hardened-account' } });
    await create('hardened-encrypted', hardened(), {
      credentialsSecretRef: { name: 'hardened-account' },
      path: '/teams/finance',
      security: { encryption: 'Required', minProtocol: 'SMB3_11' },
    });
    await ready('hardened');
    await ready('hardened-encrypted');
    expect((await mount('hardened-encrypted'))?.status?.url).toBe(
      `smb://127.0.0.1:${String(hardened().port)}/share/teams/finance`,
    );
    expect((await condition('hardened-encrypted', 'ShareReachable'))?.message).toContain(
      'encryption Required, SMB3_11 or newer',
    );
  });

  it('stalls on a wrong password with an Event and no password in it, and recovers once the Secret is fixed', async () => {
    await credentials('wrong-account', hardened(), 'not-the-password');
    await create('wrong', hardened(), { credentialsSecretRef: { name: 'wrong-account' } });
    const stalled = await withReason('wrong', 'Stalled', 'AccessDenied');
    expect(stalled.message).toContain(`WORKGROUP\\${hardened().user}`);
    expect(stalled.message).toContain('spec.smb.credentialsSecretRef');
    expect(stalled.message).not.toContain('not-the-password');
    expect(await condition('wrong', 'ShareReachable')).toMatchObject({
      status: 'False',
      reason: 'AccessDenied',
    });
    expect((await events('wrong')).map((event) => event.reason)).toContain('AccessDenied');
    const secret = await api.get<KubeObject & { data: Record<string, string> }>(
      'v1',
      'Secret',
      NS,
      'wrong-account',
    );
    secret.data.password = Buffer.from(hardened().password).toString('base64');
    await api.replace(secret);
    // The Secret's update requeues the mount: well before the five-minute recheck.
    await ready('wrong');
    expect(await condition('wrong', 'Stalled')).toBeUndefined();
  });

  it('stalls naming the path when the mount root is missing or is a file', async () => {
    await writeFile(join(plain().shareDirectory, 'notes.txt'), 'a file');
    await create('missing', plain(), {
      credentialsSecretRef: { name: 'plain-account' },
      path: '/no/such/dir',
    });
    await create('file', plain(), {
      credentialsSecretRef: { name: 'plain-account' },
      path: '/notes.txt',
    });
    const missing = await withReason('missing', 'Stalled', 'SharePathNotFound');
    expect(missing.message).toContain('/no/such/dir');
    const file = await withReason('file', 'Stalled', 'SharePathNotDirectory');
    expect(file.message).toContain('spec.smb.path');
  });

  it('stalls when a role may write but the account cannot; a viewer-only mount is Ready', async () => {
    await readOnlyDirectory(plain(), 'archive');
    await create('archive-editors', plain(), {
      credentialsSecretRef: { name: 'plain-account' },
      path: '/archive',
    });
    await create('archive-viewers', plain(), {
      credentialsSecretRef: { name: 'plain-account' },
      path: '/archive',
      roles: [{ subject: { group: 'staff' }, role: 'viewer' }],
    });
    const readOnly = await withReason('archive-editors', 'Stalled', 'ShareReadOnly');
    expect(readOnly.message).toContain('viewer roles only');
    await ready('archive-viewers');
    expect((await condition('archive-viewers', 'ShareReachable'))?.message).toContain(
      'with read access',
    );
  });

  it('waits for a missing Secret without stalling, then verifies the share', async () => {
    await create('later', plain(), { credentialsSecretRef: { name: 'later-account' } });
    const waiting = await withReason('later', 'Reconciling', 'ReferenceNotFound');
    expect(waiting.message).toContain('later-account');
    expect(await condition('later', 'Stalled')).toBeUndefined();
    await credentials('later-account', plain());
    await ready('later');
  });

  it('reports a server that does not answer as Reconciling, never Stalled', async () => {
    const closed = await freePort();
    await create('unreachable', plain(), {
      credentialsSecretRef: { name: 'plain-account' },
      port: closed,
    });
    const reconciling = await withReason('unreachable', 'Reconciling', 'ShareUnreachable');
    expect(reconciling.message).toContain(`127.0.0.1:${String(closed)}`);
    expect(await condition('unreachable', 'Stalled')).toBeUndefined();
    expect(await condition('unreachable', 'ShareReachable')).toMatchObject({
      status: 'False',
      reason: 'ShareUnreachable',
    });
  });
});
