// The commands Drive's backend image runs besides gunicorn (drive-contract §2), for the cluster's
// Deployments, Jobs and CronJobs and for Compose's services alike.

export const DRIVE_COMMANDS = {
  migrate: ['python', 'manage.py', 'migrate', '--no-input'],
  configureWopi: ['python', 'manage.py', 'trigger_wopi_configuration'],
  /** The worker is named drive@<host>, which its liveness check pings. */
  worker: (concurrency?: number) => [
    'celery',
    '-A',
    'drive.celery_app',
    'worker',
    '-l',
    'INFO',
    '-n',
    'drive@%h',
    ...(concurrency === undefined ? [] : ['-c', String(concurrency)]),
  ],
  beat: [
    'celery',
    '-A',
    'drive.celery_app',
    'beat',
    '-l',
    'INFO',
    '--schedule=/tmp/celerybeat-schedule',
  ],
  /** A shell command line: $HOSTNAME is the worker's host. */
  workerPing: 'celery -A drive.celery_app inspect ping -d "drive@$HOSTNAME"',
} as const;

/** The upstream chart's daily CronJobs (drive-contract §2), times in UTC. */
export const DAILY_COMMANDS = [
  { command: 'clean_pending_items', hour: 0, minute: 30 },
  { command: 'purge_deleted_items', hour: 0, minute: 45 },
] as const;
