// What the core needs from the notebook page, whichever UI shows it: its path, saving it, its
// metadata, and running code in its kernel. Each UI implements these few calls; the rules about
// them (what is remembered, the kernel's time limits and failures) live here once.
import { say } from './messages';
import type { IResult } from './types';

/** Runs code in the notebook's own kernel. */
export interface IKernelExecutor {
  /** Resolves once a kernel is connected; rejects with say.noKernel when there is none. */
  connected(): Promise<void>;
  /** The kernel's language ("python"), or '' when unknown. */
  language(): Promise<string>;
  /** Runs `code` silently; resolves once the kernel is idle again (all output delivered). */
  run(code: string): Promise<{ stdout: string; error: string | null; status: string }>;
}

export interface INotebook {
  /** The notebook's path from the Jupyter root. */
  path(): string;
  save(): Promise<void>;
  readMetadata(): unknown;
  writeMetadata(value: IRemembered): void;
  kernel: IKernelExecutor;
}

// -- what the notebook remembers, in its metadata under "rsconnect" ---------------------------
// Never a secret: per server URL the content GUID, URL, title and mode (so a collaborator with
// their own saved server for the same URL republishes to the same content); the chosen extra
// files; the names (not the values) of environment variables.

export interface IDeployment {
  content_guid: string;
  content_url: string;
  title: string;
  app_mode: string;
}

export interface IRemembered {
  servers: { [url: string]: IDeployment };
  last_server_url?: string;
  extra_files: string[];
  environment_names: string[];
}

export function normalizeUrl(url: string | undefined | null): string {
  return String(url || '').replace(/\/+$/, '');
}

export function remembered(notebook: INotebook): IRemembered {
  const stored = notebook.readMetadata();
  const md: Partial<IRemembered> =
    stored && typeof stored === 'object' ? JSON.parse(JSON.stringify(stored)) : {};
  md.servers = md.servers && typeof md.servers === 'object' ? md.servers : {};
  md.extra_files = Array.isArray(md.extra_files) ? md.extra_files : [];
  md.environment_names = Array.isArray(md.environment_names) ? md.environment_names : [];
  return md as IRemembered;
}

export function deployment(notebook: INotebook, serverUrl: string): IDeployment | null {
  return remembered(notebook).servers[normalizeUrl(serverUrl)] || null;
}

/** After a successful publish: remember where it went and the user's choices. */
export function remember(
  notebook: INotebook,
  result: IResult,
  choices: { extra_files: string[]; environment_names: string[] }
): void {
  const md = remembered(notebook);
  md.servers[normalizeUrl(result.server_url)] = {
    content_guid: result.content_guid,
    content_url: result.content_url,
    title: result.title,
    app_mode: result.app_mode
  };
  md.last_server_url = normalizeUrl(result.server_url);
  md.extra_files = choices.extra_files.slice();
  md.environment_names = choices.environment_names.slice();
  notebook.writeMetadata(md);
}

export function notebookTitle(notebook: INotebook): string {
  return (notebook.path().split('/').pop() || '').replace(/\.ipynb$/i, '');
}

// -- the environment snapshot, taken inside the notebook's own kernel --------------------------
// The handler hands out a stdlib-only snippet, the kernel prints one JSON line, and the printed
// text goes back to the handler, which parses and checks it.

const READY_TIMEOUT_MS = 60000;
const RUN_TIMEOUT_MS = 120000;

function timeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<T>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
}

export async function snapshot(kernel: IKernelExecutor, code: Promise<string>): Promise<string> {
  await timeout(kernel.connected(), READY_TIMEOUT_MS, say.kernelSlow);
  const language = await kernel.language();
  if (language && language.toLowerCase() !== 'python') {
    throw new Error(say.notPython(language));
  }
  const ran = await timeout(kernel.run(await code), RUN_TIMEOUT_MS, say.kernelBusy);
  if (ran.status !== 'ok' || ran.error) {
    throw new Error(say.kernelFailed(ran.error || ran.status));
  }
  return ran.stdout;
}
