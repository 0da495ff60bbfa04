// Who a request acts for, and the resolvers that find out. The API asks the resolvers in order
// (bearer token first; browser sessions and share links add theirs): the first that recognises a
// credential in the request answers, so one request is one identity.
import type { FastifyRequest } from 'fastify';
import type { Role } from '../config.js';
import type { MountPath } from '../smb/paths.js';

export interface Principal {
  /** The IdP's subject; for a share link, the link's own id. */
  sub: string;
  email?: string;
  groups: readonly string[];
  /** The resolver that recognised the credential: `bearer`, `session`, `share-link`, … */
  via: string;
}

/**
 * What a credential grants by itself, whatever the mount's role bindings say: a share link is
 * bound to one mount, one role and one path.
 */
export interface BoundGrant {
  mount: string;
  role: Role;
  scope: MountPath;
  /** A file link grants that file only; a directory link, the directory and what is below. */
  target: 'file' | 'directory';
}

export interface Identity {
  principal: Principal;
  /** Present for credentials that carry their grant (share links); absent for users. */
  bound?: BoundGrant;
}

export interface PrincipalResolver {
  readonly name: string;
  /**
   * The identity behind the request's credential of this resolver's kind; undefined when the
   * request carries none, so that the next resolver is asked. A credential that is present but
   * not valid throws an AuthenticationError; a failure to check it throws an ApiError
   * (Unavailable).
   */
  resolve(request: FastifyRequest): Promise<Identity | undefined>;
}

/** A credential was presented and is not valid: 401, with this challenge. */
export class AuthenticationError extends Error {
  override name = 'AuthenticationError';
  /** The WWW-Authenticate value to answer with. */
  readonly challenge: string;

  constructor(message: string, challenge: string) {
    super(message);
    this.challenge = challenge;
  }
}
