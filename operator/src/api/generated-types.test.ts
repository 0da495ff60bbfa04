// The generated types (for code without zod) and zod's output types describe the same objects;
// this file fails type-checking when they drift.
import { expectTypeOf, it } from 'vitest';
import type { z } from 'zod';
import type { driveInstanceSpec, driveInstanceStatus } from './drive-instance.js';
import type * as generated from './generated/types.js';
import type { oidcClientSpec, oidcClientStatus } from './oidc-client.js';
import type { storageMountSpec, storageMountStatus } from './storage-mount.js';
import type { wopiClientSpec, wopiClientStatus } from './wopi-client.js';

it('generated types equal the zod output types', () => {
  expectTypeOf<z.output<typeof driveInstanceSpec>>().toEqualTypeOf<generated.DriveInstanceSpec>();
  expectTypeOf<
    z.output<typeof driveInstanceStatus>
  >().toEqualTypeOf<generated.DriveInstanceStatus>();
  expectTypeOf<z.output<typeof storageMountSpec>>().toEqualTypeOf<generated.StorageMountSpec>();
  expectTypeOf<z.output<typeof storageMountStatus>>().toEqualTypeOf<generated.StorageMountStatus>();
  expectTypeOf<z.output<typeof oidcClientSpec>>().toEqualTypeOf<generated.OidcClientSpec>();
  expectTypeOf<z.output<typeof oidcClientStatus>>().toEqualTypeOf<generated.OidcClientStatus>();
  expectTypeOf<z.output<typeof wopiClientSpec>>().toEqualTypeOf<generated.WopiClientSpec>();
  expectTypeOf<z.output<typeof wopiClientStatus>>().toEqualTypeOf<generated.WopiClientStatus>();
});
