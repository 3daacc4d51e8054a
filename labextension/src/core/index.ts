// The publishing core shared by the classic Notebook (nbextension/, loaded by RequireJS as AMD)
// and JupyterLab 4 / Notebook 7 (labextension/src/). No UI framework here: each UI hands in a
// host (dialog frame, notebook, kernel, widget classes) and shows the link when it is done.
import * as addServer from './addServer';
import * as publishDialog from './publishDialog';
import type { IDraft } from './publishForm';
import type { IHost } from './shell';
import { installStyles } from './styles';
import type { IServer } from './types';

export { Client } from './client';
export { Kit } from './dom';
export type { ITheme } from './dom';
export { say } from './messages';
export type { IKernelExecutor, INotebook, IRemembered } from './notebook';
export type { IHost, IShell, IShellOptions } from './shell';
export type { IResult } from './types';

// The dialogs hand control back here to switch between "add a server" and "publish".
async function publishWith(host: IHost, servers: IServer[]): Promise<void> {
  let next: { servers: IServer[]; draft: IDraft } | null = { servers, draft: {} };
  while (next) {
    const outcome: publishDialog.Outcome = next.servers.length
      ? await publishDialog.open(host, next.servers, next.draft)
      : { addServer: next.draft };
    next = null;
    if (outcome && 'result' in outcome) {
      host.published(outcome.result);
    } else if (outcome && 'addServer' in outcome) {
      const added = await addServer.open(host, {});
      const all = await host.client.listServers();
      if (all.length) {
        next = {
          servers: all,
          draft: added ? { ...outcome.addServer, server: added.server.name } : outcome.addServer
        };
      }
    }
  }
}

/** The Publish button: the add-server dialog first when no server is saved, then the publish dialog. */
export async function startPublishing(host: IHost): Promise<void> {
  installStyles();
  try {
    await publishWith(host, await host.client.listServers());
  } catch (err) {
    host.showError(err as Error);
  }
}
