// The four kinds of the lasuite.selfhost.dev API, in the order documentation lists them, and the
// kinds only lasuitectl reads.
import { composeProject } from './compose-project.js';
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

/** Kinds lasuitectl reads from files but no cluster serves: no CRD is generated for them. */
export const CLIENT_KINDS: readonly KindDefinition[] = [composeProject];

export function kindByName(kind: string): KindDefinition | undefined {
  return [...KINDS, ...CLIENT_KINDS].find((definition) => definition.kind === kind);
}
