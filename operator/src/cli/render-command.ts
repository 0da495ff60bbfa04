// `lasuitectl render`: the Kubernetes objects a DriveInstance becomes, without a cluster.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { formatDiagnostic } from '../manifests/diagnostics.js';
import { renderDrive, RenderError } from '../render/drive-objects.js';
import { toMultiDocumentYaml } from '../render/manifest-yaml.js';
import type { CommandIO } from './command-io.js';
import { offlineInputs } from './offline-inputs.js';
import { loadValid } from './validate-command.js';

export interface RenderOptions {
  output?: string;
  namespace: string;
}

export async function renderCommand(
  paths: readonly string[],
  options: RenderOptions,
  io: CommandIO,
): Promise<number> {
  const result = await loadValid(paths, io);
  if (!result) {
    io.stderr('nothing rendered: fix the errors above first\n');
    return 1;
  }
  const drives = result.resources.filter(
    (resource) => resource.definition.kind === 'DriveInstance',
  );
  if (drives.length === 0) {
    io.stderr('no DriveInstance among the given files; nothing to render\n');
    return 1;
  }
  let failed = false;
  for (const drive of drives) {
    const { inputs, placeholders } = offlineInputs(drive, result.resources, options.namespace);
    let objects: unknown[];
    try {
      // Generated Secrets are created by the operator in the cluster; they are never printed.
      objects = renderDrive(inputs).objects.filter((object) => object.kind !== 'Secret');
    } catch (error) {
      if (!(error instanceof RenderError)) throw error;
      io.stderr(
        `${formatDiagnostic({
          severity: 'error',
          file: drive.document.file,
          document: drive.document.index,
          resource: `DriveInstance ${drive.object.metadata.name}`,
          path: 'spec',
          message: error.message,
        })}\n`,
      );
      failed = true;
      continue;
    }
    const header = [
      `# DriveInstance ${drive.object.metadata.name}, rendered offline by lasuitectl.`,
      ...placeholders.map((line) => `# placeholder: ${line}`),
    ].join('\n');
    const body = toMultiDocumentYaml(objects);
    const text = `${header}\n---\n${body}`;
    if (options.output === undefined) io.stdout(text);
    else {
      await mkdir(options.output, { recursive: true });
      const file = join(options.output, `${drive.object.metadata.name}.yaml`);
      await writeFile(file, text);
      io.stdout(`wrote ${file}\n`);
    }
  }
  return failed ? 1 : 0;
}
