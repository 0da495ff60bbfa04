// Whether a live object already carries every field of the desired one. Server-side apply of an
// unchanged object costs a write request; comparing first keeps an idle operator at zero writes,
// while any drift in a field we set (an edit by someone else) still triggers the apply.

export function containsDesired(live: unknown, desired: unknown): boolean {
  // The API server omits empty lists and maps.
  if ((live === undefined || live === null) && isEmpty(desired)) return true;
  if (desired === null || typeof desired !== 'object')
    return live === desired || String(live) === String(desired);
  if (Array.isArray(desired)) {
    if (!Array.isArray(live) || live.length !== desired.length) return false;
    return desired.every((item, index) => containsDesired(live[index], item));
  }
  if (live === null || typeof live !== 'object' || Array.isArray(live)) return false;
  return Object.entries(desired).every(([key, value]) =>
    value === undefined ? true : containsDesired((live as Record<string, unknown>)[key], value),
  );
}

function isEmpty(value: unknown): boolean {
  if (Array.isArray(value)) return value.length === 0;
  return value !== null && typeof value === 'object' && Object.keys(value).length === 0;
}

/** Equal as JSON values, whatever the key order. */
export function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, child]) => child !== undefined)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([key, child]) => [key, canonical(child)]),
    );
  }
  return value;
}

/**
 * Whether an update changed nothing but the status (the controller's own status write coming
 * back through the watch). Reacting to it would bypass the backoff of a failing key.
 */
type Resource = { metadata: object } & Record<string, unknown>;

export function onlyStatusChanged(previous: Resource | undefined, object: Resource): boolean {
  if (previous === undefined) return false;
  const before = previous.metadata as { generation?: number };
  const after = object.metadata as { generation?: number };
  // With a status subresource every spec change bumps the generation: comparing it and the
  // small metadata spares canonicalising whole objects on every event of every watch.
  if (before.generation !== undefined && after.generation !== undefined)
    return (
      before.generation === after.generation &&
      sameJson(metadataBeyondVersion(previous.metadata), metadataBeyondVersion(object.metadata))
    );
  return sameJson(beyondStatus(previous), beyondStatus(object));
}

function metadataBeyondVersion(metadata: object): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...metadata };
  delete copy.resourceVersion;
  delete copy.managedFields;
  return copy;
}

function beyondStatus(object: Resource): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...object };
  delete copy.status;
  copy.metadata = metadataBeyondVersion(object.metadata);
  return copy;
}
