// Content with the same title already exists: overwrite it, or publish to a new location.
// Asked inside the publish dialog (JupyterLab queues a second dialog until the first closes).
// Updating existing content never changes its mode, so content published in the other mode is
// listed but cannot be chosen for overwriting.
import { IContent } from './api';
import { el, show } from './dom';

export type Choice = { action: 'overwrite'; guid: string } | { action: 'new' } | null;

const MODE_NAMES: { [mode: string]: string } = {
  static: 'finished document only',
  'jupyter-static': 'document with source code',
  'jupyter-voila': 'Voila dashboard',
  unknown: 'never deployed'
};

function describe(item: IContent): string {
  const mode = MODE_NAMES[item.app_mode] || item.app_mode || 'unknown';
  return `${item.title} (${mode}, ${String(item.guid).slice(0, 8)})`;
}

function usable(item: IContent, mode: string): boolean {
  return !item.app_mode || item.app_mode === 'unknown' || item.app_mode === mode;
}

/** Shows the question in `area` and resolves with the user's choice (null: cancelled). */
export function ask(
  area: HTMLElement,
  matches: IContent[],
  mode: string,
  serverName: string
): Promise<Choice> {
  area.replaceChildren();
  const box = el('div', { id: 'rsc-conflict-form', class: 'rsc-conflict' }, [
    el('p', {}, [
      `Content with this title already exists on ${serverName}. ` +
        'Overwrite it, or choose "New location" to create a new document.'
    ])
  ]);
  let first = true;
  for (const item of matches) {
    const ok = usable(item, mode);
    const radio = el('input', {
      type: 'radio',
      name: 'rsc-conflict',
      value: item.guid,
      'data-guid': item.guid
    }) as HTMLInputElement;
    radio.disabled = !ok;
    if (ok && first) {
      radio.checked = true;
      first = false;
    }
    const row = el('div', { class: 'rsc-choice' }, [
      el('label', {}, [radio, ' ' + describe(item)])
    ]);
    if (!ok) {
      row.append(
        el('div', { class: 'rsc-help' }, [
          'Published in the other mode; updating it cannot change its mode.'
        ])
      );
    }
    box.append(row);
  }
  const button = (id: string, label: string, accept: boolean) =>
    el(
      'button',
      {
        type: 'button',
        id,
        class: `jp-Dialog-button jp-mod-styled ${accept ? 'jp-mod-accept' : 'jp-mod-reject'}`
      },
      [el('div', { class: 'jp-Dialog-buttonLabel' }, [label])]
    ) as HTMLButtonElement;
  const cancel = button('rsc-conflict-cancel', 'Cancel', false);
  const fresh = button('rsc-conflict-new', 'New location', false);
  const overwrite = button('rsc-conflict-overwrite', 'Overwrite', true);
  overwrite.disabled = first; // nothing can be overwritten
  box.append(el('div', { class: 'rsc-conflict-buttons' }, [cancel, fresh, overwrite]));
  area.append(box);
  show(area, true);
  return new Promise(resolve => {
    const done = (value: Choice) => {
      area.replaceChildren();
      show(area, false);
      resolve(value);
    };
    cancel.addEventListener('click', () => done(null));
    fresh.addEventListener('click', () => done({ action: 'new' }));
    overwrite.addEventListener('click', () => {
      const picked = box.querySelector(
        'input[name=rsc-conflict]:checked'
      ) as HTMLInputElement | null;
      if (picked) {
        done({ action: 'overwrite', guid: picked.value });
      }
    });
  });
}
