// The API's answers as the page uses them (the OpenAPI document at /mounts/api/openapi.json is
// the reference; these mirror the parts read here).

export type Role = 'viewer' | 'editor' | 'manager';
export type Action =
  | 'list'
  | 'stat'
  | 'download'
  | 'search'
  | 'preview'
  | 'upload'
  | 'mkdir'
  | 'move'
  | 'delete'
  | 'edit'
  | 'share';

export interface Capabilities {
  wopi: boolean;
  shareLinks: boolean;
  resumableUploads: boolean;
  upload: {
    chunked: boolean;
    chunkSizeBytes: number;
    maxFileSizeBytes: number;
    tusEndpoint: string;
  };
}

export interface MountSummary {
  name: string;
  role: Role;
  actions: Action[];
  state: string;
  /** A share link's path: nothing above it is reachable. */
  scope?: string;
  capabilities: Capabilities;
}

export interface Entry {
  name: string;
  path: string;
  type: 'file' | 'directory';
  size: number;
  mtime: string;
  version: string;
}

export interface Listing {
  directory: Entry;
  entries: Entry[];
}

export interface ShareLink {
  id: string;
  url: string;
  path: string;
  target: 'file' | 'directory';
  role: 'viewer' | 'editor';
  expiresAt: string;
}

export interface EditorLaunch {
  access_token: string;
  access_token_ttl: number;
  launch_url: string;
}

export interface SessionInfo {
  authenticated: boolean;
  loginUrl?: string;
  user?: { sub: string; email?: string; name?: string };
  csrfToken?: string;
  logoutUrl?: string;
}
