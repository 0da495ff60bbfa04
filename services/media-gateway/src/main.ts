// Starts the gateway from its environment; SIGTERM drains it (readiness goes false, open
// requests finish) before the process exits.
import { ConfigError, configFromEnv } from './config.js';
import { buildGateway } from './gateway.js';

try {
  const config = configFromEnv(process.env);
  const app = await buildGateway(config);
  await app.listen({ port: config.PORT, host: config.BIND_ADDRESS });
  for (const signal of ['SIGTERM', 'SIGINT'] as const)
    process.once(signal, () => {
      void app.close().then(() => process.exit(0));
    });
} catch (error) {
  process.stderr.write(
    `media-gateway: ${error instanceof ConfigError ? 'invalid configuration: ' : ''}${(error as Error).message}\n`,
  );
  process.exit(1);
}
