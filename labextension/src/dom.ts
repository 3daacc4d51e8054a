// Small DOM helpers for the dialog bodies (plain elements, styled with JupyterLab's classes).

type Attrs = { [name: string]: string | boolean | undefined };

export function el(tag: string, attrs: Attrs = {}, children: (Node | string)[] = []): HTMLElement {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) {
      continue;
    }
    node.setAttribute(name, value === true ? '' : value);
  }
  for (const child of children) {
    node.append(child);
  }
  return node;
}

export function field(id: string, label: string, input: HTMLElement, help?: Node): HTMLElement {
  input.id = id;
  input.classList.add('jp-mod-styled', 'rsc-input');
  const row = el('div', { class: 'rsc-field' }, [el('label', { for: id }, [label]), input]);
  if (help) {
    row.append(el('div', { class: 'rsc-help' }, [help]));
  }
  return row;
}

export function choice(
  type: 'radio' | 'checkbox',
  name: string,
  value: string,
  id: string,
  label: string,
  help?: string
): HTMLElement {
  const input = el('input', { type, name, value, id });
  const row = el('div', { class: 'rsc-choice' }, [el('label', { for: id }, [input, ' ' + label])]);
  if (help) {
    row.append(el('div', { class: 'rsc-help' }, [help]));
  }
  return row;
}

export function input(root: HTMLElement, selector: string): HTMLInputElement {
  return root.querySelector(selector) as HTMLInputElement;
}

export function show(node: HTMLElement, visible: boolean): void {
  node.style.display = visible ? '' : 'none';
}

/** 1234567 -> "1.2 MB" (decimal units, as the CLI prints them). */
export function humanBytes(n: number): string {
  const units = ['B', 'kB', 'MB', 'GB'];
  let i = 0;
  while (n >= 1000 && i < units.length - 1) {
    n /= 1000;
    i += 1;
  }
  return `${i === 0 || n >= 100 ? Math.round(n) : n.toFixed(1)} ${units[i]}`;
}
