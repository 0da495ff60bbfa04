// A digest of everything a pod reads at start-up, put on pod templates so that a change of
// configuration or of a referenced Secret rolls the pods. Secrets enter by resourceVersion (and
// generated ones by rotation token), never by value.
import { createHash } from 'node:crypto';
import type { DriveRenderInputs } from './drive-inputs.js';
import { ROTATE_ANNOTATION } from './generated-secrets.js';

export const CHECKSUM_ANNOTATION = 'lasuite.selfhost.dev/config-checksum';

export function configChecksum(
  inputs: DriveRenderInputs,
  configData: Readonly<Record<string, string>>,
): string {
  const secrets = Object.entries(inputs.referencedSecrets ?? {})
    .map(([name, secret]) => [name, secret.resourceVersion])
    .sort(([a], [b]) => String(a).localeCompare(String(b)));
  const digest = createHash('sha256');
  digest.update(
    JSON.stringify({
      config: Object.entries(configData).sort(([a], [b]) => a.localeCompare(b)),
      secrets,
      rotation: inputs.instance.annotations[ROTATE_ANNOTATION] ?? '',
    }),
  );
  return digest.digest('hex').slice(0, 16);
}
