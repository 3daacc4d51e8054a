// Plain DOM for the dialogs both UIs show. Each UI hands in its widget classes (a Theme:
// Bootstrap's in the classic Notebook, JupyterLab's in JupyterLab and Notebook 7), so the
// same elements, ids and words look native in both.

export type Attrs = { [name: string]: string | boolean | undefined };
export type Child = Node | string;

/** The host UI's class names for each kind of element. */
export interface ITheme {
  input: string; // text fields and drop-downs
  button: string; // every button
  plain: string; // a button that is neither primary nor destructive
  primary: string; // the one primary button of a step
  danger: string; // a button that destroys something
  field: string; // a labelled field's wrapper
  help: string; // the grey line under a field
  error: string; // the error box
}

export function el(tag: string, attrs: Attrs = {}, children: Child[] = []): HTMLElement {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value !== undefined && value !== false) {
      node.setAttribute(name, value === true ? '' : value);
    }
  }
  node.append(...children);
  return node;
}

export function show(node: Element | null, visible: boolean): void {
  if (node) {
    (node as HTMLElement).style.display = visible ? '' : 'none';
  }
}

export function shown(node: Element | null): boolean {
  return !!node && (node as HTMLElement).style.display !== 'none';
}

export function find<T extends Element = HTMLInputElement>(root: Element, selector: string): T {
  return root.querySelector(selector) as T;
}

export function findAll<T extends Element = HTMLInputElement>(
  root: Element,
  selector: string
): T[] {
  return Array.from(root.querySelectorAll(selector)) as T[];
}

/**
 * Scrolls the nearest scrolling box around `node` (the dialog's options) so that as much of `node`
 * as fits shows, its top first: an unfolded section is in view without the user scrolling for it.
 * Only that box moves, never the page or the dialog around it.
 */
export function reveal(node: HTMLElement): void {
  const box = node.closest<HTMLElement>('.rsc-scroll');
  if (!box) {
    return;
  }
  const outer = box.getBoundingClientRect();
  const inner = node.getBoundingClientRect();
  const below = inner.bottom - outer.bottom; // how far its end is under the box's
  const above = inner.top - outer.top; // how far its start is under the box's top
  if (above < 0) {
    box.scrollTop += above;
  } else if (below > 0) {
    box.scrollTop += Math.min(below, above);
  }
}

/** 1234567 -> "1.2 MB" (decimal units, as the CLI prints them). */
export function humanBytes(n: number | null | undefined): string {
  if (typeof n !== 'number') {
    return '';
  }
  const units = ['B', 'kB', 'MB', 'GB'];
  let i = 0;
  while (n >= 1000 && i < units.length - 1) {
    n /= 1000;
    i += 1;
  }
  return `${i === 0 || n >= 100 ? Math.round(n) : n.toFixed(1)} ${units[i]}`;
}

/** A server's time stamp as the reader's short date and time ("7 Dec 2026, 01:09"). */
export function when(stamp: string | null | undefined): string {
  if (!stamp) {
    return '';
  }
  const d = new Date(stamp);
  return isNaN(d.getTime())
    ? String(stamp)
    : d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

/** Builds themed form parts. */
export class Kit {
  constructor(readonly theme: ITheme) {}

  field(id: string | null, label: string, control: HTMLElement, help?: Child): HTMLElement {
    const row = el('div', { class: `rsc-field ${this.theme.field}` }, [
      el('label', id ? { for: id } : {}, [label]),
      control
    ]);
    if (help) {
      row.append(this.help(help));
    }
    return row;
  }

  help(text: Child): HTMLElement {
    return el('div', { class: `rsc-help ${this.theme.help}` }, [text]);
  }

  text(id: string, placeholder = '', type = 'text'): HTMLInputElement {
    return el('input', {
      type,
      id,
      class: `rsc-input ${this.theme.input}`,
      placeholder,
      autocomplete: type === 'password' ? 'new-password' : 'off'
    }) as HTMLInputElement;
  }

  select(id: string, options: { value: string; label: string }[]): HTMLSelectElement {
    const options_ = options.map(o => el('option', { value: o.value }, [o.label]));
    return el(
      'select',
      { id, class: `rsc-input ${this.theme.input}` },
      options_
    ) as HTMLSelectElement;
  }

  choice(
    type: 'radio' | 'checkbox',
    name: string,
    value: string,
    id: string,
    label: string,
    help?: string
  ): HTMLElement {
    const box = el('input', { type, name, value, id });
    const row = el('div', { class: 'rsc-choice' }, [
      el('label', { for: id }, [box, el('span', {}, [label])])
    ]);
    if (help) {
      row.append(this.help(help));
    }
    return row;
  }

  /** kind: 'primary' for the one primary button of a step, 'danger' for a destructive one. */
  button(
    cls: string,
    label: string,
    kind: 'primary' | 'danger' | '' = '',
    attrs: Attrs = {}
  ): HTMLButtonElement {
    const looks = { primary: this.theme.primary, danger: this.theme.danger, '': this.theme.plain };
    const look = looks[kind];
    const node = el(
      'button',
      { type: 'button', class: `${cls} ${this.theme.button} ${look}`, ...attrs },
      [label]
    );
    if (kind === 'primary') {
      node.setAttribute('data-primary', '');
    }
    return node as HTMLButtonElement;
  }

  error(id: string): HTMLElement {
    const box = el('div', { id, class: `rsc-error ${this.theme.error}`, role: 'alert' });
    show(box, false);
    return box;
  }
}
