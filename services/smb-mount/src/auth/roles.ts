// Mount-level roles: which actions each allows, and which role a principal holds on a mount
// from the mount's bindings (by sub, email or group; the highest role wins).
import type { Role, RoleBinding } from '../config.js';
import type { Principal } from './principal.js';

export type Action =
  | 'list'
  | 'stat'
  | 'download'
  | 'search'
  | 'preview'
  | 'upload'
  | 'mkdir'
  | 'move'
  | 'delete'
  /** Editing through WOPI (an editor's right; the WOPI host checks it). */
  | 'edit'
  /** Creating and revoking share links. */
  | 'share';

const VIEWER: readonly Action[] = ['list', 'stat', 'download', 'search', 'preview'];
const EDITOR: readonly Action[] = [...VIEWER, 'upload', 'mkdir', 'move', 'delete', 'edit'];
const MANAGER: readonly Action[] = [...EDITOR, 'share'];

export const ACTIONS_BY_ROLE: Readonly<Record<Role, readonly Action[]>> = {
  viewer: VIEWER,
  editor: EDITOR,
  manager: MANAGER,
};

export const ROLES: readonly Role[] = ['viewer', 'editor', 'manager'];

export function rank(role: Role): number {
  return ROLES.indexOf(role);
}

export function allows(role: Role, action: Action): boolean {
  return ACTIONS_BY_ROLE[role].includes(action);
}

/** The lower of two roles: a share link never grants more than its creator could. */
export function lowerRole(a: Role, b: Role): Role {
  return rank(a) <= rank(b) ? a : b;
}

function sameEmail(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

function matches(binding: RoleBinding, principal: Principal): boolean {
  const { subject } = binding;
  if ('sub' in subject) return subject.sub === principal.sub;
  if ('email' in subject)
    return principal.email !== undefined && sameEmail(subject.email, principal.email);
  return principal.groups.includes(subject.group);
}

/** The highest role the bindings give the principal, or undefined for none. */
export function roleFor(principal: Principal, bindings: readonly RoleBinding[]): Role | undefined {
  let best: Role | undefined;
  for (const binding of bindings) {
    if (!matches(binding, principal)) continue;
    if (best === undefined || rank(binding.role) > rank(best)) best = binding.role;
  }
  return best;
}
