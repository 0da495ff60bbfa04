// The three edges a DriveInstance can use, as the render tests write them.
export const TEST_EDGES = {
  traefik: { type: 'traefik' },
  nginx: { type: 'nginx', ingressClassName: 'nginx' },
  gateway: {
    type: 'gateway',
    gateway: { parentRefs: [{ name: 'public', namespace: 'gateways', sectionName: 'https' }] },
  },
} as const;
