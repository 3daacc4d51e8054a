// The publish dialog's Versions view: the source versions (bundles) of the content this notebook
// was published to on the chosen server, newest first, with Activate (a job whose log streams
// here, like a publish) and Remove (two clicks) for each version that is not live.
import * as api from './api';
import { el, humanBytes, show } from './dom';
import * as publish from './publish';

export interface IHost {
  /** Disables the dialog's buttons while a version is activated or removed. */
  setBusy(on: boolean): void;
  /** A version was made live: the content's URL now serves it. */
  activated(contentUrl: string): void;
}

/** The (hidden) area, placed in the publish dialog's form. */
export function area(): HTMLElement {
  const view = el('div', { id: 'rsc-versions-view', class: 'rsc-versions-view' }, [
    el('div', { class: 'rsc-versions-head' }, [
      el('span', { class: 'rsc-versions-title' }, ['Versions']),
      el('button', { type: 'button', class: 'jp-mod-styled rsc-versions-close rsc-busy-off' }, [
        'Hide'
      ])
    ]),
    el('div', { class: 'rsc-versions-status rsc-help', 'aria-live': 'polite' }),
    el('table', { class: 'rsc-versions-table' }),
    el('pre', { id: 'rsc-versions-log', class: 'rsc-log' }),
    el('div', { id: 'rsc-versions-error', class: 'rsc-error', role: 'alert' })
  ]);
  show(view, false);
  return view;
}

function when(created: string): string {
  const d = new Date(created);
  return isNaN(d.getTime()) ? created : d.toLocaleString();
}

function row(v: api.IVersion): HTMLElement {
  const actions = el('td', { class: 'rsc-version-actions' });
  if (v.live) {
    actions.append(el('span', { class: 'rsc-version-live' }, ['Live']));
  } else {
    actions.append(
      el('button', { type: 'button', class: 'jp-mod-styled rsc-version-activate rsc-busy-off' }, [
        'Activate'
      ]),
      el('button', { type: 'button', class: 'jp-mod-styled rsc-version-remove rsc-busy-off' }, [
        'Remove'
      ])
    );
  }
  return el(
    'tr',
    {
      class: v.live ? 'rsc-version rsc-version-is-live' : 'rsc-version',
      'data-bundle': v.bundle_id
    },
    [
      el('td', {}, [v.bundle_id]),
      el('td', {}, [when(v.created)]),
      el('td', {}, [v.size === null || v.size === undefined ? '' : humanBytes(v.size)]),
      el('td', {}, [v.python ? `Python ${v.python}` : '']),
      actions
    ]
  );
}

export class Versions {
  private server: api.IServer | null = null;
  private guid = '';

  constructor(
    readonly node: HTMLElement,
    private host: IHost
  ) {
    node.addEventListener('click', e => {
      const target = (e.target as HTMLElement).closest('button');
      if (!target) {
        return;
      }
      const bundle = target.closest('.rsc-version')?.getAttribute('data-bundle');
      if (target.classList.contains('rsc-versions-close')) {
        this.hide();
      } else if (bundle && target.classList.contains('rsc-version-activate')) {
        void this.activate(bundle);
      } else if (bundle && target.classList.contains('rsc-version-remove')) {
        if (target.classList.contains('rsc-confirm')) {
          void this.remove(bundle);
        } else {
          // Removing cannot be undone: the second click does it.
          target.classList.add('rsc-confirm');
          target.textContent = 'Remove for good';
        }
      }
    });
  }

  private part(selector: string): HTMLElement {
    return this.node.querySelector(selector) as HTMLElement;
  }

  hide(): void {
    show(this.node, false);
  }

  private error(err: Error | null): void {
    const box = this.part('#rsc-versions-error');
    box.textContent = err ? err.message || String(err) : '';
    show(box, !!err);
    if (err) {
      box.scrollIntoView({ block: 'nearest' });
    }
  }

  /** Shows the area and lists the versions of `guid` on `server`. */
  async open(server: api.IServer, guid: string): Promise<void> {
    this.server = server;
    this.guid = guid;
    show(this.node, true);
    const log = this.part('#rsc-versions-log');
    log.replaceChildren();
    show(log, false);
    this.error(null);
    this.part('.rsc-versions-table').replaceChildren();
    await this.reload();
    this.node.scrollIntoView({ block: 'nearest' });
  }

  private async reload(): Promise<void> {
    const status = this.part('.rsc-versions-status');
    status.textContent = 'Loading the versions…';
    try {
      const answer = await api.versions(this.server!.name, this.guid);
      status.textContent = `"${answer.title}" on ${this.server!.name}: ${answer.versions.length} version${
        answer.versions.length === 1 ? '' : 's'
      }, newest first.`;
      const table = this.part('.rsc-versions-table');
      table.replaceChildren(
        el('thead', {}, [
          el('tr', {}, [
            el('th', {}, ['Version']),
            el('th', {}, ['Created']),
            el('th', {}, ['Size']),
            el('th', {}, ['Python']),
            el('th', {}, [''])
          ])
        ]),
        el('tbody', {}, answer.versions.map(row))
      );
    } catch (err) {
      status.textContent = '';
      this.error(err as Error);
    }
  }

  private async activate(bundle: string): Promise<void> {
    const log = this.part('#rsc-versions-log');
    log.replaceChildren();
    show(log, true);
    this.error(null);
    this.host.setBusy(true);
    try {
      const started = await api.activate(this.server!.name, this.guid, bundle);
      const result = await publish.follow(started.job_id, {
        log: lines => {
          log.append(document.createTextNode(lines.join('\n') + '\n'));
          log.scrollTop = log.scrollHeight;
        },
        progress: () => undefined
      });
      this.host.setBusy(false);
      this.host.activated(result.content_url);
      await this.reload();
    } catch (err) {
      this.host.setBusy(false);
      this.error(err as Error);
    }
  }

  private async remove(bundle: string): Promise<void> {
    this.error(null);
    this.host.setBusy(true);
    try {
      await api.removeVersion(this.server!.name, this.guid, bundle);
      this.host.setBusy(false);
      await this.reload();
    } catch (err) {
      this.host.setBusy(false);
      this.error(err as Error);
    }
  }
}
