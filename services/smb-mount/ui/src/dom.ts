// Building the page with DOM calls only: text always goes in as text, never as markup (the
// page's policy forbids turning strings into markup, and file names come from the share).

type Child = Node | string | false | null | undefined;
type Attributes = Record<string, string | number | boolean | undefined>;

export function h<Tag extends keyof HTMLElementTagNameMap>(
  tag: Tag,
  attributes: Attributes = {},
  ...children: Child[]
): HTMLElementTagNameMap[Tag] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) continue;
    element.setAttribute(name, value === true ? '' : String(value));
  }
  append(element, ...children);
  return element;
}

export function append(parent: Element, ...children: Child[]): void {
  for (const child of children) {
    if (child === false || child === null || child === undefined) continue;
    parent.append(child);
  }
}

export function replaceChildren(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, ...children);
}

/** A click (or Enter/Space, for buttons) handler that may be async; its failure is reported. */
export function onClick(
  element: HTMLElement,
  handler: (event: MouseEvent) => void | Promise<void>,
  report: (error: unknown) => void,
): void {
  element.addEventListener('click', (event) => {
    Promise.resolve(handler(event)).catch(report);
  });
}

export function button(
  label: string,
  attributes: Attributes = {},
  ...children: Child[]
): HTMLButtonElement {
  return h('button', { type: 'button', ...attributes }, ...(children.length ? children : [label]));
}
