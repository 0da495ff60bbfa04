// JSON schemas of the API: fastify validates requests and serialises answers with them, and
// @fastify/swagger builds the OpenAPI document from them, so the document is the code.
import { ERROR_KINDS } from './errors.js';
import { MOUNT_STATES } from '../mount-registry.js';
import { ACTIONS_BY_ROLE, ROLES } from '../auth/roles.js';

export const API_PREFIX = '/mounts/api/v1';
export const MOUNT_PREFIX = `${API_PREFIX}/m/:mount`;

export const pathText = {
  type: 'string',
  maxLength: 12288,
  description:
    'A path inside the mount, decoded, without a leading slash; "" is the mount root. Dot segments, backslashes, control characters, lookalikes of separators and names SMB cannot store are refused (400 PathError).',
} as const;

export const errorBody = {
  $id: 'Error',
  type: 'object',
  required: ['error', 'message'],
  properties: {
    error: { type: 'string', enum: ERROR_KINDS },
    message: { type: 'string' },
    reason: { type: 'string', description: 'For PathError: the rule that refused the path.' },
  },
} as const;

export const entry = {
  $id: 'Entry',
  type: 'object',
  required: ['name', 'path', 'type', 'size', 'mtime', 'version', 'etag'],
  properties: {
    name: { type: 'string' },
    path: { type: 'string', description: 'Mount-relative; "" for the mount root.' },
    type: { type: 'string', enum: ['file', 'directory'] },
    size: { type: 'integer', minimum: 0 },
    mtime: { type: 'string', format: 'date-time' },
    version: {
      type: 'string',
      description: 'Last write time in 100 ns steps and size: changes with the content.',
    },
    etag: { type: 'string', description: 'The version, quoted: the download ETag.' },
  },
} as const;

export const capabilities = {
  $id: 'Capabilities',
  type: 'object',
  required: [
    'versioning',
    'rangeReads',
    'resumableUploads',
    'wopi',
    'shareLinks',
    'searchByName',
    'upload',
  ],
  properties: {
    versioning: { type: 'boolean' },
    rangeReads: { type: 'boolean' },
    resumableUploads: { type: 'boolean' },
    wopi: { type: 'boolean' },
    shareLinks: { type: 'boolean' },
    searchByName: { type: 'boolean' },
    upload: {
      type: 'object',
      required: [
        'chunked',
        'chunkSizeBytes',
        'minChunkSizeBytes',
        'maxChunkSizeBytes',
        'maxFileSizeBytes',
        'tusEndpoint',
        'wholeFilePut',
      ],
      properties: {
        chunked: {
          type: 'boolean',
          description: 'Whether uploads go in chunks (tus PATCH bodies bounded by min and max).',
        },
        chunkSizeBytes: { type: 'integer', description: 'The chunk size a client should send.' },
        minChunkSizeBytes: {
          type: 'integer',
          description: 'Smallest PATCH body, except the one that completes an upload.',
        },
        maxChunkSizeBytes: { type: 'integer', description: 'Largest PATCH body.' },
        maxFileSizeBytes: { type: 'integer' },
        tusEndpoint: { type: 'string', description: 'Where tus 1.0 uploads are created.' },
        wholeFilePut: {
          type: 'boolean',
          description: 'Whether PUT content?path= accepts a whole file (only when not chunked).',
        },
      },
    },
  },
} as const;

export const mountSummary = {
  $id: 'Mount',
  type: 'object',
  required: ['name', 'role', 'actions', 'state', 'capabilities'],
  properties: {
    name: { type: 'string' },
    role: { type: 'string', enum: ROLES },
    actions: {
      type: 'array',
      items: { type: 'string', enum: ACTIONS_BY_ROLE.manager },
      description: 'What the caller may do on this mount.',
    },
    state: {
      type: 'string',
      enum: MOUNT_STATES,
      description:
        'The SMB connection: idle (not used yet), connecting, connected, or unavailable (the server did not answer; requests get 503 until it does).',
    },
    scope: {
      type: 'string',
      description: 'For a share link: the only path (and what lies below) it reaches.',
    },
    capabilities: { $ref: 'Capabilities#' },
  },
} as const;

export const SHARED_SCHEMAS = [errorBody, entry, capabilities, mountSummary];

export const errorResponses = {
  default: { description: 'An error: `{error, message}`.', $ref: 'Error#' },
} as const;

export const mountParams = {
  type: 'object',
  required: ['mount'],
  properties: { mount: { type: 'string', description: 'The mount name (a StorageMount name).' } },
} as const;

export const BEARER_SECURITY = [{ bearer: [] }];
