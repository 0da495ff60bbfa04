// The ConfigMap with Drive's non-secret environment. Secret values never land here: the
// workloads read them through secretKeyRef.
import { plainValues, type DriveEnvVar } from '../contract/drive-env.js';
import { childMeta, type OwnerInstance } from './labels.js';
import { objectNames } from './object-names.js';

export function driveEnvConfigMap(owner: OwnerInstance, env: readonly DriveEnvVar[]) {
  return {
    apiVersion: 'v1' as const,
    kind: 'ConfigMap' as const,
    metadata: childMeta(owner, objectNames.envConfigMap(owner.name), 'config'),
    data: plainValues(env),
  };
}
