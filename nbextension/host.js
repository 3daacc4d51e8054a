// The classic Notebook's side of the publishing core (./core, built from labextension/src/core):
// the notebook, its kernel, and a Bootstrap modal as the frame of the core's dialogs.
define(['jquery', 'base/js/namespace', 'base/js/dialog', './core/index'], function ($, Jupyter, dialog, core) {
    'use strict';

    var THEME = {
        input: 'form-control input-sm',
        button: 'btn btn-sm',
        plain: 'btn-default',
        primary: 'btn-primary',
        danger: 'btn-danger',
        field: 'form-group',
        help: 'help-block',
        error: 'alert alert-danger'
    };

    function connected() {
        var kernel = Jupyter.notebook.kernel;
        if (!kernel) {
            return Promise.reject(new Error(core.say.noKernel));
        }
        return kernel.is_connected()
            ? Promise.resolve()
            : new Promise(function (resolve) {
                  Jupyter.notebook.events.one('kernel_ready.Kernel', resolve);
              });
    }

    function language() {
        var info = Jupyter.notebook.kernel.info_reply;
        var spec = Jupyter.notebook.metadata.kernelspec || {};
        var name = (info && info.language_info && info.language_info.name) || spec.language;
        return Promise.resolve(name || (Jupyter.notebook.metadata.language_info || {}).name || '');
    }

    // The shell reply and the printed output travel on different channels, so the reply may
    // come first: done only once the kernel is also idle (all output delivered).
    function run(code) {
        return new Promise(function (resolve) {
            var out = { stdout: '', error: null, status: null };
            var idle = false;
            function finish() {
                if (out.status !== null && idle) {
                    resolve(out);
                }
            }
            var callbacks = {
                iopub: {
                    output: function (msg) {
                        if (msg.msg_type === 'stream' && msg.content.name === 'stdout') {
                            out.stdout += msg.content.text;
                        } else if (msg.msg_type === 'error') {
                            out.error = msg.content.ename + ': ' + msg.content.evalue;
                        }
                    },
                    status: function (msg) {
                        idle = idle || msg.content.execution_state === 'idle';
                        finish();
                    }
                },
                shell: {
                    reply: function (msg) {
                        out.status = msg.content.status;
                        finish();
                    }
                }
            };
            Jupyter.notebook.kernel.execute(code, callbacks, { silent: false, store_history: false });
        });
    }

    var notebook = {
        path: function () {
            return Jupyter.notebook.notebook_path;
        },
        save: function () {
            return Promise.resolve(Jupyter.notebook.save_notebook());
        },
        readMetadata: function () {
            return Jupyter.notebook.metadata.rsconnect;
        },
        writeMetadata: function (value) {
            Jupyter.notebook.metadata.rsconnect = value;
            Jupyter.notebook.set_dirty(true);
        },
        kernel: { connected: connected, language: language, run: run }
    };

    // The core's buttons go in the modal's footer; Escape, the × and Enter ask the core first.
    // `rsc-ready` marks the dialog ready for typing (Bootstrap's fade-in has ended).
    function openDialog(options) {
        var closing = false;
        var modal = dialog.modal({
            title: options.title,
            body: $(options.body),
            buttons: {},
            notebook: Jupyter.notebook,
            keyboard_manager: Jupyter.notebook.keyboard_manager,
            open: function () {
                var field = options.focus
                    ? $(options.body).find(options.focus)
                    : $(options.footer).find('[data-primary]');
                field.first().focus();
                modal.addClass('rsc-ready');
            }
        });
        modal.addClass('rsc-modal ' + options.cls);
        modal.find('.modal-footer').append(options.footer);
        modal.on('keydown', 'input:not([type=checkbox]):not([type=radio]), select', function (e) {
            if (e.key === 'Enter') {
                e.preventDefault();
                options.enter();
            }
        });
        modal.on('hide.bs.modal', function (e) {
            if (!closing && !options.leave()) {
                e.preventDefault();
            }
        });
        var closed = new Promise(function (resolve) {
            modal.on('hidden.bs.modal', function () {
                resolve();
            });
        });
        return {
            closed: closed,
            close: function () {
                closing = true;
                modal.modal('hide');
            }
        };
    }

    return { THEME: THEME, notebook: notebook, openDialog: openDialog };
});
