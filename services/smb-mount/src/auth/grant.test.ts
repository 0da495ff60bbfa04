import { describe, expect, it } from 'vitest';
import { ApiError } from '../api/errors.js';
import type { MountConfig } from '../config.js';
import { MountPath } from '../smb/paths.js';
import { authorize, capGrant, grantOn, isAuthorized } from './grant.js';
import type { Identity } from './principal.js';
import type { Action } from './roles.js';

const mount = {
  name: 'team',
  roles: [{ subject: { group: 'staff' }, role: 'editor' }],
} as unknown as MountConfig;

const user: Identity = { principal: { sub: 'u', groups: ['staff'], via: 'bearer' } };
const link: Identity = {
  principal: { sub: 'link-1', groups: [], via: 'share-link' },
  bound: {
    mount: 'team',
    role: 'viewer',
    scope: MountPath.parse('shared/folder'),
    target: 'directory',
  },
};

function refusal(work: () => void): ApiError {
  try {
    work();
  } catch (error) {
    if (error instanceof ApiError) return error;
  }
  throw new Error('not refused');
}

describe('grants', () => {
  it('gives a user the role of the bindings, and none on a mount without one', () => {
    expect(grantOn(user, mount)).toEqual({
      mount: 'team',
      principal: user.principal,
      role: 'editor',
    });
    expect(grantOn({ principal: { ...user.principal, groups: [] } }, mount)).toBeUndefined();
  });

  it('gives a share link its own mount, role and scope only', () => {
    const grant = grantOn(link, mount);
    expect(grant).toMatchObject({ role: 'viewer', scope: MountPath.parse('shared/folder') });
    expect(grantOn(link, { ...mount, name: 'other' })).toBeUndefined();
  });

  it('refuses an action the role lacks with 403, a path outside the scope with 404', () => {
    const editor = grantOn(user, mount);
    const viewer = grantOn(link, mount);
    if (!editor || !viewer) throw new Error('no grant');
    authorize(editor, 'delete', MountPath.parse('any/where'));
    const status = (grant: typeof editor, action: Action, path: string) =>
      refusal(() => {
        authorize(grant, action, MountPath.parse(path));
      }).status;
    expect(status(editor, 'share', '')).toBe(403);
    authorize(viewer, 'download', MountPath.parse('shared/folder/a.txt'));
    authorize(viewer, 'list', MountPath.parse('shared/folder'));
    expect(status(viewer, 'upload', 'shared/folder/a.txt')).toBe(403);
    expect(status(viewer, 'list', 'shared')).toBe(404);
    expect(status(viewer, 'download', 'shared/folder2/a')).toBe(404);
    expect(isAuthorized(viewer, 'search', MountPath.parse('shared/folder/x'))).toBe(true);
    expect(capGrant(editor, 'viewer').role).toBe('viewer');
    expect(capGrant(viewer, 'manager').role).toBe('viewer');
  });

  it('gives a file link that file alone, and keeps any link from deleting or moving what it shares', () => {
    const fileLink = grantOn(
      {
        principal: { sub: 'link-2', groups: [], via: 'share-link' },
        bound: {
          mount: 'team',
          role: 'editor',
          scope: MountPath.parse('shared/report.odt'),
          target: 'file',
        },
      },
      mount,
    );
    const folderLink = grantOn({ ...link, bound: { ...link.bound!, role: 'editor' } }, mount);
    if (!fileLink || !folderLink) throw new Error('no grant');
    const status = (grant: typeof fileLink, action: Action, path: string) =>
      refusal(() => {
        authorize(grant, action, MountPath.parse(path));
      }).status;
    authorize(fileLink, 'download', MountPath.parse('shared/report.odt'));
    expect(status(fileLink, 'download', 'shared/report.odt/inner')).toBe(404);
    expect(status(fileLink, 'delete', 'shared/report.odt')).toBe(403);
    expect(status(folderLink, 'move', 'shared/folder')).toBe(403);
    authorize(folderLink, 'delete', MountPath.parse('shared/folder/old.txt'));
  });
});
