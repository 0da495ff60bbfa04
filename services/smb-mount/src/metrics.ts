// The service's Prometheus metrics, on one registry that every part (and every extension)
// registers into. Labels never carry a path, a user or a token: only routes, mounts and outcomes.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface Metrics {
  registry: Registry;
  requests: Counter<'method' | 'route' | 'status'>;
  requestDuration: Histogram<'method' | 'route'>;
  smbOperations: Counter<'mount' | 'operation'>;
  bytesSent: Counter<'mount'>;
  bytesReceived: Counter<'mount'>;
  identityLookups: Counter<'outcome'>;
  listingCache: Counter<'outcome'>;
  uploads: Counter<'outcome'>;
  tempFilesSwept: Counter;
  mountState: Gauge<'mount' | 'state'>;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  return {
    registry,
    requests: new Counter({
      name: 'smb_mount_http_requests_total',
      help: 'HTTP requests by method, route pattern and status.',
      labelNames: ['method', 'route', 'status'],
      registers,
    }),
    requestDuration: new Histogram({
      name: 'smb_mount_http_request_duration_seconds',
      help: 'Time to the end of the response, by method and route pattern.',
      labelNames: ['method', 'route'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers,
    }),
    smbOperations: new Counter({
      name: 'smb_mount_smb_operations_total',
      help: 'Calls into the SMB layer, by mount and operation.',
      labelNames: ['mount', 'operation'],
      registers,
    }),
    bytesSent: new Counter({
      name: 'smb_mount_download_bytes_total',
      help: 'File bytes sent to clients, by mount.',
      labelNames: ['mount'],
      registers,
    }),
    bytesReceived: new Counter({
      name: 'smb_mount_upload_bytes_total',
      help: 'File bytes written to the shares by uploads, by mount.',
      labelNames: ['mount'],
      registers,
    }),
    identityLookups: new Counter({
      name: 'smb_mount_userinfo_lookups_total',
      help: "Bearer tokens checked at the IdP's userinfo endpoint, by outcome (valid, invalid, failed).",
      labelNames: ['outcome'],
      registers,
    }),
    listingCache: new Counter({
      name: 'smb_mount_listing_cache_total',
      help: 'Directory listings served from the cache (hit) or listed again (miss).',
      labelNames: ['outcome'],
      registers,
    }),
    uploads: new Counter({
      name: 'smb_mount_uploads_total',
      help: 'Uploads by outcome: created, committed, terminated, failed.',
      labelNames: ['outcome'],
      registers,
    }),
    tempFilesSwept: new Counter({
      name: 'smb_mount_abandoned_temp_files_removed_total',
      help: 'Temporary files of abandoned uploads (or killed writes) removed from the shares.',
      registers,
    }),
    mountState: new Gauge({
      name: 'smb_mount_state',
      help: '1 for the state each mount is in (idle, connecting, connected, unavailable).',
      labelNames: ['mount', 'state'],
      registers,
    }),
  };
}
