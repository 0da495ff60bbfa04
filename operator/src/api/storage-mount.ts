import { z } from 'zod';
import { exactlyOneOf, immutable, withRules } from './cel-rules.js';
import { defineKind } from './kind.js';
import {
  dnsLabel,
  dnsSubdomain,
  endpoint,
  origin,
  secretKeyName,
  setList,
} from './schema-parts.js';
import { kindStatus } from './status.js';

// S3 bucket naming rules (path-style addressing, as Drive uses).
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

const s3CredentialsRef = (description: string) =>
  z
    .strictObject({
      name: dnsSubdomain('Name of the Secret.'),
      accessKeyIdKey: secretKeyName('Key holding the access key id.').default('AWS_ACCESS_KEY_ID'),
      secretAccessKeyKey: secretKeyName('Key holding the secret access key.').default(
        'AWS_SECRET_ACCESS_KEY',
      ),
    })
    .describe(description);

const bucket = z
  .strictObject({
    name: withRules(
      z
        .string()
        .regex(
          BUCKET_NAME,
          'must be an S3 bucket name: 3-63 lowercase letters, digits, "." and "-"',
        )
        .describe('Bucket name. Immutable.'),
      [immutable('bucket.name is immutable: the data lives in that bucket')],
    ),
    reclaimPolicy: z
      .enum(['Retain', 'Delete'])
      .default('Retain')
      .describe(
        'What deleting this StorageMount does to the bucket. Retain (default) keeps every object version. Delete removes every version, every delete marker and then the bucket.',
      ),
  })
  .describe('The bucket Drive stores every file in.');

