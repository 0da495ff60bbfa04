import { describe, it } from 'vitest';
import { useServer } from './fixtures.js';
import { s3Client } from './s3-client.js';
import { expectVersionedRoundTrip } from './s3-smoke.js';
import { startSeaweedFs } from './seaweedfs.js';

describe('SeaweedFS (test bed)', () => {
  const weed = useServer(() => startSeaweedFs());

  it('stores versioned objects', async () => {
    const { endpoint, adminAccessKey, adminSecretKey } = weed();
    await expectVersionedRoundTrip(s3Client(endpoint, adminAccessKey, adminSecretKey), 'smoke');
  });
});
