/**
 * A tiny element builder. Everything is set through DOM properties and CSSOM, never through
 * inline `style`/`on*` attributes, which the webview's strict CSP would block.
 */
type Child = Node | string | null | undefined | false;

export interface Props {
  class?: string;
  id?: string;
  text?: string;
  title?: string;
  role?: string;
  /** aria-* and data-* attributes, without the prefix-less forms. */
  attrs?: Record<string, string>;
  onClick?: (ev: MouseEvent) => void;
}

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props: Props = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (props.class) el.className = props.class;
  if (props.id) el.id = props.id;
  if (props.title) el.title = props.title;
  if (props.role) el.setAttribute('role', props.role);
  if (props.text !== undefined) el.textContent = props.text;
  for (const [k, v] of Object.entries(props.attrs ?? {})) el.setAttribute(k, v);
  if (props.onClick) el.addEventListener('click', props.onClick as EventListener);
  for (const c of children) if (c !== null && c !== undefined && c !== false) el.append(c);
  return el;
}

export function button(label: string, onClick: () => void, opts: { class?: string; ariaLabel?: string; title?: string } = {}): HTMLButtonElement {
  const b = h('button', { class: opts.class ?? 'btn', text: label, title: opts.title, onClick: () => onClick() });
  b.type = 'button';
  if (opts.ariaLabel) b.setAttribute('aria-label', opts.ariaLabel);
  return b;
}

export function replaceChildren(parent: Element, ...children: Child[]): void {
  parent.replaceChildren(...children.filter((c): c is Node | string => c !== null && c !== undefined && c !== false));
}

/** A table with a caption and column headers (scope=col) for screen readers. */
export function table(caption: string, headers: string[], rows: (string | Node)[][], cls = 'data'): HTMLTableElement {
  const t = h('table', { class: cls });
  t.append(h('caption', { text: caption }));
  const thead = h('thead');
  const hr = h('tr');
  for (const x of headers) {
    const th = h('th', { text: x });
    th.scope = 'col';
    hr.append(th);
  }
  thead.append(hr);
  const tbody = h('tbody');
  for (const r of rows) {
    const tr = h('tr');
    r.forEach((cell, i) => {
      const td = i === 0 ? h('th', {}, cell) : h('td', {}, cell);
      if (i === 0) (td as HTMLTableCellElement).scope = 'row';
      tr.append(td);
    });
    tbody.append(tr);
  }
  t.append(thead, tbody);
  return t;
}

export function section(title: string, id: string, ...children: Child[]): HTMLElement {
  const headingId = `${id}-title`;
  return h('section', { class: 'card', id, attrs: { 'aria-labelledby': headingId } }, h('h2', { id: headingId, text: title }), ...children);
}
