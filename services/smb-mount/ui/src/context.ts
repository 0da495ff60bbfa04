// What every view of the page shares: the API with the page's credential, the notices, the
// navigation, and the mounts the visitor may use (asked once per page load).
import { ApiFailure, type Api, type Credential } from './api.js';
import { forgetShare, loginUrl } from './identity.js';
import { describe, type Notices } from './notices.js';
import { texts } from './texts.js';
import type { MountSummary } from './types.js';
import type { Uploads } from './uploads.js';

export interface App {
  api: Api;
  credential: Credential;
  notices: Notices;
  uploads: Uploads;
  /** Goes to a page of the UI without reloading (pushState), or in place of this one. */
  navigate(url: string, options?: { replace?: boolean }): void;
  /** Draws the current address again (after a change the listing must show). */
  refresh(): Promise<void>;
  mounts(): Promise<MountSummary[]>;
  /** The file extensions the online editor opens (asked once per page load). */
  editable(): Promise<ReadonlySet<string>>;
  /** Reports a failure: a lapsed session goes to the login, a dead share link says so. */
  fail(error: unknown): void;
}

export function failureHandler(credential: Credential, notices: Notices): (error: unknown) => void {
  return (error) => {
    let message = describe(error);
    if (error instanceof ApiFailure && error.status === 401) {
      if (credential.kind === 'session') {
        message = texts.sessionEnded;
        location.replace(loginUrl());
      } else {
        forgetShare();
        message = texts.shareLinkInvalid;
      }
    }
    notices.error(message);
  };
}
