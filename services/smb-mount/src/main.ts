// Starts the mounts service from its environment. Mounts connect on first use (a server that is
// down does not stop the others); SIGTERM drains: readiness fails, requests in flight finish,
// then the SMB connections and Redis close.
import { createService } from './app.js';
import { ConfigError, configFromEnv } from './config.js';
import { extensions } from './extensions.js';

try {
  const config = configFromEnv(process.env);
  const service = await createService(config, { extensions });
  const { app, context } = service;
  await app.listen({ port: config.PORT, host: config.BIND_ADDRESS });
  context.mounts.warmUp();
  for (const signal of ['SIGTERM', 'SIGINT'] as const)
    process.once(signal, () => {
      app.log.info({ signal, delayMs: config.DRAIN_DELAY_MS }, 'draining');
      void service.drain(config.DRAIN_DELAY_MS).then(
        () => process.exit(0),
        () => process.exit(1),
      );
    });
} catch (error) {
  process.stderr.write(
    `smb-mount: ${error instanceof ConfigError ? 'invalid configuration: ' : ''}${(error as Error).message}\n`,
  );
  process.exit(1);
}
