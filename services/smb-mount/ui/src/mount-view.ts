// `/mounts/<mount>/<path>`: the mount's folder or file at that path. The address says which it
// expects (a trailing slash for a folder); when it is the other, the address is corrected in
// place. A share link's holder who lands above the link's item is taken to the item.
import { ApiFailure } from './api.js';
import type { App } from './context.js';
import { renderFile } from './file-view.js';
import { renderFolder } from './folder-view.js';
import { pageUrl, within } from './paths.js';
import { texts } from './texts.js';

export async function mountView(
  app: App,
  name: string,
  path: string,
  directory: boolean,
  view: HTMLElement,
): Promise<void> {
  const mount = (await app.mounts()).find((each) => each.name === name);
  // The API answers the same for a mount that does not exist and one hidden from this visitor.
  if (mount === undefined) throw new ApiFailure(404, 'NotFound', texts.notFound);
  const editable = mount.capabilities.wopi ? await app.editable() : new Set<string>();
  const top = mount.scope ?? '';
  if (!within(top, path) && within(path, top)) {
    app.navigate(pageUrl(mount.name, top, true), { replace: true });
    return;
  }
  if (directory) {
    try {
      renderFolder(app, mount, await app.api.items(mount.name, path), editable, view);
      return;
    } catch (error) {
      // A file where the address expects a folder.
      if (
        !(error instanceof ApiFailure && (error.kind === 'Conflict' || error.kind === 'Invalid')) ||
        path === ''
      )
        throw error;
    }
  }
  const entry = await app.api.stat(mount.name, path);
  if (entry.type === 'directory') {
    app.navigate(pageUrl(mount.name, path, true, location.search), { replace: true });
    return;
  }
  if (directory) {
    app.navigate(pageUrl(mount.name, path, false), { replace: true });
    return;
  }
  renderFile(app, mount, entry, editable, view);
}
