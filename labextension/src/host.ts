// JupyterLab 4 / Notebook 7's side of the publishing core (./core): the notebook panel, its
// kernel, and a JupyterLab Dialog as the frame of the core's dialogs.
import { Dialog, ISessionContext } from '@jupyterlab/apputils';
import { NotebookPanel } from '@jupyterlab/notebook';
import { KernelMessage } from '@jupyterlab/services';
import { Widget } from '@lumino/widgets';
import type {
  IKernelExecutor,
  INotebook,
  IRemembered,
  IShell,
  IShellOptions,
  ITheme
} from './core';
import { say } from './core';

export const THEME: ITheme = {
  input: 'jp-mod-styled',
  button: 'jp-Dialog-button jp-mod-styled',
  plain: 'jp-mod-reject',
  primary: 'jp-mod-accept',
  danger: 'jp-mod-warn',
  field: '',
  help: '',
  error: ''
};

function kernel(session: ISessionContext): IKernelExecutor {
  const connection = () => {
    const k = session.session?.kernel;
    if (!k) {
      throw new Error(say.noKernel);
    }
    return k;
  };
  return {
    connected: async () => void (await session.ready, connection()),
    language: async () => (await connection().info)?.language_info?.name || '',
    run: async code => {
      let stdout = '';
      let error: string | null = null;
      const future = connection().requestExecute({
        code,
        silent: false,
        store_history: false,
        stop_on_error: false
      });
      future.onIOPub = (msg: KernelMessage.IIOPubMessage) => {
        if (KernelMessage.isStreamMsg(msg) && msg.content.name === 'stdout') {
          stdout += msg.content.text;
        } else if (KernelMessage.isErrorMsg(msg)) {
          error = `${msg.content.ename}: ${msg.content.evalue}`;
        }
      };
      // `done` settles once the shell reply has come and the kernel is idle (all output delivered).
      const reply = await future.done;
      return { stdout, error, status: reply.content.status };
    }
  };
}

export function notebook(panel: NotebookPanel): INotebook {
  return {
    path: () => panel.context.path,
    save: () => panel.context.save(),
    readMetadata: () => panel.model!.getMetadata('rsconnect'),
    writeMetadata: (value: IRemembered) => panel.model!.setMetadata('rsconnect', value),
    kernel: kernel(panel.sessionContext)
  };
}

/** Puts the core's button row in the dialog's footer. */
class Renderer extends Dialog.Renderer {
  constructor(private footer: HTMLElement) {
    super();
  }

  createFooter(): Widget {
    const footer = new Widget();
    footer.addClass('jp-Dialog-footer');
    footer.node.append(this.footer);
    return footer;
  }
}

/** A Dialog whose buttons are the core's: Enter and Escape go to the core, which decides. */
class CoreDialog extends Dialog<unknown> {
  constructor(private options: IShellOptions) {
    super({
      title: options.title,
      body: new Widget({ node: options.body }),
      buttons: [],
      renderer: new Renderer(options.footer),
      focusNodeSelector: options.focus
    });
    this.addClass('rsc-modal');
    this.addClass(options.cls);
  }

  protected onAfterAttach(msg: Parameters<Dialog<unknown>['onAfterAttach']>[0]): void {
    super.onAfterAttach(msg);
    if (!this.options.focus) {
      (this.options.footer.querySelector('button[data-primary]') as HTMLElement | null)?.focus();
    }
  }

  resolve(): void {
    this.options.enter();
  }

  reject(): void {
    if (this.options.leave()) {
      super.reject();
    }
  }

  close(): void {
    super.reject();
  }
}

export function openDialog(options: IShellOptions): IShell {
  const dialog = new CoreDialog(options);
  return {
    close: () => dialog.close(),
    closed: dialog.launch().then(
      () => undefined,
      () => undefined
    )
  };
}
