// The client of our server extension's handlers under {baseUrl}rsconnect_jupyter/, for both UIs.
// It sends Jupyter's XSRF token (the _xsrf cookie, as both UIs' own requests do) and, where the
// page has one, its API token. Every failure becomes an Error whose message is one sentence for
// the dialog (the handlers answer {"message": ...}).
import { say } from './messages';
import type {
  IContent,
  IFolder,
  IJobState,
  IPublishRequest,
  IRules,
  IScheduleRequest,
  IScheduleState,
  IServer,
  IVersion
} from './types';

export interface IClientOptions {
  baseUrl: string;
  /** The page's API token, when it has one (JupyterLab's page config). */
  token?: string;
  /** The command that enables the server extension in this UI, for the "not enabled" sentence. */
  enableCommand: string;
}

export type HttpError = Error & { status?: number };

function cookie(name: string): string {
  const found = document.cookie.split('; ').filter(c => c.indexOf(`${name}=`) === 0)[0];
  return found ? decodeURIComponent(found.slice(name.length + 1)) : '';
}

function query(values: Record<string, string | number>): string {
  const parts = Object.keys(values).map(
    k => `${encodeURIComponent(k)}=${encodeURIComponent(String(values[k]))}`
  );
  return parts.length ? `?${parts.join('&')}` : '';
}

export class Client {
  private rulesRequest: Promise<IRules> | null = null;

  constructor(private options: IClientOptions) {}

  private sentence(status: number, body: unknown): string {
    const message = (body as { message?: unknown } | null)?.message;
    if (typeof message === 'string') {
      return message;
    }
    if (status === 403) {
      return say.refused;
    }
    if (status === 404) {
      return say.notEnabled(this.options.enableCommand);
    }
    return say.answered(status);
  }