const s3 = withRules(
  z
    .strictObject({
      provider: withRules(
        z
          .enum(['rook', 'rgw', 'seaweedfs', 'external'])
          .describe(
            'rook: an ObjectBucketClaim or CephObjectStoreUser on a Rook Ceph object store. rgw: Ceph RGW without Rook, users created through the admin-ops API. seaweedfs: a user and a bucket-scoped policy through the SeaweedFS IAM API. external: any S3 store with given credentials. Immutable.',
          ),
        [immutable('s3.provider is immutable: create a new StorageMount and migrate the data')],
      ),
      bucket,
      region: z
        .string()
        .min(1)
        .max(63)
        .default('us-east-1')
        .describe('Region in the SigV4 credential scope; must be accepted by the store.'),
      endpoints: z
        .strictObject({
          internal: endpoint(
            'URL the Drive backend and the edge use for S3, e.g. http://rook-ceph-rgw-store.rook-ceph.svc. Drive signs /media requests for this host. Taken from the ObjectBucketClaim for rook when omitted.',
          ).optional(),
          public: endpoint(
            "URL browsers upload to with presigned PUTs (AWS_S3_DOMAIN_REPLACE), e.g. https://s3.example.com. Must be reachable from users' browsers over https.",
          ),
        })
        .describe('Internal and public S3 endpoints; they are usually different hosts.'),
      versioning: z
        .enum(['Enabled', 'Suspended'])
        .default('Enabled')
        .describe(
          'Bucket versioning. Enabled keeps overwritten and deleted files as noncurrent versions until the lifecycle rule expires them.',
        ),
      cors: z
        .strictObject({
          allowedOrigins: setList(origin('An origin allowed to upload from a browser.'), 16)
            .default([])
            .describe(
              'Origins allowed besides https://<host> of every DriveInstance that references this mount, which are always added.',
            ),
          maxAgeSeconds: z
            .number()
            .int()
            .min(0)
            .max(86400)
            .default(3000)
            .describe('How long browsers cache a preflight answer.'),
        })
        .prefault({})
        .describe('Bucket CORS for presigned browser uploads (PUT, GET, HEAD).'),
      lifecycle: z
        .strictObject({
          noncurrentVersionExpirationDays: z
            .number()
            .int()
            .min(1)
            .max(36500)
            .default(30)
            .describe('Days after which noncurrent object versions are deleted.'),
          abortIncompleteMultipartUploadDays: z
            .number()
            .int()
            .min(1)
            .max(365)
            .default(7)
            .describe('Days after which unfinished multipart uploads are aborted.'),
        })
        .prefault({})
        .describe('Bucket lifecycle rules.'),
      credentials: s3CredentialsRef(
        "The bucket's own credentials (provider external), read from a Secret.",
      ).optional(),
      adminCredentials: s3CredentialsRef(
        'Administrative credentials the operator uses to create the bucket user: an RGW user with users=* caps (provider rgw) or a SeaweedFS admin identity (provider seaweedfs).',
      ).optional(),
      rook: withRules(
        z
          .strictObject({
            storageClassName: z
              .string()
              .min(1)
              .max(253)
              .describe('StorageClass of the Rook bucket provisioner (ObjectBucketClaim).'),
            identity: z
              .enum(['ObjectBucketClaim', 'CephObjectStoreUser'])
              .default('ObjectBucketClaim')
              .describe(
                'ObjectBucketClaim: Rook creates the bucket and its credentials. CephObjectStoreUser: a dedicated user creates the bucket over S3.',
              ),
            objectStore: z
              .strictObject({
                name: dnsSubdomain('Name of the CephObjectStore.'),
                namespace: dnsLabel('Namespace of the CephObjectStore.'),
              })
              .optional()
              .describe('The CephObjectStore, for identity CephObjectStoreUser.'),
          })
          .describe('Options for provider rook.'),
        [
          {
            rule: "self.identity != 'CephObjectStoreUser' || has(self.objectStore)",
            message: 'rook.objectStore is required when rook.identity is CephObjectStoreUser',
            fieldPath: '.objectStore',
          },
        ],
      ).optional(),
      external: z
        .strictObject({
          manageVersioning: z
            .boolean()
            .default(true)
            .describe('Set versioning on the bucket; when false, only verify it.'),
          manageCors: z
            .boolean()
            .default(true)
            .describe('Set CORS on the bucket; when false, only verify it.'),
          manageLifecycle: z
            .boolean()
            .default(true)
            .describe('Set lifecycle rules on the bucket; when false, only verify them.'),
        })
        .optional()
        .describe('What the operator may change on an external bucket.'),
    })
    .describe("An S3 bucket, Drive's main storage."),
  [
    {
      rule: "(self.provider == 'rook') == has(self.rook)",
      message: 's3.rook is required when s3.provider is rook, and only allowed then',
      fieldPath: '.rook',
    },
    {
      rule: "self.provider == 'rook' || has(self.endpoints.internal)",
      message: 's3.endpoints.internal is required unless s3.provider is rook',
      fieldPath: '.endpoints.internal',
    },
    {
      rule: "(self.provider == 'external') == has(self.credentials)",
      message: 's3.credentials is required when s3.provider is external, and only allowed then',
      fieldPath: '.credentials',
    },
    {
      rule: "(self.provider == 'rgw' || self.provider == 'seaweedfs') == has(self.adminCredentials)",
      message:
        's3.adminCredentials is required when s3.provider is rgw or seaweedfs, and only allowed then',
      fieldPath: '.adminCredentials',
    },
    {
      rule: "!has(self.external) || self.provider == 'external'",
      message: 's3.external is only allowed when s3.provider is external',
      fieldPath: '.external',
    },
  ],
);

const roleBinding = z
  .strictObject({
    subject: withRules(
      z
        .strictObject({
          sub: z.string().min(1).max(255).optional().describe('OIDC subject (sub claim).'),
          email: z.string().min(3).max(320).optional().describe('Email claim.'),
          group: z.string().min(1).max(255).optional().describe('A value of the groups claim.'),
        })
        .describe('Who gets the role: one of sub, email or group.'),
      [
        exactlyOneOf(
          ['sub', 'email', 'group'],
          'set exactly one of subject.sub, subject.email or subject.group',
        ),
      ],
    ),
    role: z
      .enum(['viewer', 'editor', 'manager'])
      .describe(
        'viewer: list, download, preview. editor: also upload, rename, move, delete and edit in WOPI. manager: also create share links.',
      ),
  })
  .describe('A mount-level role for a subject.');

