// /media end to end on real servers, for each S3 store and each Kubernetes edge: real Traefik
// (routes from the DriveInstance renderer through its CRD provider, our media gateway as
// ForwardAuth) and real nginx (our nginx renderer's auth_request).
import { describe } from 'vitest';
import { startMediaChains, type StoreKind } from '../test-support/media-chains.js';
import { defineMediaSuite } from '../test-support/media-suite.js';

describe.each(['rgw', 'seaweedfs'] as StoreKind[])('/media on %s', (kind) => {
  defineMediaSuite(kind, async (items) => {
    const chains = await startMediaChains(kind, items, { record: true });
    return {
      chains: [chains.traefik, chains.nginx],
      store: chains.store,
      drive: chains.drive,
      s3Requests: chains.s3Requests,
      upload: { endpoint: chains.store.endpoint, fetch: (url, init) => fetch(url, init) },
      stop: () => chains.stop(),
    };
  });
});
