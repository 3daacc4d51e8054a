// The publish dialog's folded "Schedule" section, for documents with source: how often Connect runs
// the notebook again, when, in which time zone, from which day, and who gets the result by mail;
// "Run again now" and the last runs for content already published. The rules (what a schedule may
// be, a time the clocks skip) are the server's (rsconnect_jupyter/schedules.py): refusals come back
// as one sentence.
import type { Client } from './client';
import { el, find, findAll, Kit, reveal, show, when } from './dom';
import { follow } from './flow';
import { say } from './messages';
import type { IScheduleRequest, IScheduleState, IServer } from './types';

/** The browser's time zone: the default of a new schedule. */
export function browserZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
}

export function section(kit: Kit): HTMLElement {
  const every = kit.select('rsc-schedule-every', say.scheduleChoices);
  const hours = kit.text('rsc-schedule-hours', '', 'number');
  hours.min = '1';
  hours.max = '24';
  hours.value = '6';
  const at = kit.text('rsc-schedule-at', '', 'time');
  at.value = '08:00';
  const zone = kit.text('rsc-schedule-timezone');
  zone.value = browserZone();
  const start = kit.text('rsc-schedule-start', '', 'date');
  const days = el(
    'div',
    { id: 'rsc-schedule-days', class: 'rsc-schedule-days' },
    say.dayNames.map(d =>
      kit.choice('checkbox', 'rsc-schedule-day', d.value, `rsc-schedule-day-${d.value}`, d.label)
    )
  );
  const email = kit.select('rsc-schedule-email', say.emailChoices);
  return el('details', { id: 'rsc-schedule', class: 'rsc-schedule rsc-fold' }, [
    el('summary', { class: 'rsc-schedule-summary' }, [say.scheduleLabel]),
    kit.help(say.scheduleHelp),
    el('div', { class: 'rsc-schedule-grid' }, [
      kit.field('rsc-schedule-every', say.scheduleEvery, every),
      el('div', { id: 'rsc-schedule-when' }, [
        el('div', { id: 'rsc-schedule-hours-row' }, [
          kit.field('rsc-schedule-hours', say.scheduleHours, hours)
        ]),
        el('div', { id: 'rsc-schedule-days-row' }, [kit.field(null, say.scheduleDays, days)]),
        el('div', { id: 'rsc-schedule-at-row' }, [
          kit.field('rsc-schedule-at', say.scheduleAt, at)
        ]),
        kit.field('rsc-schedule-timezone', say.scheduleTimezone, zone),
        kit.field('rsc-schedule-start', say.scheduleStart, start),
        kit.field('rsc-schedule-email', say.scheduleEmail, email)
      ])
    ]),
    el('div', { class: 'rsc-schedule-buttons' }, [
      kit.button('rsc-busy-off', say.scheduleSave, '', { id: 'rsc-schedule-save' }),
      kit.button('rsc-busy-off', say.scheduleRun, '', { id: 'rsc-schedule-run' })
    ]),
    el('div', { id: 'rsc-schedule-status', class: 'rsc-status', 'aria-live': 'polite' }),
    kit.error('rsc-schedule-error'),
    el('div', { id: 'rsc-schedule-runs', class: 'rsc-schedule-runs' }),
    el('pre', { id: 'rsc-schedule-log', class: 'rsc-log' })
  ]);
}

function value(form: HTMLElement, selector: string): string {
  return find<HTMLInputElement>(form, selector).value.trim();
}

/** Shows only the fields the chosen kind of schedule uses. */
export function showFields(form: HTMLElement): void {
  const kind = value(form, '#rsc-schedule-every');
  show(find(form, '#rsc-schedule-when'), kind !== 'off');
  const interval = kind === 'hours' || kind === 'minutes';
  show(find(form, '#rsc-schedule-hours-row'), interval);
  show(find(form, '#rsc-schedule-days-row'), kind === 'week');
  show(find(form, '#rsc-schedule-at-row'), !interval);
}

/** The section's choice: null for "off", or an Error saying what to fix. */
export function read(form: HTMLElement): IScheduleRequest | null | Error {
  const kind = value(form, '#rsc-schedule-every');
  if (kind === 'off') {
    return null;
  }
  const days = findAll<HTMLInputElement>(form, 'input[name=rsc-schedule-day]')
    .filter(b => b.checked)
    .map(b => b.value);
  if (kind === 'week' && !days.length) {
    return new Error(say.scheduleNoDays);
  }
  const interval = kind === 'hours' || kind === 'minutes';
  const every = interval ? `${value(form, '#rsc-schedule-hours') || '1'} ${kind}` : kind;
  return {
    every,
    at: interval ? null : value(form, '#rsc-schedule-at') || null,
    timezone: value(form, '#rsc-schedule-timezone') || 'UTC',
    days: kind === 'week' ? days : [],
    start: value(form, '#rsc-schedule-start') || null,
    email: value(form, '#rsc-schedule-email')
  };
}

function kindOf(type: string, rule: string): string {
  if (type === 'hour') {
    return 'hours';
  }
  if (type === 'minute') {
    return 'minutes';
  }
  if (type === 'dayofweek') {
    return 'week';
  }
  if (type === 'dayofmonth') {
    return 'month';
  }
  return ['day', 'weekday'].indexOf(type) >= 0 ? type : rule ? 'day' : 'off';
}

