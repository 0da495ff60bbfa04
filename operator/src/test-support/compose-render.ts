// Renders resource files as `lasuitectl compose` does, in memory: for the renderer's unit tests.
import { join } from 'node:path';
import { parse } from 'yaml';
import { loadDocuments } from '../manifests/load-documents.js';
import { validateDocuments } from '../manifests/validate-resources.js';
import {
  composeResources,
  type ComposeResources,
  type GivenResource,
} from '../render/compose/compose-resources.js';
import {
  renderCompose,
  type ComposeFacts,
  type RenderedCompose,
} from '../render/compose/render-compose.js';
import { REPO_ROOT } from '../repo-root.js';

export const COMPOSE_EXAMPLES = ['dev', 'single-host', 'multi-vm'] as const;

export function composeExample(name: string): string {
  return join(REPO_ROOT, 'examples/compose', name);
}

/** The validated resources of files or directories, as lasuitectl gives them to the renderer. */
export async function givenResources(paths: readonly string[]): Promise<GivenResource[]> {
  const result = validateDocuments(await loadDocuments(paths));
  const errors = result.diagnostics.filter((diagnostic) => diagnostic.severity === 'error');
  if (errors.length > 0) throw new Error(JSON.stringify(errors, null, 2));
  return result.resources.map((resource) => ({
    kind: resource.object.kind,
    name: resource.object.metadata.name,
    spec: resource.object.spec,
  }));
}

/** Resources of a kind with their spec changed, e.g. another edge for the same example. */
export function withSpec(
  resources: readonly GivenResource[],
  kind: string,
  change: (spec: Record<string, unknown>) => Record<string, unknown>,
): GivenResource[] {
  return resources.map((resource) =>
    resource.kind === kind
      ? { ...resource, spec: change(structuredClone(resource.spec) as Record<string, unknown>) }
      : resource,
  );
}

export async function renderExample(
  name: string,
  change: (resources: GivenResource[]) => GivenResource[] = (resources) => resources,
  facts: ComposeFacts = {},
): Promise<RenderedCompose & { resources: ComposeResources }> {
  const resources = composeResources(change(await givenResources([composeExample(name)])));
  return { ...renderCompose(resources, facts), resources };
}

/** A rendered Compose file as data (anchors resolved). */
export function composeDocument(rendered: RenderedCompose, file = 'compose.yaml') {
  const text = rendered.files.get(file);
  if (text === undefined) throw new Error(`no ${file} rendered`);
  return parse(text) as {
    name: string;
    services: Record<string, Record<string, unknown>>;
    volumes?: Record<string, unknown>;
  };
}
