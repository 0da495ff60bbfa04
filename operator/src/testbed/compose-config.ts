// compose-config (hack/go/compose) from TypeScript: compose-go, the loader `docker compose`
// itself uses, so that the Compose renderer's tests hold generated files to the reference
// implementation without a Docker engine.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { binaries } from './binaries.js';

const run = promisify(execFile);

/** A service volume after normalization: the short syntax becomes this long form. */
export interface ComposeServiceVolumeJson {
  type: 'bind' | 'volume' | 'tmpfs' | 'npipe' | 'cluster' | 'image';
  /** Bind sources are absolute, resolved against the project directory. */
  source?: string;
  target: string;
  read_only?: boolean;
  [key: string]: unknown;
}

export interface ComposeServicePortJson {
  target: number;
  /** A string even when written as a number: it may be a range. */
  published?: string;
  host_ip?: string;
  protocol?: string;
  mode?: string;
  [key: string]: unknown;
}

export interface ComposeDependencyJson {
  condition: 'service_started' | 'service_healthy' | 'service_completed_successfully';
  /** Added as true when the file leaves it out. */
  required: boolean;
  /** Present only when true. */
  restart?: boolean;
  [key: string]: unknown;
}

export interface ComposeHealthcheckJson {
  test?: string[];
  /** Durations as Go writes them: "5s", "1m30s". */
  interval?: string;
  timeout?: string;
  start_period?: string;
  start_interval?: string;
  retries?: number;
  disable?: boolean;
  [key: string]: unknown;
}

export interface ComposeServiceJson {
  image?: string;
  /** null when the file sets none: the image's own applies. */
  command: string[] | null;
  entrypoint: string[] | null;
  /** null for a name listed without a value that no env file sets. */
  environment?: Record<string, string | null>;
  volumes?: ComposeServiceVolumeJson[];
  ports?: ComposeServicePortJson[];
  depends_on?: Record<string, ComposeDependencyJson>;
  healthcheck?: ComposeHealthcheckJson;
  /** Every service joins "default" (value null) unless it names its networks. */
  networks?: Record<string, Record<string, unknown> | null>;
  user?: string;
  read_only?: boolean;
  tmpfs?: string[];
  restart?: string;
  [key: string]: unknown;
}

export interface ComposeVolumeJson {
  /** The project-prefixed name Docker would create, e.g. "drive_pgdata". */
  name?: string;
  external?: boolean;
  driver?: string;
  [key: string]: unknown;
}

export interface ComposeNetworkJson {
  name?: string;
  external?: boolean;
  internal?: boolean;
  driver?: string;
  [key: string]: unknown;
}

/**
 * A project as `docker compose config --format json` prints it: top-level volumes and networks
 * no service uses are dropped, and `x-` fields survive only at the top level.
 */
export interface ComposeProjectJson {
  name: string;
  services: Record<string, ComposeServiceJson>;
  volumes?: Record<string, ComposeVolumeJson>;
  networks?: Record<string, ComposeNetworkJson>;
  [key: string]: unknown;
}

export interface ComposeProjectOptions {
  files: string[];
  projectDirectory: string;
  /** Without any, `<projectDirectory>/.env` is read when it exists, as docker compose does. */
  envFiles?: string[];
  projectName?: string;
}

async function composeConfig(args: string[]): Promise<{ stdout: string; stderr: string }> {
  const binary = binaries.composeConfig();
  try {
    return await run(binary, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  } catch (error) {
    const stderr =
      typeof error === 'object' && error !== null && 'stderr' in error ? String(error.stderr) : '';
    throw new Error(`compose-config ${args[0] ?? ''}: ${stderr.trim() || String(error)}`, {
      cause: error,
    });
  }
}

/**
 * Loads a project like `docker compose config` (schema, interpolation, normalization, resolved
 * paths, consistency checks), interpolating from the env files only, never from this process's
 * environment. Also returns compose-go's warnings, e.g. a variable that no env file sets and that
 * therefore became an empty string.
 */
export async function loadComposeProjectWithWarnings(
  options: ComposeProjectOptions,
): Promise<{ project: ComposeProjectJson; warnings: string[] }> {
  const args = ['project', '--project-directory', options.projectDirectory];
  for (const envFile of options.envFiles ?? []) args.push('--env-file', envFile);
  if (options.projectName !== undefined) args.push('--project-name', options.projectName);
  for (const file of options.files) args.push('-f', file);
  const { stdout, stderr } = await composeConfig(args);
  const warnings = stderr
    .split('\n')
    .filter((line) => line.startsWith('warning: '))
    .map((line) => line.slice('warning: '.length));
  return { project: JSON.parse(stdout) as ComposeProjectJson, warnings };
}

/** {@link loadComposeProjectWithWarnings} for callers that only need the project. */
export async function loadComposeProject(
  options: ComposeProjectOptions,
): Promise<ComposeProjectJson> {
  return (await loadComposeProjectWithWarnings(options)).project;
}

/**
 * Validates each file as written, before interpolation and merging, against the Compose
 * Specification schema compose-go embeds; rejects naming each failing file and the offending
 * path.
 */
export async function validateComposeSchema(files: string[]): Promise<void> {
  if (files.length === 0) throw new Error('validateComposeSchema: no file given');
  await composeConfig(['schema', ...files]);
}
