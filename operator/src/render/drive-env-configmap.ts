// The ConfigMap with Drive's non-secret environment. Secret values never land here: the
// workloads read them through secretKeyRef.
import { plainValues, type DriveEnvVar } from '../contract/drive-env.js';
import { driveLabels } from './labels.js';
import { objectNames } from './object-names.js';

export interface ConfigMap {
  apiVersion: 'v1';
  kind: 'ConfigMap';
  metadata: {
    name: string;
    namespace?: string;
    labels: Record<string, string>;
    annotations?: Record<string, string>;
  };
  data: Record<string, string>;
}

export function driveEnvConfigMap(
  drive: { name: string; namespace?: string },
  env: readonly DriveEnvVar[],
): ConfigMap {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: objectNames.envConfigMap(drive.name),
      ...(drive.namespace === undefined ? {} : { namespace: drive.namespace }),
      labels: driveLabels(drive.name, 'config'),
    },
    data: plainValues(env),
  };
}
