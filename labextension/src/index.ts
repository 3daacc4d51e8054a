// rsconnect_jupyter for JupyterLab 4 and Notebook 7: a "Publish to Posit Connect" button in the
// notebook toolbar and a command in the palette. First use asks for a server (addServer.ts);
// then the publish dialog (publishDialog.ts); success puts a link to the document in the toolbar.
import { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import {
  ICommandPalette,
  IToolbarWidgetRegistry,
  showErrorMessage,
  ToolbarButton
} from '@jupyterlab/apputils';
import { INotebookTracker, NotebookPanel } from '@jupyterlab/notebook';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { Widget } from '@lumino/widgets';
import * as addServer from './addServer';
import * as api from './api';
import { el } from './dom';
import * as publishDialog from './publishDialog';

const COMMAND = 'rsconnect:publish';
const LABEL = 'Publish to Posit Connect';

function notifyPublished(panel: NotebookPanel, result: api.IResult): void {
  // A draft is not live: the link opens its preview (the content URL still serves the old version).
  const url = result.draft_url || result.content_url;
  const link = el(
    'a',
    {
      class: result.draft_url ? 'rsc-published rsc-published-draft' : 'rsc-published',
      href: url,
      target: '_blank',
      rel: 'noopener',
      title: result.draft_url ? `Draft: ${url}` : url,
      'data-url': url
    },
    [
      result.draft_url
        ? 'Draft on Posit Connect: preview it'
        : 'Published to Posit Connect: open it'
    ]
  );
  const existing = panel.node.querySelector('.rsc-published-item');
  if (existing) {
    existing.replaceChildren(link);
    return;
  }
  const item = new Widget({ node: el('div', { class: 'rsc-published-item' }, [link]) });
  panel.toolbar.insertAfter('rsconnect-publish', 'rsconnect-published', item);
}

/** After a version was activated from the Versions view: a draft's link now opens the content. */
function showLive(panel: NotebookPanel, contentUrl: string): void {
  const link = panel.node.querySelector('.rsc-published-draft');
  if (link && contentUrl) {
    notifyPublished(panel, { content_url: contentUrl } as api.IResult);
  }
}

async function addThenPublish(panel: NotebookPanel, draft: publishDialog.IDraft): Promise<void> {
  const added = await addServer.open({});
  const servers = await api.listServers();
  if (!servers.length) {
    return;
  }
  await publishWith(panel, servers, added ? { ...draft, server: added.server.name } : draft);
}

// The dialogs hand control back here to switch between "add a server" and "publish".
async function publishWith(
  panel: NotebookPanel,
  servers: api.IServer[],
  draft: publishDialog.IDraft
): Promise<void> {
  const outcome = await publishDialog.open(panel, servers, draft, contentUrl =>
    showLive(panel, contentUrl)
  );
  if (!outcome) {
    return;
  }
  if ('addServer' in outcome) {
    return addThenPublish(panel, outcome.addServer);
  }
  notifyPublished(panel, outcome.result);
}

async function startPublishing(panel: NotebookPanel): Promise<void> {
  try {
    await panel.context.ready;
    const servers = await api.listServers();
    await (servers.length ? publishWith(panel, servers, {}) : addThenPublish(panel, {}));
  } catch (err) {
    await showErrorMessage(LABEL, err as Error);
  }
}

const plugin: JupyterFrontEndPlugin<void> = {
  id: 'rsconnect-jupyter:plugin',
  description: 'Publish notebooks to Posit Connect.',
  autoStart: true,
  requires: [INotebookTracker],
  optional: [ICommandPalette, IToolbarWidgetRegistry, ISettingRegistry],
  activate: (
    app: JupyterFrontEnd,
    tracker: INotebookTracker,
    palette: ICommandPalette | null,
    toolbars: IToolbarWidgetRegistry | null,
    settings: ISettingRegistry | null
  ) => {
    app.commands.addCommand(COMMAND, {
      label: LABEL,
      caption: 'Publish this notebook to a Posit Connect server',
      isEnabled: () => tracker.currentWidget !== null,
      execute: () => {
        const panel = tracker.currentWidget;
        return panel ? startPublishing(panel) : undefined;
      }
    });
    if (palette) {
      palette.addItem({ command: COMMAND, category: 'Notebook Operations' });
    }
    const publishButton = (panel: NotebookPanel): ToolbarButton => {
      const button = new ToolbarButton({
        className: 'rsc-publish-button',
        label: 'Publish',
        tooltip: LABEL,
        onClick: () => void startPublishing(panel)
      });
      button.node.id = `rsc-publish-button-${panel.id}`;
      return button;
    };
    if (toolbars && settings) {
      // The toolbar built from settings (schema/plugin.json gives the button its rank): the same
      // place in JupyterLab 4 and Notebook 7, and users can move or hide it in the settings.
      toolbars.addFactory<NotebookPanel>('Notebook', 'rsconnect-publish', publishButton);
      void settings.load(plugin.id);
    } else {
      app.docRegistry.addWidgetExtension('Notebook', {
        createNew: (panel: NotebookPanel) => {
          const button = publishButton(panel);
          panel.toolbar.insertItem(10, 'rsconnect-publish', button);
          return button;
        }
      });
    }
  }
};

export default plugin;
