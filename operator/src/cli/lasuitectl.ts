#!/usr/bin/env node
// lasuitectl: validate and render lasuite.selfhost.dev resources without a cluster, for
// Kubernetes or as a Docker Compose project.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { GROUP_VERSION } from '../api/kind.js';
import { CONTRACT_DRIVE_VERSION, DEFAULT_DRIVE_VERSION } from '../contract/drive-release.js';
import { processIO, type CommandIO } from './command-io.js';
import { isMainModule } from './is-main-module.js';
import { composeCommand } from './compose-command.js';
import { renderCommand } from './render-command.js';
import { storageInitCommand } from './storage-init-command.js';
import { validateCommand } from './validate-command.js';

const USAGE = `lasuitectl: validate and render lasuite.selfhost.dev resources

Usage:
  lasuitectl validate FILE|DIR...            check resources offline; exit 1 on any error
  lasuitectl render FILE|DIR... [-o DIR]     print the Kubernetes objects each DriveInstance becomes
  lasuitectl compose FILE|DIR... -o DIR      write the Docker Compose project they become into DIR
  lasuitectl storage-init CONFIG             (inside a Compose project) create and verify the bucket
  lasuitectl version                         print versions

Options:
  -o, --output DIR       render: write one file per DriveInstance into DIR; compose: the project
  -n, --namespace NAME   namespace assumed for resources that name none (default: default)
      --offline          compose: do not read the IdP's discovery document (the ComposeProject
                         then lists its endpoints)
  -h, --help             this text

Directories are read recursively (*.yaml, *.yml). Exit codes: 0 ok, 1 invalid input, 2 usage error.
`;

function operatorVersion(): string {
  const manifest = new URL('../../package.json', import.meta.url);
  return (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version;
}

export async function run(argv: readonly string[], io: CommandIO = processIO): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        output: { type: 'string', short: 'o' },
        namespace: { type: 'string', short: 'n', default: 'default' },
        offline: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    io.stderr(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const [command, ...paths] = parsed.positionals;
  if (parsed.values.help || command === undefined || command === 'help') {
    io.stdout(USAGE);
    return command === undefined && !parsed.values.help ? 2 : 0;
  }
  try {
    switch (command) {
      case 'validate':
        if (paths.length === 0) break;
        return await validateCommand(paths, io);
      case 'render':
        if (paths.length === 0) break;
        return await renderCommand(
          paths,
          { output: parsed.values.output, namespace: parsed.values.namespace },
          io,
        );
      case 'compose':
        if (paths.length === 0) break;
        if (parsed.values.output === undefined) {
          io.stderr(`compose needs -o DIR, the directory the project is written to\n\n${USAGE}`);
          return 2;
        }
        return await composeCommand(
          paths,
          { output: parsed.values.output, offline: parsed.values.offline },
          io,
        );
      case 'storage-init':
        if (paths.length !== 1 || paths[0] === undefined) {
          io.stderr(`storage-init needs exactly one CONFIG file\n\n${USAGE}`);
          return 2;
        }
        return await storageInitCommand(paths[0], io);
      case 'version':
        io.stdout(
          `lasuitectl ${operatorVersion()}\napi ${GROUP_VERSION}\ndrive contract ${CONTRACT_DRIVE_VERSION} (default ${DEFAULT_DRIVE_VERSION})\n`,
        );
        return 0;
      default:
        io.stderr(`unknown command "${command}"\n\n${USAGE}`);
        return 2;
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR') {
      io.stderr(`cannot read ${(error as NodeJS.ErrnoException).path ?? 'input'}: ${code}\n`);
      return 2;
    }
    throw error;
  }
  io.stderr(`${command} needs at least one FILE or DIR\n\n${USAGE}`);
  return 2;
}

if (isMainModule(import.meta.url)) {
  process.exitCode = await run(process.argv.slice(2));
}
