// The publish flow, step by step, reporting to a view: save the notebook, snapshot the kernel's
// environment (source and Voila modes), pick the target (the remembered content, or ask when the
// title matches existing content), run the publish job and follow its log and progress.
// Resolves with the deployment, or null when the user cancels the question.
import type { Client } from './client';
import { say } from './messages';
import { deployment, INotebook, remember, snapshot } from './notebook';
import type { IChoices, IContent, IProgress, IPublishRequest, IResult } from './types';

const POLL_MS = 400;

export type ConflictChoice = { action: 'overwrite'; guid: string } | { action: 'new' } | null;

export interface IJobView {
  log(lines: string[]): void;
  progress(p: IProgress): void;
}

export interface IFlowView extends IJobView {
  status(text: string): void;
  /** Content with the chosen title exists: which one to update, a new copy, or null (cancel). */
  askConflict(matches: IContent[], mode: string, serverName: string): Promise<ConflictChoice>;
}

/** A publish job's error, with the control the dialog can offer (IJobState.fix). */
export class JobError extends Error {
  constructor(
    message: string,
    readonly fix: string | null
  ) {
    super(message);
  }
}

async function save(notebook: INotebook): Promise<void> {
  try {
    await notebook.save();
  } catch {
    throw new Error(say.notSaved);
  }
}

type Target = { new: boolean; app_id?: string } | null;

async function chooseTarget(
  client: Client,
  notebook: INotebook,
  choices: IChoices,
  view: IFlowView
): Promise<Target> {
  if (choices.new_location) {
    return { new: true };
  }
  const known = deployment(notebook, choices.server.url);
  if (known && known.content_guid && known.app_mode === choices.mode) {
    return { app_id: known.content_guid, new: false };
  }
  const matches = await client.searchContent(choices.server.name, choices.title);
  if (!matches.length) {
    return { new: true };
  }
  view.status(''); // the question says what is going on; "Looking for…" would be stale
  const choice = await view.askConflict(matches, choices.mode, choices.server.name);
  if (!choice) {
    return null;
  }
  return choice.action === 'overwrite' ? { app_id: choice.guid, new: false } : { new: true };
}

/** Follows a job (a publish, or a version made live) to its end. */
export function follow(client: Client, jobId: string, view: IJobView): Promise<IResult> {
  return new Promise((resolve, reject) => {
    let cursor = 0;
    const poll = () => {
      client.job(jobId, cursor).then(state => {
        cursor = state.cursor;
        if (state.lines.length) {
          view.log(state.lines);
        }
        if (state.progress) {
          view.progress(state.progress);
        }
        if (!state.finished) {
          setTimeout(poll, POLL_MS);
        } else if (state.error) {
          reject(new JobError(state.error, state.fix));
        } else {
          resolve(state.result!);
        }
      }, reject);
    };
    poll();
  });
}

async function takeSnapshot(
  client: Client,
  notebook: INotebook,
  mode: string,
  forceGenerate: boolean,
  view: IFlowView
): Promise<string | null> {
  if (mode === 'static') {
    return null; // an HTML copy needs no packages; source and Voila modes do
  }
  view.status(say.readingKernel);
  return snapshot(notebook.kernel, client.kernelCode(notebook.path(), forceGenerate));
}

/** The publish request: only what the user gave of draft and sharing (a republish changes nothing else). */
export function publishRequest(
  path: string,
  choices: IChoices,
  target: { new: boolean; app_id?: string },
  snapshotText: string | null
): IPublishRequest {
  const request: IPublishRequest = {
    server: choices.server.name,
    notebook_path: path,
    mode: choices.mode,
    title: choices.title,
    new: target.new,
    app_id: target.app_id || null,
    extra_files: choices.extra_files,
    environment: choices.environment,
    snapshot: snapshotText,
    force_generate: choices.force_generate,
    hide_all_input: choices.hide_all_input,
    hide_tagged_input: choices.hide_tagged_input,
    // The checks before upload refuse until the user has seen their warnings.
    strict: !choices.publish_anyway
  };
  if (choices.draft) {
    request.draft = true;
  }
  if (Object.keys(choices.sharing).length) {
    request.sharing = choices.sharing;
  }
  return request;
}

export async function publish(
  client: Client,
  notebook: INotebook,
  choices: IChoices,
  view: IFlowView
): Promise<IResult | null> {
  view.status(say.saving);
  await save(notebook);
  const text = await takeSnapshot(client, notebook, choices.mode, choices.force_generate, view);
  view.status(say.looking(choices.title));
  const target = await chooseTarget(client, notebook, choices, view);
  if (!target) {
    return null;
  }
  view.status(say.publishing(choices.server.name));
  const started = await client.publish(publishRequest(notebook.path(), choices, target, text));
  const result = await follow(client, started.job_id, view);
  remember(notebook, result, choices);
  // Keep the remembered target in the file (best effort: the content is published).
  await notebook.save().catch(() => undefined);
  return result;
}

export async function writeManifest(
  client: Client,
  notebook: INotebook,
  choices: IChoices,
  overwrite: boolean,
  view: IFlowView
): Promise<{ written: string[] }> {
  view.status(say.saving);
  await save(notebook);
  const text = await takeSnapshot(client, notebook, 'jupyter-static', choices.force_generate, view);
  view.status(say.writingManifest);
  return client.writeManifest({
    notebook_path: notebook.path(),
    snapshot: text,
    extra_files: choices.extra_files,
    hide_all_input: choices.hide_all_input,
    hide_tagged_input: choices.hide_tagged_input,
    overwrite
  });
}
