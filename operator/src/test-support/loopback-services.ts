// Pods do not exist in the test bed, and the API server refuses loopback endpoints: Services of
// type ExternalName naming 127.0.0.1 stand for the Services a Traefik IngressRoute routes to, so
// Traefik's CRD provider reaches servers on loopback (it must allow ExternalName Services).
import type { KubeObject } from '../render/drive-objects.js';

type IngressRoute = KubeObject & {
  spec: { routes: { services?: { name: string; port: number }[] }[] };
};

/** One ExternalName Service for 127.0.0.1 per Service the routes name, with every port used. */
export function loopbackServices(routes: readonly KubeObject[], namespace: string): KubeObject[] {
  const ports = new Map<string, Set<number>>();
  for (const route of routes as IngressRoute[])
    for (const entry of route.spec.routes)
      for (const service of entry.services ?? [])
        ports.set(service.name, (ports.get(service.name) ?? new Set()).add(service.port));
  return [...ports].map(
    ([name, numbers]) =>
      ({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name, namespace },
        spec: {
          type: 'ExternalName',
          externalName: '127.0.0.1',
          ports: [...numbers].map((port) => ({ name: `p${String(port)}`, port })),
        },
      }) as KubeObject,
  );
}
