// rsconnect_jupyter for JupyterLab 4 and Notebook 7: a "Publish" button in the notebook toolbar
// and a command in the palette. The dialogs and the publish flow are the shared core (./core);
// this file places them: success puts a link to the document in the toolbar.
import { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import {
  ICommandPalette,
  IToolbarWidgetRegistry,
  showErrorMessage,
  ToolbarButton
} from '@jupyterlab/apputils';
import { INotebookTracker, NotebookPanel } from '@jupyterlab/notebook';
import { ServerConnection } from '@jupyterlab/services';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { Widget } from '@lumino/widgets';
import { Client, IHost, IResult, Kit, say, startPublishing } from './core';
import { notebook, openDialog, THEME } from './host';

const COMMAND = 'rsconnect:publish';

/** The toolbar link to the published document (a draft: its preview). */
function showLink(panel: NotebookPanel, result: Pick<IResult, 'content_url' | 'draft_url'>): void {
  const url = result.draft_url || result.content_url;
  const link = document.createElement('a');
  link.className = result.draft_url ? 'rsc-published rsc-published-draft' : 'rsc-published';
  const title = result.draft_url ? `Draft: ${url}` : url;
  Object.assign(link, { href: url, target: '_blank', rel: 'noopener', title });
  link.setAttribute('data-url', url);
  link.textContent = result.draft_url ? say.publishedDraft : say.publishedLive;
  const existing = panel.node.querySelector('.rsc-published-item');
  if (existing) {
    existing.replaceChildren(link);
    return;
  }
  const item = new Widget();
  item.addClass('rsc-published-item');
  item.node.append(link);
  panel.toolbar.insertAfter('rsconnect-publish', 'rsconnect-published', item);
}

function host(panel: NotebookPanel): IHost {
  const settings = ServerConnection.makeSettings();
  return {
    client: new Client({
      baseUrl: settings.baseUrl,
      token: settings.token,
      enableCommand: 'jupyter server extension enable --sys-prefix rsconnect_jupyter'
    }),
    notebook: notebook(panel),
    kit: new Kit(THEME),
    openDialog,
    published: result => showLink(panel, result),
    madeLive: url => {
      if (url && panel.node.querySelector('.rsc-published-draft')) {
        showLink(panel, { content_url: url });
      }
    },
    showError: err => void showErrorMessage(say.publishTitle, err)
  };
}

async function publish(panel: NotebookPanel): Promise<void> {
  await panel.context.ready;
  await startPublishing(host(panel));
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
      label: say.publishTitle,
      caption: 'Publish this notebook to a Posit Connect server',
      isEnabled: () => tracker.currentWidget !== null,
      execute: () => (tracker.currentWidget ? publish(tracker.currentWidget) : undefined)
    });
    palette?.addItem({ command: COMMAND, category: 'Notebook Operations' });
    const publishButton = (panel: NotebookPanel): ToolbarButton => {
      const button = new ToolbarButton({
        className: 'rsc-publish-button',
        label: say.publish,
        tooltip: say.publishTitle,
        onClick: () => void publish(panel)
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
