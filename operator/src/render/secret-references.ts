// Every Secret key the rendered workloads read must exist: in a Secret rendered alongside them,
// or in the referenced Secrets the caller read from the cluster.
import type { DriveRenderInputs } from './drive-inputs.js';

export interface SecretProblems {
  /** Referenced Secrets that do not exist (yet): CloudNativePG or Rook may still be creating them. */
  missingSecrets: string[];
  /** Keys absent from Secrets that exist: only a person can fix these. */
  missingKeys: { secret: string; key: string }[];
}

interface KeyRef {
  name: string;
  key: string;
}

export function secretKeyRefs(value: unknown, found: KeyRef[] = []): KeyRef[] {
  if (Array.isArray(value)) {
    for (const item of value) secretKeyRefs(item, found);
  } else if (value !== null && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) {
      if (key === 'secretKeyRef' && child !== null && typeof child === 'object')
        found.push(child as KeyRef);
      else secretKeyRefs(child, found);
    }
  }
  return found;
}

export function secretProblems(
  objects: readonly unknown[],
  inputs: DriveRenderInputs,
): SecretProblems {
  const rendered = new Map<string, Set<string>>();
  for (const object of objects as {
    kind?: string;
    metadata?: { name: string };
    data?: Record<string, string>;
  }[]) {
    if (object.kind === 'Secret' && object.metadata)
      rendered.set(object.metadata.name, new Set(Object.keys(object.data ?? {})));
  }
  const problems: SecretProblems = { missingSecrets: [], missingKeys: [] };
  const seen = new Set<string>();
  for (const ref of secretKeyRefs(objects)) {
    const id = `${ref.name}/${ref.key}`;
    if (seen.has(id)) continue;
    seen.add(id);
    const ownKeys = rendered.get(ref.name);
    if (ownKeys) {
      if (!ownKeys.has(ref.key)) problems.missingKeys.push({ secret: ref.name, key: ref.key });
      continue;
    }
    if (inputs.referencedSecrets === undefined) continue;
    const external = inputs.referencedSecrets[ref.name];
    if (!external) {
      if (!problems.missingSecrets.includes(ref.name)) problems.missingSecrets.push(ref.name);
    } else if (!external.keys.includes(ref.key)) {
      problems.missingKeys.push({ secret: ref.name, key: ref.key });
    }
  }
  return problems;
}