const smbPath = withRules(
  z
    .string()
    .min(1)
    .max(1024)
    .regex(/^\/[^\\\0]*$/, 'must be an absolute path inside the share, starting with /')
    .default('/')
    .describe('Directory inside the share exposed as the mount root.'),
  [
    {
      rule: "!self.matches('(^|/)\\\\.\\\\.(/|$)')",
      message: 'smb.path must not contain .. segments',
    },
  ],
);

const smb = z
  .strictObject({
    host: z
      .string()
      .min(1)
      .max(253)
      .regex(
        /^[A-Za-z0-9]([-A-Za-z0-9.]*[A-Za-z0-9])?$|^\[?[0-9a-fA-F:]+\]?$/,
        'must be a host name or IP address',
      )
      .describe('SMB server host name or IP address.'),
    port: z.number().int().min(1).max(65535).default(445).describe('SMB port.'),
    share: z
      .string()
      .min(1)
      .max(80)
      .regex(/^[^\\/:*?"<>|\0]+$/, 'must be a share name without slashes')
      .describe('Share name.'),
    path: smbPath,
    domain: z.string().max(255).optional().describe('Domain or workgroup of the service account.'),
    credentialsSecretRef: z
      .strictObject({
        name: dnsSubdomain('Name of the Secret.'),
        usernameKey: secretKeyName('Key holding the user name.').default('username'),
        passwordKey: secretKeyName('Key holding the password.').default('password'),
      })
      .describe('The SMB service account every Drive operation uses.'),
    roles: z
      .array(roleBinding)
      .min(1)
      .max(64)
      .describe('Who may do what on this mount; there are no per-folder permissions.'),
    security: z
      .strictObject({
        signing: z
          .enum(['Required', 'Auto'])
          .default('Required')
          .describe('Message signing. Required refuses servers that do not sign.'),
        encryption: z
          .enum(['Required', 'Auto', 'Off'])
          .default('Auto')
          .describe('SMB3 encryption. Auto encrypts when the server offers it.'),
        minProtocol: z
          .enum(['SMB2_02', 'SMB2_10', 'SMB3_00', 'SMB3_11'])
          .default('SMB3_00')
          .describe('Oldest protocol dialect accepted.'),
      })
      .prefault({})
      .describe('Transport security towards the SMB server.'),
  })
  .describe(
    'An SMB share presented as a mount next to the S3 storage (no versioning, not synchronised).',
  );

export const storageMountSpec = withRules(
  z
    .strictObject({
      type: withRules(
        z
          .enum(['s3', 'smb'])
          .describe(
            's3: the bucket Drive stores files in. smb: an SMB share mounted next to it. Immutable.',
          ),
        [immutable('type is immutable: create a new StorageMount instead')],
      ),
      s3: s3.optional(),
      smb: smb.optional(),
    })
    .describe('Desired state of a storage mount.'),
  [
    {
      rule: "(self.type == 's3') == has(self.s3)",
      message: 's3 is required when type is s3, and only allowed then',
      fieldPath: '.s3',
    },
    {
      rule: "(self.type == 'smb') == has(self.smb)",
      message: 'smb is required when type is smb, and only allowed then',
      fieldPath: '.smb',
    },
  ],
);

export const storageMountStatus = kindStatus(
  {
    bucket: z.string().optional().describe('Bucket name in use.'),
    endpoints: z
      .strictObject({
        internal: z.string().optional().describe('Internal S3 endpoint in use.'),
        public: z.string().optional().describe('Public S3 endpoint in use.'),
      })
      .optional()
      .describe('S3 endpoints in use.'),
    credentialsSecretRef: z
      .strictObject({ name: z.string().describe('Secret name.') })
      .optional()
      .describe(
        'Secret with the credentials Drive uses (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY).',
      ),
    url: z
      .string()
      .optional()
      .describe('Where the mount is reached (public S3 endpoint or smb:// URL).'),
    capabilities: z
      .strictObject({
        versioning: z.boolean().describe('Keeps previous versions of files.'),
        rangeReads: z.boolean().describe('Serves byte ranges.'),
        resumableUploads: z.boolean().describe('Uploads can resume after an interruption.'),
        wopi: z.boolean().describe('Files can be edited in a WOPI editor.'),
        shareLinks: z.boolean().describe('Share links can be created.'),
        searchByName: z.boolean().describe('Files can be searched by name.'),
      })
      .optional()
      .describe('What this mount can do, for clients that adapt to it.'),
  },
  'Observed state of the mount.',
);

export const storageMount = defineKind({
  kind: 'StorageMount',
  plural: 'storagemounts',
  singular: 'storagemount',
  shortNames: ['smount'],
  description:
    'Storage for Drive: an S3 bucket with versioning, CORS and lifecycle enforced and verified, or an SMB share mounted next to it.',
  spec: storageMountSpec,
  status: storageMountStatus,
  maxNameLength: 40,
  urlJsonPath: '.status.url',
  extraColumns: [
    {
      name: 'Type',
      type: 'string',
      jsonPath: '.spec.type',
      description: 's3 or smb.',
      priority: 1,
    },
  ],
  conditions: {
    BucketReady: 'The bucket exists and the credentials can use it.',
    VersioningEnabled: 'Bucket versioning matches spec.s3.versioning, read back from the store.',
    CorsConfigured: 'Bucket CORS allows the Drive origins, read back from the store.',
    LifecycleConfigured: 'Bucket lifecycle rules match the spec, read back from the store.',
    ShareReachable: 'The SMB share answers with the configured credentials and security.',
    DeletionBlocked: 'Deletion waits because a DriveInstance still references this mount.',
  },
  reasons: {
    InvalidCredentials: 'The store rejected the credentials.',
    EndpointUnreachable: 'The endpoint did not answer; retried with backoff.',
    VersioningUnsupported: 'The store refused to enable versioning.',
    CorsUnsupported: 'The store refused the CORS configuration.',
    LifecycleUnsupported: 'The store refused the lifecycle configuration.',
    WaitingForBucketClaim: 'The ObjectBucketClaim is not Bound yet.',
    ReferencedByDriveInstance: 'A DriveInstance references this mount.',
    SettingDrift: 'A bucket setting changed outside the operator and was restored.',
    AccessDenied:
      'The store accepted the credentials but denied a call the operator needs; or the SMB server refused the account or its access to the share.',
    ProtocolRefused:
      'The SMB server and spec.smb.security have no protocol dialect, signing or encryption setting in common.',
    SharePathNotFound: 'The SMB share, or spec.smb.path in it, does not exist.',
    SharePathNotDirectory: 'spec.smb.path is a file, not a directory.',
    ShareReadOnly: 'A role may write, but the account cannot create files in the mount root.',
    ShareUnreachable: 'Nothing answers SMB at spec.smb.host and port; retried with backoff.',
    SmbClientUnavailable: 'This operator build cannot load libsmbclient.',
    BucketConflict:
      'The bucket does not exist and may not be created here, or its name belongs to another user of the store.',
    StoreRefused:
      'The store answered a call with an error a retry will not fix; the message has it.',
    NotConfigured:
      'A setting the operator may only verify (s3.external.manage*: false) does not match; configure it on the store.',
  },
});

export type StorageMountSpec = z.output<typeof storageMountSpec>;
export type StorageMountStatus = z.output<typeof storageMountStatus>;
