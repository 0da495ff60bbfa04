// A tiny HTTP server for smoke tests: answers with what it received.
import {
  createServer,
  type IncomingHttpHeaders,
  type RequestListener,
  type Server,
} from 'node:http';

export interface EchoServer {
  url: string;
  port: number;
  requests: { method?: string; url?: string; headers: IncomingHttpHeaders }[];
  stop(): Promise<void>;
}

export async function startHttpServer(handler?: RequestListener): Promise<EchoServer> {
  const requests: EchoServer['requests'] = [];
  const server: Server = createServer((request, response) => {
    requests.push({ method: request.method, url: request.url, headers: request.headers });
    if (handler) {
      handler(request, response);
      return;
    }
    response.setHeader('content-type', 'application/json');
    response.end(
      JSON.stringify({ method: request.method, url: request.url, headers: request.headers }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${String(port)}`,
    port,
    requests,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}
