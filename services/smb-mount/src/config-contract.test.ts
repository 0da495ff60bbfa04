// The environment the operator (and Compose) writes for this service is the one it reads:
// operator/src/render/smb-mounts.ts on one side, config.ts on the other.
import { describe, expect, it } from 'vitest';
import { storageMountSpec } from '../../../operator/src/api/storage-mount.js';
import { renderInputs } from '../../../operator/src/test-support/render-inputs.js';
import { smbMountResource } from '../../../operator/src/test-support/resources.js';
import { redisUrl } from '../../../operator/src/render/resolve-references.js';
import { smbMountsEnvironment } from '../../../operator/src/render/smb-mounts.js';
import { configFromEnv } from './config.js';

describe('the environment contract with the operator', () => {
  it('is accepted as rendered, every Secret key standing for a value', () => {
    const inputs = renderInputs({ mounts: [{ name: 'team-share' }] });
    const smb = storageMountSpec.parse(smbMountResource().spec).smb;
    if (!smb) throw new Error('no smb');
    const contract = smbMountsEnvironment({
      drive: inputs.instance.name,
      spec: inputs.instance.spec,
      mounts: [{ name: 'team-share', smb }],
      identity: inputs.identity,
      redisUrl: redisUrl(inputs.instance.name, inputs.instance.spec.redis),
      editors: inputs.editors,
    });
    const env = Object.fromEntries(
      contract.map((entry) => {
        if ('value' in entry) return [entry.name, entry.value];
        // A Secret key: what the cluster would put there.
        return [
          entry.name,
          entry.name === 'REDIS_URL' ? 'redis://:p@redis:6379/0' : 's'.repeat(48),
        ];
      }),
    );
    const config = configFromEnv(env);
    expect(config.MOUNTS.map((mount) => mount.name)).toEqual(['team-share']);
    expect(config.PUBLIC_URL).toBe('https://drive.example.com');
    expect(config.UPLOAD_CHUNK_SIZE_BYTES).toBe(inputs.instance.spec.upload.chunkSizeBytes);
  });
});
