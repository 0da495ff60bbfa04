// Browser sessions and share links as one extension of the service (app.ts): its resolvers come
// right after the bearer token, in the order that makes each credential mean what it says (see
// share-link-resolver.ts), and its routes join the API's error handling and OpenAPI document.
import type { ResolverContext, ServiceExtension } from '../app.js';
import type { SessionResolverOptions } from './session-context.js';
import {
  sessionOptionsFromConfig,
  sessionPlugin,
  type SessionPluginOptions,
} from './session-plugin.js';
import { SessionResolver } from './session-resolver.js';
import { ShareLinkCookieResolver, ShareLinkHeaderResolver } from './share-link-resolver.js';
import { shareLinksOptionsFromConfig, shareLinksPlugin } from './share-links-plugin.js';

export interface SessionExtensionOptions {
  /** Session lifetimes and the login window; the defaults are SESSION_DEFAULTS. */
  session?: Pick<
    SessionPluginOptions,
    'idleTimeoutSeconds' | 'absoluteTimeoutSeconds' | 'loginTimeoutSeconds'
  >;
  /** The longest a share link may be given; the default is SHARE_LINK_DEFAULTS. */
  maxShareLinkExpiresInSeconds?: number;
}

export function sessionExtension(options: SessionExtensionOptions = {}): ServiceExtension {
  const sessionOptions = (context: ResolverContext): SessionPluginOptions => ({
    ...sessionOptionsFromConfig(context.config, context.redis.client),
    ...options.session,
  });
  return {
    name: 'sessions and share links',
    resolvers: (context) => {
      const session: SessionResolverOptions = sessionOptions(context);
      const links = {
        redis: context.redis.client,
        shareLinkSecret: context.config.SHARE_LINK_SECRET,
      };
      return [
        new ShareLinkHeaderResolver(links),
        new SessionResolver(session),
        new ShareLinkCookieResolver(links),
      ];
    },
    register: async (app, context) => {
      await app.register(sessionPlugin, sessionOptions(context));
      await app.register(shareLinksPlugin, {
        ...shareLinksOptionsFromConfig(context.config, context.redis.client, {
          auth: context.auth,
          mounts: context.mounts,
        }),
        ...(options.maxShareLinkExpiresInSeconds === undefined
          ? {}
          : { maxExpiresInSeconds: options.maxShareLinkExpiresInSeconds }),
      });
    },
  };
}
