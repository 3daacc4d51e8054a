// The publish dialog's form: what must be chosen first (server, title, mode), then the options
// (packages, environment variables, extra files, hiding code, sharing), then the state of the
// publish (status, progress, the checks' warnings, log, error). Reading it checks the choices
// with the server's rules (GET rules, from rsconnect_jupyter/rules.py): no copy of them here.
import { el, find, findAll, Kit, reveal, show } from './dom';
import { say } from './messages';
import { deployment, INotebook, IRemembered, notebookTitle } from './notebook';
import * as schedule from './schedule';
import * as sharing from './sharing';
import type { IChoices, IFolder, IRules, IServer } from './types';

/** What the dialog starts with, when it reopens after "Add server…". */
export interface IDraft {
  server?: string;
  title?: string;
  mode?: string;
}

function envRow(kit: Kit, name: string): HTMLElement {
  const nameInput = kit.text('', say.envName);
  nameInput.removeAttribute('id');
  nameInput.classList.add('rsc-env-name');
  nameInput.value = name;
  const value = kit.text('', name ? say.envUnchanged : say.envValue, 'password');
  value.removeAttribute('id');
  value.classList.add('rsc-env-value');
  const remove = kit.button('rsc-env-remove', '×', '', { title: say.envRemove });
  return el('div', { class: 'rsc-env-row' }, [nameInput, ' = ', value, remove]);
}

function essentials(kit: Kit, servers: IServer[]): HTMLElement {
  const select = el('select', { id: 'rsc-server', class: `rsc-input ${kit.theme.input}` });
  for (const s of servers) {
    select.append(
      el('option', { value: s.name, 'data-url': s.url, title: s.url }, [`${s.name} (${s.url})`])
    );
  }
  const serverRow = el('div', { class: 'rsc-server-row' }, [
    select,
    kit.button('rsc-busy-off', say.addServerButton, '', { id: 'rsc-add-server' }),
    kit.button('rsc-busy-off', say.removeServerButton, '', { id: 'rsc-remove-server' }),
    kit.button('rsc-busy-off', say.versionsButton, '', {
      id: 'rsc-versions',
      title: say.versionsHelp
    })
  ]);
  const fresh = kit.choice(
    'checkbox',
    'rsc-new-location',
    'yes',
    'rsc-new-location',
    say.newLocation
  );
  fresh.id = 'rsc-new-location-row';
  const modes = say.modes.map(m => kit.choice('radio', 'rsc-mode', m.mode, m.id, m.label, m.help));
  return el('div', { class: 'rsc-essentials' }, [
    kit.field('rsc-server', say.serverLabel, serverRow),
    kit.field('rsc-title', say.titleLabel, kit.text('rsc-title')),
    fresh,
    el('fieldset', { class: `rsc-field rsc-modes ${kit.theme.field}` }, [
      el('legend', {}, [say.modeLabel]),
      ...modes
    ])
  ]);
}

function options(kit: Kit, folder: IFolder, md: IRemembered): HTMLElement {
  const packages = kit.field(
    null,
    say.packagesLabel,
    el('div', {}, [
      kit.choice(
        'radio',
        'rsc-packages',
        'file',
        'rsc-packages-file',
        folder.has_requirements
          ? say.packagesFile(folder.packages_file || 'requirements.txt')
          : say.packagesNoFile
      ),
      kit.choice('radio', 'rsc-packages', 'generate', 'rsc-packages-generate', say.packagesGenerate)
    ])
  );
  const rows = el(
    'div',
    { id: 'rsc-env-rows' },
    md.environment_names.map(n => envRow(kit, n))
  );
  const env = kit.field(
    null,
    say.envLabel,
    el('div', {}, [
      kit.help(say.envHelp),
      rows,
      kit.button('', say.envAdd, '', { id: 'rsc-env-add' })
    ])
  );
  const files = el('div', { id: 'rsc-files', class: 'rsc-files' });
  if (!folder.files.length) {
    files.append(kit.help(say.noFiles));
  }
  for (const f of folder.files) {
    const box = el('input', {
      type: 'checkbox',
      class: 'rsc-file',
      value: f,
      'data-file': f
    }) as HTMLInputElement;
    box.checked = md.extra_files.indexOf(f) >= 0;
    files.append(el('div', { class: 'rsc-choice' }, [el('label', {}, [box, el('span', {}, [f])])]));
  }
  return el('div', { class: 'rsc-options rsc-scroll' }, [
    el('div', { id: 'rsc-source-options' }, [packages, env]),
    kit.field(null, say.filesLabel, files),
    // Voila never shows code: these apply to the two document modes.
    el('div', { id: 'rsc-hide-options' }, [
      kit.choice('checkbox', 'rsc-hide-all-input', 'yes', 'rsc-hide-all-input', say.hideAll),
      kit.choice(
        'checkbox',
        'rsc-hide-tagged-input',
        'yes',
        'rsc-hide-tagged-input',
        say.hideTagged
      )
    ]),
    sharing.section(kit),
    // Documents with source only: Connect runs those again.
    schedule.section(kit)
  ]);
}