  /** The answer to a request that succeeded; a failure throws its one sentence. */
  private async send(
    method: string,
    route: string,
    body?: unknown,
    values?: Record<string, string | number>
  ): Promise<Response> {
    const base = this.options.baseUrl.replace(/\/*$/, '/');
    const headers: Record<string, string> = { 'X-XSRFToken': cookie('_xsrf') };
    if (this.options.token) {
      headers.Authorization = `token ${this.options.token}`;
    }
    const init: RequestInit = { method, headers, credentials: 'same-origin', cache: 'no-store' };
    if (body !== undefined) {
      init.body = JSON.stringify(body);
      headers['Content-Type'] = 'application/json';
    }
    let response: Response;
    try {
      response = await fetch(`${base}rsconnect_jupyter/${route}${query(values || {})}`, init);
    } catch {
      throw new Error(say.noAnswer);
    }
    if (!response.ok) {
      const data: unknown = await response.json().catch(() => null);
      const error: HttpError = new Error(this.sentence(response.status, data));
      error.status = response.status;
      throw error;
    }
    return response;
  }

  private async request<T>(
    method: string,
    route: string,
    body?: unknown,
    values?: Record<string, string | number>
  ): Promise<T> {
    const response = await this.send(method, route, body, values);
    return (await response.json().catch(() => null)) as T;
  }

  async listServers(): Promise<IServer[]> {
    return (await this.request<{ servers: IServer[] }>('GET', 'servers')).servers;
  }

  addServer(server: {
    url: string;
    name: string;
    api_key: string;
    tls: string;
    ca_cert: string;
  }): Promise<{ server: IServer }> {
    return this.request('POST', 'servers/add', server);
  }

  /** "Sign in with Connect": the code to show, the approval page, and the job that waits. */
  signIn(server: {
    url: string;
    name: string;
    tls: string;
    ca_cert: string;
  }): Promise<{ job_id: string; user_code: string; verification_uri: string }> {
    return this.request('POST', 'servers/signin', server);
  }

  /** Which sign-ins the server offers (its OAuth metadata): the browser flow, the device flow. */
  signInMethods(server: {
    url: string;
    name: string;
    tls: string;
    ca_cert: string;
  }): Promise<{ browser: boolean; device: boolean }> {
    return this.request('POST', 'servers/signin/methods', server);
  }

  /** The authorization code flow: the server's sign-in page to open, and the job that waits. */
  signInBrowser(server: {
    url: string;
    name: string;
    tls: string;
    ca_cert: string;
  }): Promise<{ job_id: string; authorize_url: string }> {
    return this.request('POST', 'servers/signin/browser', server);
  }

  removeServer(name: string): Promise<unknown> {
    return this.request('POST', 'servers/remove', { server: name });
  }

  async searchContent(name: string, title: string): Promise<IContent[]> {
    const found = await this.request<{ content: IContent[] }>('POST', 'content/search', {
      server: name,
      title
    });
    return found.content;
  }

  /** The server's input rules (rsconnect_jupyter/rules.py), fetched once (again after a failure). */
  rules(): Promise<IRules> {
    if (!this.rulesRequest) {
      this.rulesRequest = this.request<IRules>('GET', 'rules').catch(err => {
        this.rulesRequest = null;
        throw err;
      });
    }
    return this.rulesRequest;
  }

  folderFiles(path: string): Promise<IFolder> {
    return this.request('GET', 'files', undefined, { path });
  }

  async kernelCode(path: string, forceGenerate: boolean): Promise<string> {
    const values = { path, force_generate: forceGenerate ? '1' : '0' };
    return (await this.request<{ code: string }>('GET', 'environment', undefined, values)).code;
  }

  publish(request: IPublishRequest): Promise<{ job_id: string }> {
    return this.request('POST', 'publish', request);
  }

  job(jobId: string, cursor: number): Promise<IJobState> {
    return this.request('GET', `jobs/${jobId}`, undefined, { cursor });
  }

  writeManifest(options: Record<string, unknown>): Promise<{ written: string[] }> {
    return this.request('POST', 'manifest', options);
  }

  versions(server: string, guid: string): Promise<{ title: string; versions: IVersion[] }> {
    return this.request('POST', 'content/versions', { server, guid });
  }

  /** Makes a version live: a job followed like a publish (its result: content_url, bundle_id). */
  activate(server: string, guid: string, bundleId: string): Promise<{ job_id: string }> {
    return this.request('POST', 'content/activate', { server, guid, bundle_id: bundleId });
  }

  /** A version's source bundle (.tar.gz), and the file name the server offers it under. */
  async downloadVersion(
    server: string,
    guid: string,
    bundleId: string
  ): Promise<{ blob: Blob; filename: string }> {
    const body = { server, guid, bundle_id: bundleId };
    const response = await this.send('POST', 'content/download', body);
    const named = /filename="([^"]+)"/.exec(response.headers.get('Content-Disposition') || '');
    return {
      blob: await response.blob(),
      filename: named ? named[1] : `version-${bundleId}.tar.gz`
    };
  }

  removeVersion(server: string, guid: string, bundleId: string): Promise<unknown> {
    return this.request('POST', 'content/remove-version', { server, guid, bundle_id: bundleId });
  }

  /** The content's schedule, who gets its results by mail and its last runs. */
  schedule(server: string, guid: string): Promise<IScheduleState> {
    return this.request('POST', 'content/schedule', { server, guid });
  }

  /** Sets the schedule (null: removes it); answers as schedule() does. */
  saveSchedule(
    server: string,
    guid: string,
    request: IScheduleRequest | null
  ): Promise<IScheduleState> {
    const body = request ? { server, guid, ...request } : { server, guid, off: true };
    return this.request('POST', 'content/schedule/save', body);
  }

  /** Checks a schedule before a publish (nothing saved): rejects with the sentence refusing it. */
  checkSchedule(request: IScheduleRequest): Promise<unknown> {
    return this.request('POST', 'content/schedule/check', request);
  }

  /** Runs the notebook again now: a job followed like a publish. */
  runNow(server: string, guid: string): Promise<{ job_id: string }> {
    return this.request('POST', 'content/run', { server, guid });
  }
}
