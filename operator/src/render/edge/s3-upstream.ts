// The Service the edge proxies /media to: the internal S3 endpoint Drive signs for, as an
// ExternalName Service (a DNS name) or a selectorless Service with an EndpointSlice (an IP).
import { isIP } from 'node:net';
import { childMeta, type OwnerInstance } from '../labels.js';
import { objectNames } from '../object-names.js';

export interface S3Upstream {
  service: string;
  port: number;
  scheme: 'http' | 'https';
  /**
   * host[:port] of AWS_S3_ENDPOINT_URL, the Host Drive's media-auth signs for (drive-contract
   * §5.2): the port is kept unless it is the scheme's default, as URL.host does.
   */
  signedHost: string;
}

export function s3Upstream(
  owner: OwnerInstance,
  internalEndpoint: string,
): { upstream: S3Upstream; objects: unknown[] } {
  const url = new URL(internalEndpoint);
  const scheme = url.protocol === 'https:' ? 'https' : 'http';
  const port = url.port === '' ? (scheme === 'https' ? 443 : 80) : Number(url.port);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const name = objectNames.s3Upstream(owner.name);
  const ports = [{ name: scheme, port, protocol: 'TCP' }];
  const ipFamily = isIP(host);
  const objects: unknown[] =
    ipFamily === 0
      ? [
          {
            apiVersion: 'v1',
            kind: 'Service',
            metadata: childMeta(owner, name, 'media'),
            spec: { type: 'ExternalName', externalName: host, ports },
          },
        ]
      : [
          {
            apiVersion: 'v1',
            kind: 'Service',
            metadata: childMeta(owner, name, 'media'),
            spec: { type: 'ClusterIP', ports },
          },
          {
            apiVersion: 'discovery.k8s.io/v1',
            kind: 'EndpointSlice',
            metadata: {
              ...childMeta(owner, name, 'media'),
              labels: {
                ...childMeta(owner, name, 'media').labels,
                'kubernetes.io/service-name': name,
              },
            },
            addressType: ipFamily === 6 ? 'IPv6' : 'IPv4',
            endpoints: [{ addresses: [host] }],
            ports: [{ name: scheme, port, protocol: 'TCP' }],
          },
        ];
  return { upstream: { service: name, port, scheme, signedHost: url.host }, objects };
}
