// The parts of the service beyond the REST API, in the order their credential resolvers are
// asked (after the bearer token). Each adds itself here: see ServiceExtension in app.ts.
import type { ServiceExtension } from './app.js';
import { sessionExtension } from './session/extension.js';
import { uiExtension } from './ui/extension.js';
import { wopiExtension } from './wopi/extension.js';

export const extensions: readonly ServiceExtension[] = [
  // Web UI login, sessions and share links (src/session/).
  sessionExtension(),
  // The WOPI host for SMB files (src/wopi/): its editors carry access tokens, not sessions.
  wopiExtension(),
  // The web UI's pages and scripts (src/ui/, built from ui/): no credentials of its own.
  uiExtension(),
];
