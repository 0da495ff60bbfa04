// The four kinds of the lasuite.selfhost.dev API, in the order documentation lists them.
import { driveInstance } from './drive-instance.js';
import type { KindDefinition } from './kind.js';
import { oidcClient } from './oidc-client.js';
import { storageMount } from './storage-mount.js';
import { wopiClient } from './wopi-client.js';

export const KINDS: readonly KindDefinition[] = [
  driveInstance,
  storageMount,
  oidcClient,
  wopiClient,
];

export function kindByName(kind: string): KindDefinition | undefined {
  return KINDS.find((definition) => definition.kind === kind);
}
