// compose-config, the reference loader for `lasuitectl compose`: what it accepts, what it
// refuses and with which message, and where interpolation takes its values from.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  loadComposeProject,
  loadComposeProjectWithWarnings,
  validateComposeSchema,
} from './compose-config.js';
import { removeServerDirectory, serverDirectory } from './processes.js';

let root = '';
beforeAll(async () => {
  root = await serverDirectory('compose-config');
});
afterAll(async () => {
  await removeServerDirectory(root);
});

/** A fresh project directory holding the given files. */
async function project(name: string, files: Record<string, string>): Promise<string> {
  const directory = join(root, name);
  await mkdir(directory);
  for (const [file, content] of Object.entries(files)) {
    await writeFile(join(directory, file), content);
  }
  return directory;
}

describe('compose-config (compose-go)', () => {
  it('loads a valid project, interpolating from the env file', async () => {
    const directory = await project('valid', {
      'drive.env': 'DRIVE_TAG=v0.21.1\nDB_PASSWORD=not-a-secret\n',
      'compose.yaml': `
name: drive
x-common: &common
  restart: unless-stopped
  read_only: true
services:
  postgres:
    <<: *common
    image: postgres:16
    environment:
      POSTGRES_PASSWORD: \${DB_PASSWORD}
    healthcheck:
      test: [CMD, pg_isready]
      interval: 5s
    volumes: [pgdata:/var/lib/postgresql/data]
  backend:
    <<: *common
    image: "lasuite/drive-backend:\${DRIVE_TAG}"
    user: "1000:1000"
    tmpfs: [/tmp]
    command: [gunicorn, --bind, "0.0.0.0:8000"]
    ports: ["127.0.0.1:8000:8000"]
    depends_on:
      postgres:
        condition: service_healthy
        restart: true
volumes:
  pgdata: {}
`,
    });
    const file = join(directory, 'compose.yaml');
    await validateComposeSchema([file]);
    const loaded = await loadComposeProject({
      files: [file],
      projectDirectory: directory,
      envFiles: [join(directory, 'drive.env')],
    });

    expect(loaded.name).toBe('drive');
    const backend = loaded.services.backend!;
    expect(backend.image).toBe('lasuite/drive-backend:v0.21.1');
    expect(backend.command).toEqual(['gunicorn', '--bind', '0.0.0.0:8000']);
    expect(backend.entrypoint).toBeNull();
    expect(backend).toMatchObject({
      user: '1000:1000',
      read_only: true,
      tmpfs: ['/tmp'],
      restart: 'unless-stopped',
    });
    expect(backend.ports).toEqual([
      { mode: 'ingress', host_ip: '127.0.0.1', target: 8000, published: '8000', protocol: 'tcp' },
    ]);
    expect(backend.depends_on).toEqual({
      postgres: { condition: 'service_healthy', restart: true, required: true },
    });
    expect(backend.networks).toEqual({ default: null });

    const postgres = loaded.services.postgres!;
    expect(postgres.environment).toEqual({ POSTGRES_PASSWORD: 'not-a-secret' });
    expect(postgres.healthcheck).toEqual({ test: ['CMD', 'pg_isready'], interval: '5s' });
    expect(postgres.volumes).toEqual([
      { type: 'volume', source: 'pgdata', target: '/var/lib/postgresql/data', volume: {} },
    ]);
    expect(loaded.volumes).toEqual({ pgdata: { name: 'drive_pgdata' } });
    expect(loaded.networks?.default?.name).toBe('drive_default');
    expect(loaded['x-common']).toEqual({ restart: 'unless-stopped', read_only: true });
  });

  it('reads <project directory>/.env when no env file is given, as docker compose does', async () => {
    const directory = await project('default-env', {
      '.env': 'TAG=from-dot-env\n',
      'compose.yaml': 'services:\n  app:\n    image: "busybox:${TAG}"\n',
    });
    const loaded = await loadComposeProject({
      files: [join(directory, 'compose.yaml')],
      projectDirectory: directory,
      projectName: 'dotenv',
    });
    expect(loaded.name).toBe('dotenv');
    expect(loaded.services.app?.image).toBe('busybox:from-dot-env');
  });

  it('refuses an unknown service key against the schema, naming it', async () => {
    const directory = await project('unknown-key', {
      'compose.yaml': 'services:\n  app:\n    image: busybox\n    imagee: busybox\n',
    });
    const file = join(directory, 'compose.yaml');
    await expect(validateComposeSchema([file])).rejects.toThrow(
      `${file}: services.app.imagee false schema`,
    );
    await expect(
      loadComposeProject({ files: [file], projectDirectory: directory }),
    ).rejects.toThrow('services.app.imagee');
  });

  it('refuses a required variable that no env file sets, with its message', async () => {
    const directory = await project('required', {
      'app.env': 'OTHER=1\n',
      'compose.yaml': 'services:\n  app:\n    image: "busybox:${X:?set X in .env}"\n',
    });
    await expect(
      loadComposeProject({
        files: [join(directory, 'compose.yaml')],
        projectDirectory: directory,
        envFiles: [join(directory, 'app.env')],
      }),
    ).rejects.toThrow('required variable X is missing a value: set X in .env');
  });

  it('refuses depends_on naming an unknown service', async () => {
    const directory = await project('unknown-dependency', {
      'compose.yaml': 'services:\n  app:\n    image: busybox\n    depends_on: [redis]\n',
    });
    await expect(
      loadComposeProject({ files: [join(directory, 'compose.yaml')], projectDirectory: directory }),
    ).rejects.toThrow('service "app" depends on undefined service "redis"');
  });

  it('resolves relative bind-mount sources against the project directory', async () => {
    const directory = await project('bind', {});
    await mkdir(join(directory, 'compose'));
    await writeFile(
      join(directory, 'compose', 'compose.yaml'),
      'services:\n  app:\n    image: busybox\n    volumes: ["./media:/srv/media:ro"]\n',
    );
    const loaded = await loadComposeProject({
      files: [join(directory, 'compose', 'compose.yaml')],
      projectDirectory: directory,
      projectName: 'bind',
    });
    expect(loaded.services.app?.volumes).toEqual([
      {
        type: 'bind',
        source: join(directory, 'media'),
        target: '/srv/media',
        read_only: true,
        bind: {},
      },
    ]);
  });

  it('does not interpolate from the process environment', async () => {
    const directory = await project('process-env', {
      '.env': 'FROM_FILE=file\n',
      'compose.yaml': `
services:
  app:
    image: "busybox:\${LASUITE_ONLY_IN_PROCESS:-fallback}"
    environment:
      - LASUITE_ONLY_IN_PROCESS
      - FROM_FILE
    command: ["echo", "\${LASUITE_UNSET_IN_PROCESS}"]
`,
    });
    process.env.LASUITE_ONLY_IN_PROCESS = 'leaked';
    process.env.LASUITE_UNSET_IN_PROCESS = 'leaked';
    try {
      const { project: loaded, warnings } = await loadComposeProjectWithWarnings({
        files: [join(directory, 'compose.yaml')],
        projectDirectory: directory,
        projectName: 'env',
      });
      const app = loaded.services.app!;
      expect(app.image).toBe('busybox:fallback');
      expect(app.environment).toEqual({ LASUITE_ONLY_IN_PROCESS: null, FROM_FILE: 'file' });
      expect(app.command).toEqual(['echo', '']);
      expect(warnings).toEqual([
        'The "LASUITE_UNSET_IN_PROCESS" variable is not set. Defaulting to a blank string.',
      ]);
    } finally {
      delete process.env.LASUITE_ONLY_IN_PROCESS;
      delete process.env.LASUITE_UNSET_IN_PROCESS;
    }
  });

  it('expands $ in an unquoted or double-quoted .env value, not in a single-quoted one', async () => {
    const directory = await project('dollar', {
      '.env': 'UNQUOTED=a$b\nDOUBLE="a$b"\nSINGLE=\'a$b\'\nESCAPED=a$$b\n',
      'compose.yaml': `
services:
  app:
    image: busybox
    environment:
      UNQUOTED: \${UNQUOTED}
      DOUBLE: \${DOUBLE}
      SINGLE: \${SINGLE}
      ESCAPED: \${ESCAPED}
`,
    });
    const { project: loaded, warnings } = await loadComposeProjectWithWarnings({
      files: [join(directory, 'compose.yaml')],
      projectDirectory: directory,
      projectName: 'dollar',
    });
    expect(loaded.services.app?.environment).toEqual({
      UNQUOTED: 'a',
      DOUBLE: 'a',
      SINGLE: 'a$b',
      ESCAPED: 'a$b',
    });
    expect(warnings).toContain('The "b" variable is not set. Defaulting to a blank string.');
  });
});
