// The WOPI host as an extension of the service (app.ts): its routes under /mounts/wopi/ answer
// editors with WOPI access tokens, and its launch route opens a file for whoever may preview it.
import type { ServiceExtension } from '../app.js';
import { authorize } from '../auth/grant.js';
import { MountPath } from '../smb/paths.js';
import { wopiPlugin } from './plugin.js';

export function wopiExtension(): ServiceExtension {
  return {
    name: 'WOPI host',
    register: async (app, context) => {
      await app.register(wopiPlugin, {
        config: context.config,
        backends: (mount) => context.mounts.backend(mount),
        redis: context.redis.client,
        authorize: async (request, target) => {
          const grant = await context.auth.grant(request, target.mount);
          authorize(grant, 'preview', MountPath.parse(target.path));
          return { principal: grant.principal, role: grant.role };
        },
      });
    },
  };
}
