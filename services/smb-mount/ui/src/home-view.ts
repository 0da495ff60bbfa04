// `/mounts/`: the mounts the visitor may use, with their role and connection state. A share
// link's holder sees the link's mount only, leading to the shared item.
import type { App } from './context.js';
import { h } from './dom.js';
import { pageUrl } from './paths.js';
import { texts } from './texts.js';

export async function homeView(app: App, view: HTMLElement): Promise<void> {
  const mounts = await app.mounts();
  const title = h('h1', { tabindex: -1 }, texts.mountsTitle);
  if (mounts.length === 0) {
    view.append(title, h('p', {}, texts.mountsEmpty));
    return;
  }
  const list = h(
    'ul',
    { class: 'mount-list', 'aria-label': texts.mountsCaption },
    ...mounts.map((mount) => {
      const scope = mount.scope ?? '';
      return h(
        'li',
        { class: 'mount' },
        h(
          'a',
          { href: pageUrl(mount.name, scope, true), 'data-nav': true, class: 'mount-name' },
          mount.name,
        ),
        h('span', { class: 'muted' }, texts.roleOnMount(texts.roles[mount.role] ?? mount.role)),
        h(
          'span',
          { class: `state state-${mount.state}` },
          texts.states[mount.state] ?? mount.state,
        ),
      );
    }),
  );
  view.append(title, list);
}
