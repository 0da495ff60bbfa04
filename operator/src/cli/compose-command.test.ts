import { cp, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { composeExample } from '../test-support/compose-render.js';
import { RENDERED_FILES_LIST } from './compose-command.js';
import { lasuitectl } from '../test-support/lasuitectl.js';

describe('lasuitectl compose', () => {
  let work: string;
  let resources: string;
  let output: string;
  beforeEach(async () => {
    work = await mkdtemp(join(tmpdir(), 'lasuitectl-compose-'));
    resources = join(work, 'resources');
    output = join(work, 'out');
    await cp(composeExample('dev'), resources, { recursive: true });
  });
  afterEach(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it('writes the project, a private .env, and says what to do next', async () => {
    const result = await lasuitectl('compose', resources, '-o', output);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toContain('drive.dev.lan s3.dev.lan auth.dev.lan');
    expect(result.stdout).toContain(`start it: cd ${output} && docker compose up -d`);
    expect((await stat(join(output, '.env'))).mode & 0o777).toBe(0o600);
    expect((await readdir(output)).sort()).toEqual(['.env', 'compose', 'compose.yaml']);
  });

  it('keeps .env as it is when rendering again', async () => {
    await lasuitectl('compose', resources, '-o', output);
    const first = await readFile(join(output, '.env'), 'utf8');
    const again = await lasuitectl('compose', resources, '-o', output);
    expect(again.code).toBe(0);
    expect(again.stdout).not.toContain('generated');
    expect(await readFile(join(output, '.env'), 'utf8')).toBe(first);
  });

  it('removes the files of an edge it no longer renders', async () => {
    await lasuitectl('compose', resources, '-o', output);
    const project = join(resources, 'compose-project.yaml');
    await writeFile(
      project,
      (await readFile(project, 'utf8')).replace('type: nginx', 'type: traefik'),
    );
    const result = await lasuitectl('compose', resources, '-o', output);
    expect(result.stdout).toContain(
      'removed what this render no longer produces: compose/nginx/drive.conf, compose/nginx/nginx.conf',
    );
    expect((await readdir(join(output, 'compose/traefik'))).sort()).toEqual([
      'dynamic',
      'traefik.yml',
    ]);
    expect(await readdir(join(output, 'compose/nginx'))).toEqual([]);
    expect(await readFile(join(output, RENDERED_FILES_LIST), 'utf8')).toContain(
      'compose/traefik/dynamic/drive.yml',
    );
  });

  it('names the file, line, resource and field of bad input, and writes nothing', async () => {
    const storage = join(resources, 'storage.yaml');
    await writeFile(
      storage,
      (await readFile(storage, 'utf8')).replace('provider: seaweedfs', 'provider: rgw'),
    );
    const result = await lasuitectl('compose', resources, '-o', output);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${storage}:10:15 (document 1, StorageMount drive-media)`);
    expect(result.stderr).toContain('spec.s3.provider: provider rgw needs the operator');
    expect(result.stderr).toContain('hint: use provider seaweedfs');
    await expect(stat(output)).rejects.toThrow();
  });

  it('needs an output directory', async () => {
    const result = await lasuitectl('compose', resources);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('compose needs -o DIR');
  });

  it('renders offline only when the IdP endpoints are given', async () => {
    const single = join(work, 'single');
    await cp(composeExample('single-host'), single, { recursive: true });
    const project = join(single, 'compose-project.yaml');
    const text = await readFile(project, 'utf8');
    await writeFile(project, text.slice(0, text.indexOf('  identity:')));
    const result = await lasuitectl('compose', single, '-o', output, '--offline');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'the endpoints of https://sso.example.com/realms/example are unknown',
    );
  });
});
