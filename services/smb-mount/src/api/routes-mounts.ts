// The mounts the caller may use, and one mount's capabilities.
import type { FastifyInstance } from 'fastify';
import { ACTIONS_BY_ROLE } from '../auth/roles.js';
import type { ServiceContext } from '../context.js';
import { capabilitiesOf } from './capabilities.js';
import {
  API_PREFIX,
  BEARER_SECURITY,
  errorResponses,
  MOUNT_PREFIX,
  mountParams,
} from './schemas.js';

export function mountRoutes(app: FastifyInstance, context: ServiceContext): void {
  app.get(
    `${API_PREFIX}/mounts`,
    {
      schema: {
        summary: 'The mounts the caller has a role on, with the role, its actions and state',
        tags: ['mounts'],
        security: BEARER_SECURITY,
        response: {
          200: {
            type: 'object',
            required: ['mounts'],
            properties: { mounts: { type: 'array', items: { $ref: 'Mount#' } } },
          },
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const identity = await context.auth.identify(request);
      const mounts = [];
      for (const name of context.mounts.names) {
        const grant = context.auth.grantOf(identity, name);
        if (grant === undefined) continue;
        mounts.push({
          name,
          role: grant.role,
          actions: ACTIONS_BY_ROLE[grant.role],
          state: context.mounts.status(name)?.state ?? 'idle',
          ...(grant.scope === undefined ? {} : { scope: grant.scope.toString() }),
          capabilities: capabilitiesOf(context.config, name),
        });
      }
      return { mounts };
    },
  );

  app.get<{ Params: { mount: string } }>(
    `${MOUNT_PREFIX}/capabilities`,
    {
      schema: {
        summary: "The mount's capabilities",
        tags: ['mounts'],
        security: BEARER_SECURITY,
        params: mountParams,
        response: { 200: { $ref: 'Capabilities#' }, ...errorResponses },
      },
    },
    async (request) => {
      await context.auth.grant(request, request.params.mount);
      return capabilitiesOf(context.config, request.params.mount);
    },
  );
}
