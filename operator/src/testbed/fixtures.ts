// vitest fixtures: a test file asks for the servers it needs; they start before its first test
// and stop after its last, so files that need no server start none.
import { afterAll, beforeAll } from 'vitest';

export function useServer<Server extends { stop(): Promise<void> }>(
  start: () => Promise<Server>,
): () => Server {
  let server: Server | undefined;
  beforeAll(async () => {
    server = await start();
  });
  afterAll(async () => {
    await server?.stop();
  });
  return () => {
    if (!server) throw new Error('the server did not start; see the beforeAll error above');
    return server;
  };
}
