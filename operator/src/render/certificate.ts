// TLS for the Drive host (and editor hosts): a given Secret, or a cert-manager Certificate.
import type { DriveInstanceSpec } from '../api/drive-instance.js';
import { childMeta, type OwnerInstance } from './labels.js';
import { objectNames } from './object-names.js';

export function tlsSecretName(owner: OwnerInstance, spec: DriveInstanceSpec): string {
  return spec.tls.secretName ?? objectNames.tlsCertificate(owner.name);
}

export function certificate(
  owner: OwnerInstance,
  spec: DriveInstanceSpec,
  extraHosts: readonly string[],
) {
  const issuer = spec.tls.issuerRef;
  if (!issuer) return [];
  const name = objectNames.tlsCertificate(owner.name);
  return [
    {
      apiVersion: 'cert-manager.io/v1',
      kind: 'Certificate',
      metadata: childMeta(owner, name, 'tls'),
      spec: {
        secretName: name,
        dnsNames: [...new Set([spec.host, ...extraHosts])],
        issuerRef: { name: issuer.name, kind: issuer.kind, group: issuer.group },
      },
    },
  ];
}
