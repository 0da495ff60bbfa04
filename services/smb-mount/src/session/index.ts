// The web UI's login and sessions, and share links. The service takes them as one extension
// (sessionExtension, listed in src/extensions.ts); the plugins and resolvers are exported for a
// different composition.
export { CSRF_HEADER, csrfToken } from './csrf.js';
export { sessionExtension, type SessionExtensionOptions } from './extension.js';
export {
  AUTH_PATH,
  CALLBACK_PATH,
  LOGIN_PATH,
  LOGOUT_PATH,
  SESSION_PATH,
  sessionOptionsFromConfig,
  sessionPlugin,
  type SessionPluginOptions,
} from './session-plugin.js';
export { SESSION_DEFAULTS, type SessionResolverOptions } from './session-context.js';
export { SESSION_VIA, SessionResolver } from './session-resolver.js';
export {
  SHARE_LINK_DEFAULTS,
  SHARE_LINK_PATH_PREFIX,
  shareLinksOptionsFromConfig,
  shareLinksPlugin,
  uiLocation,
  type ShareLinksPluginOptions,
} from './share-links-plugin.js';
export {
  SHARE_LINK_HEADER,
  ShareLinkCookieResolver,
  ShareLinkHeaderResolver,
  type ShareLinkResolverOptions,
} from './share-link-resolver.js';
export type { OidcSettings } from './oidc.js';
