// `lasuitectl render`: the Kubernetes objects a DriveInstance becomes, without a cluster.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { driveEnvironment, DriveEnvError } from '../contract/drive-env.js';
import { formatDiagnostic } from '../manifests/diagnostics.js';
import { driveEnvConfigMap } from '../render/drive-env-configmap.js';
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
      const namespace = drive.object.metadata.namespace ?? options.namespace;
      objects = [
        driveEnvConfigMap(
          { name: drive.object.metadata.name, namespace },
          driveEnvironment(inputs),
        ),
      ];
    } catch (error) {
      if (!(error instanceof DriveEnvError)) throw error;
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
    const body = objects.map((object) => stringify(object, { lineWidth: 0 })).join('---\n');
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