/** Fills the section with the content's schedule, and lists its last runs. */
function fill(form: HTMLElement, state: IScheduleState): void {
  const s = state.schedule;
  const status = find<HTMLElement>(form, '#rsc-schedule-status');
  if (s) {
    const rule = JSON.parse(s.schedule || '{}') as { N?: number; Days?: number[] };
    find<HTMLSelectElement>(form, '#rsc-schedule-every').value = kindOf(s.type, s.schedule);
    find<HTMLInputElement>(form, '#rsc-schedule-hours').value = String(rule.N || 1);
    const local = new Date(s.start_time);
    const parts = new Intl.DateTimeFormat('en-CA', {
      timeZone: s.timezone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23'
    }).formatToParts(local);
    const part = (t: string) => (parts.filter(p => p.type === t)[0] || { value: '' }).value;
    find<HTMLInputElement>(form, '#rsc-schedule-at').value = `${part('hour')}:${part('minute')}`;
    find<HTMLInputElement>(form, '#rsc-schedule-start').value =
      `${part('year')}-${part('month')}-${part('day')}`;
    find<HTMLInputElement>(form, '#rsc-schedule-timezone').value = s.timezone;
    const names = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
    findAll<HTMLInputElement>(form, 'input[name=rsc-schedule-day]').forEach(b => {
      b.checked = (rule.Days || []).map(d => names[d]).indexOf(b.value) >= 0;
    });
    status.textContent = say.scheduleNext(s.words, when(s.next_run));
  } else {
    find<HTMLSelectElement>(form, '#rsc-schedule-every').value = 'off';
    status.textContent = say.scheduleNone;
  }
  find<HTMLSelectElement>(form, '#rsc-schedule-email').value = state.email;
  listRuns(form, state.runs);
  showFields(form);
}

/** The last runs, newest first: when (linked to the run's output), how it ended and why. */
function listRuns(form: HTMLElement, runs: IScheduleState['runs']): void {
  find<HTMLElement>(form, '#rsc-schedule-runs').replaceChildren(
    ...(runs.length ? [el('div', { class: 'rsc-help' }, [say.scheduleRunsLabel])] : []),
    ...runs.map(r =>
      el('div', { class: 'rsc-schedule-run', 'data-run': String(r.id) }, [
        r.url
          ? el('a', { href: r.url, target: '_blank', rel: 'noopener' }, [when(r.start_time)])
          : when(r.start_time),
        ' ',
        say.scheduleRunStatus(r.status, r.trigger),
        r.error ? `: ${r.error}` : ''
      ])
    )
  );
}

export interface ISchedule {
  /** Shows the schedule of the content published to `server` (guid null: not yet published). */
  load(server: IServer | undefined, guid: string | null): void;
  /** Checks the section's schedule, when it changed, before a publish: rejects with what to fix. */
  checkIfChanged(): Promise<void>;
  /** Saves the section's schedule when it changed since it was shown (after a publish). */
  saveIfChanged(server: IServer, guid: string): Promise<void>;
}

/** Wires the section of `form`: loading, saving on its own, running again now. */
export function control(
  client: Client,
  form: HTMLElement,
  setBusy: (on: boolean) => void
): ISchedule {
  let current: { server: IServer; guid: string } | null = null;
  let changed = false;
  const status = (text: string) =>
    (find<HTMLElement>(form, '#rsc-schedule-status').textContent = text);
  const box = find<HTMLElement>(form, '#rsc-schedule-error');
  const log = find<HTMLElement>(form, '#rsc-schedule-log');
  show(log, false);
  const fail = (err: Error) => {
    setBusy(false);
    box.textContent = err.message || String(err);
    show(box, true);
  };
  const save = async (server: IServer, guid: string) => {
    const request = read(form);
    if (request instanceof Error) {
      throw request;
    }
    fill(form, await client.saveSchedule(server.name, guid, request));
    changed = false;
    status(
      request
        ? find<HTMLElement>(form, '#rsc-schedule-status').textContent || ''
        : say.scheduleRemoved
    );
  };
  const section_ = find<HTMLElement>(form, '#rsc-schedule');
  section_.addEventListener('change', e => {
    changed = true;
    showFields(form);
    if ((e.target as HTMLElement).id === 'rsc-schedule-every') {
      reveal(section_); // the fields this kind of schedule uses, in view
    }
  });
  section_.addEventListener('click', e => {
    const id = (e.target as HTMLElement).id;
    if (id !== 'rsc-schedule-save' && id !== 'rsc-schedule-run') {
      return;
    }
    show(box, false);
    if (!current) {
      status(say.scheduleNotPublished);
      return;
    }
    const { server, guid } = current;
    setBusy(true);
    if (id === 'rsc-schedule-save') {
      save(server, guid).then(() => setBusy(false), fail);
      return;
    }
    log.replaceChildren();
    show(log, true);
    status(say.scheduleRunning);
    client
      .runNow(server.name, guid)
      .then(started =>
        follow(client, started.job_id, {
          log: lines => {
            log.append(lines.join('\n') + '\n');
            log.scrollTop = log.scrollHeight;
          },
          progress: () => undefined
        })
      )
      .then(() => client.schedule(server.name, guid))
      .then(
        state => {
          fill(form, state);
          status(say.scheduleRan);
          setBusy(false);
        },
        (err: Error) => {
          status('');
          fail(err);
          // the failed run is listed too, with why (the fields keep what the user typed)
          client.schedule(server.name, guid).then(
            state => listRuns(form, state.runs),
            () => undefined
          );
        }
      );
  });
  showFields(form);
  return {
    load(server, guid) {
      current = server && guid ? { server, guid } : null;
      changed = false;
      show(box, false);
      if (!current) {
        status(say.scheduleNotPublished);
        return;
      }
      client.schedule(current.server.name, current.guid).then(state => fill(form, state), fail);
    },
    async checkIfChanged() {
      const request = changed ? read(form) : null;
      if (request instanceof Error) {
        throw request;
      }
      if (request) {
        await client.checkSchedule(request);
      }
    },
    async saveIfChanged(server, guid) {
      if (changed) {
        await save(server, guid);
      }
    }
  };
}
