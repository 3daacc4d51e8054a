// A step of the publish dialog: content with the chosen title already exists. Update one of
// them, or publish a new copy. Each choice shows its title, kind, owner, last publish and a
// link, so two of the same title can be told apart. Updating never changes the kind of content,
// so content of another kind is listed but cannot be chosen. Nothing destructive has the focus:
// the first choice has it, and Enter publishes a new copy.
import { el, Kit, when } from './dom';
import type { ConflictChoice } from './flow';
import { MODE_NAMES, say } from './messages';
import type { IButton } from './shell';
import type { IContent } from './types';

function usable(item: IContent, mode: string): boolean {
  return !item.app_mode || item.app_mode === 'unknown' || item.app_mode === mode;
}

function describe(kit: Kit, item: IContent, ok: boolean): HTMLElement {
  const link = item.dashboard_url || item.content_url;
  const mode = item.app_mode || 'unknown';
  const deployed = mode === 'unknown' ? '' : when(item.last_deployed_time);
  const facts = [MODE_NAMES[mode] || mode, say.conflictOwner(item.app_role)]
    .concat(deployed ? [say.conflictDeployed(deployed)] : [])
    .join(' · ');
  const details = el('div', { class: 'rsc-conflict-facts' }, [facts]);
  if (link) {
    details.append(
      ' · ',
      el('a', { href: link, target: '_blank', rel: 'noopener' }, [say.conflictOpen])
    );
  }
  const parts: HTMLElement[] = [el('span', { class: 'rsc-conflict-title' }, [item.title]), details];
  if (!ok) {
    parts.push(kit.help(say.conflictOtherMode));
  }
  return el('span', {}, parts);
}

/** Shows the question in `area`; `setButtons` puts its buttons in the footer. */
export function ask(
  kit: Kit,
  area: HTMLElement,
  setButtons: (buttons: IButton[]) => void,
  matches: IContent[],
  mode: string,
  serverName: string
): Promise<ConflictChoice> {
  const box = el('div', { id: 'rsc-conflict-form', class: 'rsc-conflict' }, [
    el('h3', { class: 'rsc-step-title' }, [say.conflictTitle]),
    el('p', {}, [say.conflictIntro(serverName)])
  ]);
  let first: HTMLInputElement | null = null;
  for (const item of matches) {
    const ok = usable(item, mode);
    const radio = el('input', {
      type: 'radio',
      name: 'rsc-conflict',
      value: item.guid,
      'data-guid': item.guid
    }) as HTMLInputElement;
    radio.disabled = !ok;
    if (ok && !first) {
      radio.checked = true;
      first = radio;
    }
    box.append(
      el('div', { class: 'rsc-choice rsc-conflict-choice' }, [
        el('label', {}, [radio, describe(kit, item, ok)])
      ])
    );
  }
  area.replaceChildren(box);
  return new Promise(resolve => {
    const buttons: IButton[] = [
      { id: 'rsc-conflict-cancel', label: say.cancel, click: () => resolve(null) },
      {
        id: 'rsc-conflict-new',
        label: say.conflictNew,
        kind: 'primary',
        click: () => resolve({ action: 'new' })
      }
    ];
    if (first) {
      buttons.splice(1, 0, {
        id: 'rsc-conflict-overwrite',
        label: say.conflictOverwrite,
        kind: 'danger',
        click: () => {
          const picked = box.querySelector(
            'input[name=rsc-conflict]:checked'
          ) as HTMLInputElement | null;
          if (picked) {
            resolve({ action: 'overwrite', guid: picked.value });
          }
        }
      });
    }
    setButtons(buttons);
    (first || box).focus();
  });
}
