import { describe, expect, it } from 'vitest';
import type { RoleBinding } from '../config.js';
import type { Principal } from './principal.js';
import { ACTIONS_BY_ROLE, allows, roleFor } from './roles.js';

const principal = (overrides: Partial<Principal> = {}): Principal => ({
  sub: 'u-1',
  email: 'Alice@Example.test',
  groups: ['staff'],
  via: 'bearer',
  ...overrides,
});

describe('roles', () => {
  it('grants each role its actions, each including the one below', () => {
    expect(ACTIONS_BY_ROLE.viewer).toEqual(['list', 'stat', 'download', 'search', 'preview']);
    for (const action of ['upload', 'mkdir', 'move', 'delete', 'edit'] as const) {
      expect(allows('viewer', action)).toBe(false);
      expect(allows('editor', action)).toBe(true);
    }
    expect(allows('editor', 'share')).toBe(false);
    expect(allows('manager', 'share')).toBe(true);
    for (const action of ACTIONS_BY_ROLE.viewer) expect(allows('manager', action)).toBe(true);
  });

  it('matches subjects by sub, email (case-insensitively) or group; the highest role wins', () => {
    const bindings: RoleBinding[] = [
      { subject: { group: 'staff' }, role: 'viewer' },
      { subject: { email: 'alice@example.test' }, role: 'editor' },
      { subject: { sub: 'someone-else' }, role: 'manager' },
    ];
    expect(roleFor(principal(), bindings)).toBe('editor');
    expect(roleFor(principal({ email: undefined }), bindings)).toBe('viewer');
    expect(roleFor(principal({ groups: [], email: undefined }), bindings)).toBeUndefined();
    expect(roleFor(principal({ sub: 'someone-else' }), bindings)).toBe('manager');
    expect(roleFor(principal(), [])).toBeUndefined();
  });
});
