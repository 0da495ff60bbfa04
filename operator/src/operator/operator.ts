// The operator process: loads the kubeconfig, starts the controllers (only on the leader when
// leader election is on), serves /metrics, /healthz and /readyz, and stops cleanly on SIGTERM.
import { createServer, type Server } from 'node:http';
import { pino, type Logger } from 'pino';
import { DriveInstanceController } from '../controllers/drive-instance-controller.js';
import {
  registerOidcClientController,
  registerStorageMountController,
  registerWopiClientController,
} from '../controllers/resource-controllers.js';
import type { ExternalCleanup } from '../controllers/finalizer.js';
import type { StatusObject } from '../controllers/status-writer.js';
import { loadClusterConnection } from '../runtime/cluster-connection.js';
import { LeaderElector } from '../runtime/leader-election.js';
import { Manager } from '../runtime/manager.js';

export const CONTROLLERS = ['driveinstance', 'storagemount', 'oidcclient', 'wopiclient'] as const;
export type ControllerName = (typeof CONTROLLERS)[number];

export interface OperatorOptions {
  kubeconfig?: string;
  namespace?: string;
  metricsPort: number;
  leaderElection: boolean;
  leaseNamespace: string;
  identity: string;
  log?: Logger;
  resyncMs?: [number, number];
  /** Controllers to run; all four by default. */
  controllers?: readonly ControllerName[];
  /** What to do when the lease is lost; exiting (and being restarted as a follower) by default. */
  onLostLease?: () => void;
  /**
   * What deleting a StorageMount or an OidcClient removes outside the cluster (the bucket, the
   * IdP client). A kind without one gets no finalizer: deleting it leaves everything outside.
   */
  cleanups?: {
    storagemount?: ExternalCleanup<StatusObject>;
    oidcclient?: ExternalCleanup<StatusObject>;
  };
}

export interface RunningOperator {
  manager: Manager;
  server: Server;
  port: number;
  isLeader(): boolean;
  stop(): Promise<void>;
}

export async function startOperator(options: OperatorOptions): Promise<RunningOperator> {
  const log =
    options.log ?? pino({ base: { component: 'lasuite-operator', identity: options.identity } });
  const manager = new Manager({
    connection: await loadClusterConnection(options.kubeconfig),
    log,
    namespace: options.namespace,
    resyncMs: options.resyncMs,
  });
  const enabled = new Set(options.controllers ?? CONTROLLERS);
  if (enabled.has('driveinstance')) new DriveInstanceController(manager);
  if (enabled.has('storagemount'))
    registerStorageMountController(manager, options.cleanups?.storagemount);
  if (enabled.has('oidcclient'))
    registerOidcClientController(manager, options.cleanups?.oidcclient);
  if (enabled.has('wopiclient')) registerWopiClientController(manager);

  let leading = !options.leaderElection;
  let ready = false;
  const server = createServer((request, response) => {
    void (async () => {
      if (request.url === '/metrics') {
        response.setHeader('content-type', manager.registry.contentType);
        response.end(await manager.registry.metrics());
      } else if (request.url === '/healthz') {
        response.end('ok');
      } else if (request.url === '/readyz') {
        response.statusCode = ready ? 200 : 503;
        response.end(ready ? 'ok' : 'starting');
      } else {
        response.statusCode = 404;
        response.end();
      }
    })();
  });
  await new Promise<void>((resolve) => server.listen(options.metricsPort, resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.metricsPort;

  const elector = options.leaderElection
    ? new LeaderElector(manager.api, {
        namespace: options.leaseNamespace,
        name: 'lasuite-operator',
        identity: options.identity,
        log,
        onStartedLeading: async () => {
          leading = true;
          log.info('leading: starting controllers');
          await manager.start();
        },
        onStoppedLeading: () => {
          // Another replica leads now; writing from here would fight it. Exit and let the
          // Deployment restart this pod as a follower.
          log.warn('lost the lease');
          leading = false;
          (options.onLostLease ?? (() => process.exit(1)))();
        },
      })
    : undefined;
  if (elector) elector.start();
  else await manager.start();
  ready = true;
  log.info({ port, leaderElection: options.leaderElection }, 'operator started');

  return {
    manager,
    server,
    port,
    isLeader: () => leading,
    stop: async () => {
      log.info('stopping');
      ready = false;
      await manager.stop();
      await elector?.release();
      await new Promise<void>((resolve) =>
        server.close(() => {
          resolve();
        }),
      );
    },
  };
}
