// /media through the edges a Compose project is rendered with, run as rendered (nginx with
// auth_request; Traefik's file provider with the media gateway), against SeaweedFS provisioned
// by the project's own storage-init: the same suite as the Kubernetes edges.
import { describe } from 'vitest';
import { startComposeMedia } from '../test-support/compose-media.js';
import { defineMediaSuite } from '../test-support/media-suite.js';

describe.each(['nginx', 'traefik'] as const)(
  '/media through the rendered Compose %s edge',
  (edge) => {
    defineMediaSuite(`compose-${edge}`, (items) => startComposeMedia(edge, items));
  },
);
