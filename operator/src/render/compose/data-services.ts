// PostgreSQL (what spec.database.cloudNativePG asks for in a cluster) and the managed Redis.
import { objectNames } from '../object-names.js';
import { DATABASE, PORTS, SERVICES, type ComposeContext } from './compose-context.js';
import {
  healthcheck,
  LONG_RUNNING,
  type ComposeService,
  type ComposeVolume,
} from './compose-service.js';

const POSTGRES_VOLUME = 'postgres-data';
// The official images' own users: postgres writes its data directory as 70 (alpine), Redis as 999.
const REDIS_USER = '999:999';

export function dataServices(context: ComposeContext): {
  services: ComposeService[];
  volumes: ComposeVolume[];
} {
  const { drive, project } = context.resources;
  const services: ComposeService[] = [];
  const volumes: ComposeVolume[] = [];
  if (drive.spec.database.cloudNativePG) {
    const secret = objectNames.cloudNativePGAppSecret(objectNames.databaseCluster(drive.name));
    const storageAddress = context.addressOf('storage');
    services.push({
      name: SERVICES.postgres,
      role: 'storage',
      definition: {
        image: project.spec.images.postgres,
        environment: {
          POSTGRES_DB: DATABASE.name,
          POSTGRES_USER: DATABASE.user,
          POSTGRES_PASSWORD: context.secrets.interpolation(
            { name: secret, key: 'password' },
            'the project PostgreSQL',
          ),
        },
        volumes: [`${POSTGRES_VOLUME}:/var/lib/postgresql/data`],
        ...(storageAddress === undefined
          ? {}
          : { ports: [`${storageAddress}:${String(PORTS.postgres)}:${String(PORTS.postgres)}`] }),
        security_opt: ['no-new-privileges:true'],
        ...LONG_RUNNING,
        ...healthcheck([
          'CMD',
          'pg_isready',
          '-h',
          '127.0.0.1',
          '-U',
          DATABASE.user,
          '-d',
          DATABASE.name,
        ]),
        // PostgreSQL finishes its checkpoint before stopping; Docker's 10 s would cut it short.
        stop_grace_period: '60s',
      },
    });
    volumes.push({ name: POSTGRES_VOLUME, role: 'storage' });
  }
  const redis = drive.spec.redis.managed;
  if (redis) {
    const password = context.secrets.interpolation(
      { name: objectNames.redis(drive.name), key: 'password' },
      'the project Redis',
    );
    services.push({
      name: SERVICES.redis,
      role: 'apps',
      definition: {
        image: redis.image,
        user: REDIS_USER,
        // The password comes from the environment, not the command line `docker inspect` shows.
        // Sessions, caches, locks and the task queue: nothing worth a disk.
        command: [
          'sh',
          '-c',
          'exec redis-server --requirepass "$$REDIS_PASSWORD" --save "" --appendonly no',
        ],
        environment: { REDIS_PASSWORD: password, REDISCLI_AUTH: password },
        read_only: true,
        tmpfs: ['/data:size=64m'],
        cap_drop: ['ALL'],
        security_opt: ['no-new-privileges:true'],
        ...LONG_RUNNING,
        ...healthcheck(['CMD-SHELL', 'redis-cli ping | grep -q PONG']),
      },
    });
  }
  return { services, volumes };
}
