import { describe, expect, it } from 'vitest';
import { startCephRgw } from './ceph-rgw.js';
import { useServer } from './fixtures.js';
import { s3Client } from './s3-client.js';
import { expectVersionedRoundTrip } from './s3-smoke.js';

describe('Ceph RGW (test bed)', () => {
  const rgw = useServer(() => startCephRgw());

  it('stores versioned objects', async () => {
    const { endpoint, adminAccessKey, adminSecretKey } = rgw();
    await expectVersionedRoundTrip(s3Client(endpoint, adminAccessKey, adminSecretKey), 'smoke');
  });

  it('has an admin user with admin-ops caps', async () => {
    const info = JSON.parse(await rgw().radosgwAdmin(['user', 'info', '--uid=admin'])) as {
      caps: { type: string }[];
    };
    expect(info.caps.map((cap) => cap.type).sort()).toEqual([
      'buckets',
      'metadata',
      'usage',
      'users',
    ]);
  });
});
