// The SMB mounts of a Drive in Compose: services/smb-mount with the environment contract the
// cluster gives it (render/smb-mounts.ts), under /mounts/ on the Drive host.
import type { ResolvedIdentity } from '../../contract/drive-env.js';
import { SMB_MOUNT_IMAGE } from '../images.js';
import { redisUrl, resolveIdentity } from '../resolve-references.js';
import { SmbMountEnvError, smbMountsEnvironment } from '../smb-mounts.js';
import { PORTS, SERVICES, type ComposeContext } from './compose-context.js';
import { ComposeError } from './compose-resources.js';
import {
  dependsOn,
  HARDENED,
  healthcheck,
  LONG_RUNNING,
  type ComposeService,
} from './compose-service.js';
import { composeEnvironment, resolvedEditors } from './drive-environment.js';

export function mountsService(
  context: ComposeContext,
  endpoints: ResolvedIdentity['endpoints'],
): ComposeService[] {
  const { drive, identity, smbMounts } = context.resources;
  if (smbMounts.length === 0) return [];
  let contract;
  try {
    contract = smbMountsEnvironment({
      drive: drive.name,
      spec: drive.spec,
      mounts: smbMounts.map((mount) => ({ name: mount.name, smb: mount.smb })),
      identity: resolveIdentity(identity.name, identity.spec, endpoints),
      redisUrl: redisUrl(drive.name, drive.spec.redis),
      editors: resolvedEditors(context),
    });
  } catch (error) {
    if (error instanceof SmbMountEnvError)
      throw new ComposeError('DriveInstance', drive.name, ['spec', 'mounts'], error.message);
    throw error;
  }
  const port = String(PORTS.mounts);
  const address = context.addressOf('apps');
  return [
    {
      name: SERVICES.mounts,
      role: 'apps',
      definition: {
        image: drive.spec.images?.smbMount ?? SMB_MOUNT_IMAGE,
        environment: composeEnvironment(context, contract),
        ...HARDENED,
        ...LONG_RUNNING,
        ...(address === undefined ? {} : { ports: [`${address}:${port}:${port}`] }),
        ...dependsOn(
          drive.spec.redis.managed ? [{ service: SERVICES.redis, condition: 'service_healthy' }] : [],
        ),
        // The image has Node and nothing else to ask an HTTP question with.
        ...healthcheck([
          'CMD',
          'node',
          '-e',
          `fetch('http://127.0.0.1:${port}/readyz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))`,
        ]),
      },
    },
  ];
}
