// The migrations Job (one per Drive version and configuration), the WOPI configuration Job (one
// per WOPI configuration) and Drive's two daily commands.
import { createHash } from 'node:crypto';
import { DAILY_COMMANDS, DRIVE_COMMANDS } from './drive-commands.js';
import { backendContainer, podTemplate, type DrivePodContext } from './drive-pods.js';
import { childMeta } from './labels.js';
import { objectNames } from './object-names.js';
import { RESOURCE_DEFAULTS } from './resource-defaults.js';

/** Changes with the Drive version and with anything the backend reads at start-up. */
export function migrationsHash(version: string, checksum: string): string {
  return createHash('sha256').update(`${version}\n${checksum}`).digest('hex').slice(0, 10);
}

export function migrationsJob(context: DrivePodContext) {
  const { owner, spec } = context;
  const name = objectNames.migrationsJob(
    owner.name,
    migrationsHash(spec.version, context.checksum),
  );
  const container = backendContainer(context, 'migrate', {
    command: [...DRIVE_COMMANDS.migrate],
    resources: RESOURCE_DEFAULTS.job,
  });
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: childMeta(owner, name, 'migrations', {
      'lasuite.selfhost.dev/drive-version': spec.version,
    }),
    spec: {
      backoffLimit: 3,
      activeDeadlineSeconds: 3600,
      template: podTemplate(owner, 'migrations', spec.version, [container], {
        restartPolicy: 'Never',
      }),
    },
  };
}

/**
 * Drive caches what it read from the editors' discovery for 24 h and refreshes it daily; a
 * changed WOPI setting (an editor added, a discovery URL moved) would go unseen until then.
 * `trigger_wopi_configuration` enqueues the refresh on the celery worker (drive-contract §6), so
 * a new Job, named after the WOPI settings, runs whenever they change.
 */
export function wopiConfigurationJob(context: DrivePodContext) {
  const { owner, spec, env } = context;
  const wopi = env.filter((entry) => entry.name.startsWith('WOPI_'));
  if (!wopi.some((entry) => entry.name === 'WOPI_CLIENTS')) return [];
  const hash = createHash('sha256').update(JSON.stringify(wopi)).digest('hex').slice(0, 10);
  const container = backendContainer(context, 'configure-wopi', {
    command: [...DRIVE_COMMANDS.configureWopi],
    resources: RESOURCE_DEFAULTS.job,
  });
  return [
    {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: childMeta(owner, objectNames.wopiConfigurationJob(owner.name, hash), 'wopi'),
      spec: {
        backoffLimit: 3,
        activeDeadlineSeconds: 600,
        template: podTemplate(owner, 'wopi', spec.version, [container], {
          restartPolicy: 'Never',
        }),
      },
    },
  ];
}

const CRONJOB_NAMES: Record<(typeof DAILY_COMMANDS)[number]['command'], (drive: string) => string> =
  {
    clean_pending_items: objectNames.cleanPendingCronJob,
    purge_deleted_items: objectNames.purgeDeletedCronJob,
  };

export function cronJobs(context: DrivePodContext) {
  const { owner, spec } = context;
  return DAILY_COMMANDS.map(({ command, hour, minute }) => ({
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: childMeta(owner, CRONJOB_NAMES[command](owner.name), 'maintenance'),
    spec: {
      schedule: `${String(minute)} ${String(hour)} * * *`,
      timeZone: 'Etc/UTC',
      concurrencyPolicy: 'Forbid',
      startingDeadlineSeconds: 3600,
      successfulJobsHistoryLimit: 1,
      failedJobsHistoryLimit: 3,
      jobTemplate: {
        spec: {
          backoffLimit: 2,
          activeDeadlineSeconds: 3600,
          template: podTemplate(
            owner,
            'maintenance',
            spec.version,
            [
              backendContainer(context, command.replaceAll('_', '-'), {
                command: ['python', 'manage.py', command],
                resources: RESOURCE_DEFAULTS.job,
              }),
            ],
            { restartPolicy: 'Never' },
          ),
        },
      },
    },
  }));
}
