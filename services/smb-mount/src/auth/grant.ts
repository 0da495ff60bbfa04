// What a request may do on one mount, and the one check every route makes before touching SMB:
// authorize(grant, action, path).
import { ApiError } from '../api/errors.js';
import type { MountConfig, Role } from '../config.js';
import type { MountPath } from '../smb/paths.js';
import type { Identity, Principal } from './principal.js';
import { allows, lowerRole, roleFor, type Action } from './roles.js';

export interface Grant {
  mount: string;
  principal: Principal;
  role: Role;
  /** Only this path and what lies below it (a share link); absent: the whole mount. */
  scope?: MountPath;
  /** What the scope names: a file link reaches that file alone. */
  scopeTarget?: 'file' | 'directory';
}

/**
 * The identity's grant on the mount, or undefined when it has none there. A bound credential (a
 * share link) grants its own mount only, never more than its role.
 */
export function grantOn(identity: Identity, mount: MountConfig): Grant | undefined {
  const { principal, bound } = identity;
  if (bound !== undefined) {
    if (bound.mount !== mount.name) return undefined;
    return {
      mount: mount.name,
      principal,
      role: bound.role,
      scope: bound.scope,
      scopeTarget: bound.target,
    };
  }
  const role = roleFor(principal, mount.roles);
  return role === undefined ? undefined : { mount: mount.name, principal, role };
}

/** The same grant, but no higher than `role`. */
export function capGrant(grant: Grant, role: Role): Grant {
  return { ...grant, role: lowerRole(grant.role, role) };
}

/**
 * Throws unless the grant allows the action on the path. A path outside a share link's scope is
 * NotFound (its existence is not revealed); an action the role lacks is Forbidden.
 */
export function authorize(grant: Grant, action: Action, path: MountPath): void {
  const { scope } = grant;
  if (scope !== undefined) {
    const inside =
      grant.scopeTarget === 'file' ? scope.toString() === path.toString() : scope.contains(path);
    if (!inside) throw new ApiError('NotFound', `not found: /${path.toString()}`);
    // A link shares what it names; deleting or moving that away would end the share for everyone.
    if ((action === 'delete' || action === 'move') && scope.toString() === path.toString())
      throw new ApiError('Forbidden', `a share link cannot ${action} what it shares`);
  }
  if (!allows(grant.role, action))
    throw new ApiError(
      'Forbidden',
      `the ${grant.role} role on mount ${grant.mount} does not allow ${action}`,
    );
}

/** Whether authorize would pass, for listing what a grant can do. */
export function isAuthorized(grant: Grant, action: Action, path: MountPath): boolean {
  try {
    authorize(grant, action, path);
    return true;
  } catch {
    return false;
  }
}