/** Where the publish shows its state: right above the buttons, never scrolled away. */
function state(kit: Kit): HTMLElement {
  const progressRow = el('div', { id: 'rsc-progress-row', class: 'rsc-progress-row' }, [
    el('progress', { id: 'rsc-progress', class: 'rsc-progress', max: '1', value: '0' }),
    el('span', { id: 'rsc-progress-text', class: 'rsc-progress-text', 'aria-live': 'polite' })
  ]);
  const warnings = el('div', { id: 'rsc-warnings-box', class: 'rsc-warnings-box' }, [
    el('div', { class: 'rsc-warnings-label' }, [say.warningsLabel]),
    el('ul', { id: 'rsc-warnings', class: 'rsc-warnings', role: 'status' }),
    el('div', { class: 'rsc-warnings-next' }, [say.warningsNext])
  ]);
  const log = el('details', { id: 'rsc-log-box', class: 'rsc-log-box', open: true }, [
    el('summary', {}, [say.logLabel]),
    el('pre', { id: 'rsc-log', class: 'rsc-log' })
  ]);
  const parts = [progressRow, warnings, log];
  parts.forEach(p => show(p, false));
  return el('div', { id: 'rsc-state', class: 'rsc-state', 'aria-live': 'polite' }, [
    el('div', { id: 'rsc-status', class: 'rsc-status' }),
    kit.error('rsc-error'),
    ...parts
  ]);
}

export function build(kit: Kit, servers: IServer[], folder: IFolder, md: IRemembered): HTMLElement {
  const form = el(
    'form',
    { id: 'rsc-publish-form', class: 'rsc-dialog rsc-publish', autocomplete: 'off' },
    [
      el('div', { id: 'rsc-step-form', class: 'rsc-step' }, [
        essentials(kit, servers),
        options(kit, folder, md)
      ]),
      el('div', { id: 'rsc-step-question', class: 'rsc-step rsc-scroll' }),
      state(kit)
    ]
  );
  show(find(form, '#rsc-step-question'), false);
  const rows = find<HTMLElement>(form, '#rsc-env-rows');
  form.addEventListener('click', e => {
    const target = e.target as HTMLElement;
    if (target.id === 'rsc-env-add') {
      rows.append(envRow(kit, ''));
    } else if (target.classList.contains('rsc-env-remove')) {
      target.closest('.rsc-env-row')?.remove();
    }
  });
  // A folded section that opens scrolls into view (toggle does not bubble: caught on the way down).
  form.addEventListener(
    'toggle',
    e => {
      const section = e.target as HTMLDetailsElement;
      if (section.open && section.classList.contains('rsc-fold')) {
        reveal(section);
      }
    },
    true
  );
  form.addEventListener('change', e => {
    if ((e.target as HTMLElement).getAttribute('name') === 'rsc-mode') {
      showModeOptions(form);
    }
  });
  input(form, folder.has_requirements ? '#rsc-packages-file' : '#rsc-packages-generate').checked =
    true;
  input(form, '#rsc-packages-file').disabled = !folder.has_requirements;
  return form;
}

