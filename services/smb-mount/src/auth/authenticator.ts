// The request's identity, from the first resolver that recognises a credential in it, and its
// grant on a mount. Each request is identified once, however many checks it makes.
import type { FastifyRequest } from 'fastify';
import { ApiError } from '../api/errors.js';
import type { MountConfig } from '../config.js';
import { grantOn, type Grant } from './grant.js';
import { AuthenticationError, type Identity, type PrincipalResolver } from './principal.js';
import { BEARER_CHALLENGE } from './userinfo.js';

export class Authenticator {
  readonly #resolvers: readonly PrincipalResolver[];
  readonly #mounts: ReadonlyMap<string, MountConfig>;
  readonly #identities = new WeakMap<FastifyRequest, Promise<Identity>>();

  constructor(resolvers: readonly PrincipalResolver[], mounts: readonly MountConfig[]) {
    this.#resolvers = resolvers;
    this.#mounts = new Map(mounts.map((mount) => [mount.name, mount]));
  }

  get resolvers(): readonly PrincipalResolver[] {
    return this.#resolvers;
  }

  /** The identity, or a 401 ApiError with the challenge to answer. */
  identify(request: FastifyRequest): Promise<Identity> {
    let identity = this.#identities.get(request);
    if (identity === undefined) {
      identity = this.#resolve(request);
      this.#identities.set(request, identity);
    }
    return identity;
  }

  async #resolve(request: FastifyRequest): Promise<Identity> {
    for (const resolver of this.#resolvers) {
      let identity: Identity | undefined;
      try {
        identity = await resolver.resolve(request);
      } catch (error) {
        if (error instanceof AuthenticationError)
          throw new ApiError('Unauthorized', error.message, {
            'www-authenticate': error.challenge,
          });
        throw error;
      }
      if (identity !== undefined) return identity;
    }
    throw new ApiError('Unauthorized', 'authentication required', {
      'www-authenticate': BEARER_CHALLENGE,
    });
  }

  /** Undefined when the identity has no role on the mount (or no such mount exists). */
  grantOf(identity: Identity, mount: string): Grant | undefined {
    const config = this.#mounts.get(mount);
    return config === undefined ? undefined : grantOn(identity, config);
  }

  /**
   * The request's grant on the mount. A mount the caller has no role on is answered exactly
   * like one that does not exist: 404, so that mount names are not revealed.
   */
  async grant(request: FastifyRequest, mount: string): Promise<Grant> {
    const grant = this.grantOf(await this.identify(request), mount);
    if (grant === undefined) throw new ApiError('NotFound', `no mount named ${mount}`);
    return grant;
  }
}
