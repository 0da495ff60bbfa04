// Names of the objects the operator derives from a resource. The operator, offline rendering and
// Compose all use these, so a Secret the renderer references is the one the controller writes.
// A DriveInstance name is at most 36 characters; every suffix here keeps names within the 63
// characters of a DNS label, and CronJob names within 52.

export const objectNames = {
  /** Secret holding values the operator generates once (DJANGO_SECRET_KEY). */
  generatedSecret: (drive: string) => `${drive}-generated`,
  /** ConfigMap with Drive's non-secret environment. */
  envConfigMap: (drive: string) => `${drive}-env`,
  backend: (drive: string) => `${drive}-backend`,
  frontend: (drive: string) => `${drive}-frontend`,
  worker: (drive: string) => `${drive}-worker`,
  beat: (drive: string) => `${drive}-beat`,
  mediaGateway: (drive: string) => `${drive}-media-gateway`,
  /** The SMB mounts service (services/smb-mount) of a Drive, and the Secret it alone reads. */
  mounts: (drive: string) => `${drive}-mounts`,
  mountsSecret: (drive: string) => `${drive}-mounts`,
  /** Service in front of the S3 endpoint the edge proxies /media to. */
  s3Upstream: (drive: string) => `${drive}-s3`,
  /** The migrations Job of one version and configuration. */
  migrationsJob: (drive: string, hash: string) => `${drive}-migrate-${hash}`,
  wopiConfigurationJob: (drive: string, hash: string) => `${drive}-wopi-config-${hash}`,
  cleanPendingCronJob: (drive: string) => `${drive}-clean-pending`,
  purgeDeletedCronJob: (drive: string) => `${drive}-purge-deleted`,
  /** Secret holding the URL (and password) of the managed Redis, and its Deployment/Service. */
  redis: (drive: string) => `${drive}-redis`,
  /** CloudNativePG Cluster created for spec.database.cloudNativePG. */
  databaseCluster: (drive: string) => `${drive}-db`,
  /** The Secret CloudNativePG writes for a cluster's application user. */
  cloudNativePGAppSecret: (cluster: string) => `${cluster}-app`,
  /** The TLS Secret a cert-manager Certificate writes, and the Certificate. */
  tlsCertificate: (drive: string) => `${drive}-tls`,
  /** Edge objects: IngressRoutes, Ingresses, HTTPRoutes and Middlewares share this prefix. */
  edge: (drive: string, part: string) => `${drive}-${part}`,
  /** Bucket credentials the operator writes (providers rgw and seaweedfs, rook with a user). */
  storageCredentialsSecret: (mount: string) => `${mount}-s3-credentials`,
  /** Rook names the Secret and ConfigMap of an ObjectBucketClaim after the claim. */
  objectBucketClaim: (mount: string) => mount,
  /** Client credentials the operator writes (dynamic registration, Keycloak). */
  oidcCredentialsSecret: (client: string) => `${client}-oidc-credentials`,
  /** The Service of a managed Collabora (WopiClient). */
  collaboraService: (wopiClient: string) => `${wopiClient}-collabora`,
} as const;

export const BACKEND_SERVICE_PORT = 80;
export const FRONTEND_SERVICE_PORT = 80;
export const MEDIA_GATEWAY_PORT = 8080;
export const COLLABORA_PORT = 9980;
export const REDIS_PORT = 6379;

/** Host names the backend Service answers to inside the cluster. */
export function backendServiceHosts(drive: string, namespace: string): string[] {
  const service = objectNames.backend(drive);
  return [service, `${service}.${namespace}.svc`, `${service}.${namespace}.svc.cluster.local`];
}

export function serviceUrl(service: string, namespace: string, port: number, path = ''): string {
  const portPart = port === 80 ? '' : `:${String(port)}`;
  return `http://${service}.${namespace}.svc.cluster.local${portPart}${path}`;
}