function input(form: HTMLElement, selector: string): HTMLInputElement {
  return find(form, selector);
}

export function server(form: HTMLElement, servers: IServer[]): IServer | undefined {
  const name = find<HTMLSelectElement>(form, '#rsc-server').value;
  return servers.filter(s => s.name === name)[0];
}

export function mode(form: HTMLElement): string {
  const checked = form.querySelector('input[name=rsc-mode]:checked') as HTMLInputElement | null;
  return checked ? checked.value : 'static';
}

function showModeOptions(form: HTMLElement): void {
  const chosen = mode(form);
  // Packages and variables matter wherever the server runs the notebook.
  show(find(form, '#rsc-source-options'), chosen !== 'static');
  show(find(form, '#rsc-hide-options'), chosen !== 'jupyter-voila');
  show(find(form, '#rsc-schedule'), chosen === 'jupyter-static');
}

/** The chosen server's defaults: what the notebook remembers for it, else its file name. */
export function applyServerDefaults(
  form: HTMLElement,
  notebook: INotebook,
  servers: IServer[],
  draft: IDraft
): void {
  const chosen = server(form, servers);
  const known = chosen ? deployment(notebook, chosen.url) : null;
  input(form, '#rsc-title').value =
    draft.title || (known && known.title) || notebookTitle(notebook);
  input(form, '#rsc-new-location').checked = false;
  show(find(form, '#rsc-new-location-row'), !!(known && known.content_guid));
  show(find(form, '#rsc-versions'), !!(known && known.content_guid));
  const wanted = draft.mode || (known && known.app_mode) || 'static';
  const radio = say.modes.filter(m => m.mode === wanted)[0] || say.modes[0];
  input(form, `#${radio.id}`).checked = true;
  showModeOptions(form);
}

function environment(
  form: HTMLElement,
  pattern: RegExp
): { values: { [n: string]: string }; names: string[] } | Error {
  const values: { [name: string]: string } = {};
  const names: string[] = [];
  for (const row of findAll<HTMLElement>(form, '.rsc-env-row')) {
    const name = find(row, '.rsc-env-name').value.trim();
    const value = find(row, '.rsc-env-value').value;
    if (!name) {
      continue;
    }
    if (!pattern.test(name)) {
      return new Error(say.badEnvName(name));
    }
    names.push(name);
    if (value !== '') {
      values[name] = value;
    }
  }
  return { values, names };
}

/** The user's choices, or an Error whose message says what to fix. */
export function read(
  form: HTMLElement,
  servers: IServer[],
  rules: IRules,
  publishAnyway: boolean
): IChoices | Error {
  const chosen = server(form, servers);
  const title = input(form, '#rsc-title').value.trim();
  const chosenMode = mode(form);
  if (!chosen) {
    return new Error(say.chooseServer);
  }
  if (title.length < rules.title_min_length || title.length > rules.title_max_length) {
    return new Error(say.titleLength(rules.title_min_length, rules.title_max_length));
  }
  const env =
    chosenMode === 'static'
      ? { values: {}, names: [] }
      : environment(form, new RegExp(`^(?:${rules.env_name_pattern})$`));
  if (env instanceof Error) {
    return env;
  }
  const showsCode = chosenMode !== 'jupyter-voila';
  return {
    server: chosen,
    title,
    mode: chosenMode,
    new_location: input(form, '#rsc-new-location').checked,
    force_generate: input(form, '#rsc-packages-generate').checked,
    environment: env.values,
    environment_names: env.names,
    extra_files: findAll(form, '.rsc-file')
      .filter(b => b.checked)
      .map(b => b.value),
    hide_all_input: showsCode && input(form, '#rsc-hide-all-input').checked,
    hide_tagged_input: showsCode && input(form, '#rsc-hide-tagged-input').checked,
    publish_anyway: publishAnyway,
    draft: sharing.isDraft(form),
    sharing: sharing.read(form)
  };
}
