// The environment snapshot, taken inside the notebook's own kernel: the handler hands out a
// stdlib-only snippet, the kernel prints one JSON line, and we pass the printed text on.
define(['base/js/namespace'], function (Jupyter) {
    'use strict';

    var READY_TIMEOUT_MS = 60000;
    var RUN_TIMEOUT_MS = 120000;

    function kernelLanguage(kernel) {
        var info = kernel && kernel.info_reply && kernel.info_reply.language_info;
        if (info && info.name) {
            return info.name;
        }
        var spec = Jupyter.notebook.metadata.kernelspec;
        return (spec && spec.language) || (Jupyter.notebook.metadata.language_info || {}).name || '';
    }

    function whenConnected(kernel) {
        if (!kernel) {
            return Promise.reject(
                new Error('This notebook has no running kernel; start one (Kernel > Restart) and publish again.')
            );
        }
        if (kernel.is_connected()) {
            return Promise.resolve(kernel);
        }
        return new Promise(function (resolve, reject) {
            var timer = setTimeout(function () {
                reject(
                    new Error(
                        "The notebook's kernel did not start within a minute; restart it (Kernel > Restart) and publish again."
                    )
                );
            }, READY_TIMEOUT_MS);
            Jupyter.notebook.events.one('kernel_ready.Kernel', function () {
                clearTimeout(timer);
                resolve(Jupyter.notebook.kernel);
            });
        });
    }

    function checkPython(kernel) {
        var language = kernelLanguage(kernel);
        if (language && language.toLowerCase() !== 'python') {
            throw new Error(
                'Publishing with source code needs a Python kernel, and this notebook runs ' +
                    language +
                    '; choose "Publish finished document only" or switch to a Python kernel.'
            );
        }
        return kernel;
    }

    function run(kernel, code) {
        return new Promise(function (resolve, reject) {
            var stdout = '';
            var failure = null;
            var reply = null;
            var idle = false;
            var timer = setTimeout(function () {
                reject(
                    new Error(
                        'The kernel is busy and did not describe its environment within two minutes; ' +
                            'wait for running cells to finish (or interrupt them) and publish again.'
                    )
                );
            }, RUN_TIMEOUT_MS);
            // The shell reply and the printed output travel on different channels, so the reply
            // may come first: finish only once the kernel is also idle (all output delivered).
            function finish() {
                if (reply === null || !idle) {
                    return;
                }
                clearTimeout(timer);
                if (reply.content.status !== 'ok' || failure) {
                    reject(
                        new Error(
                            'Reading the Python environment in the kernel failed (' +
                                (failure || reply.content.status) +
                                '); restart the kernel and publish again.'
                        )
                    );
                } else {
                    resolve(stdout);
                }
            }
            kernel.execute(
                code,
                {
                    iopub: {
                        output: function (msg) {
                            if (msg.msg_type === 'stream' && msg.content.name === 'stdout') {
                                stdout += msg.content.text;
                            } else if (msg.msg_type === 'error') {
                                failure = msg.content.ename + ': ' + msg.content.evalue;
                            }
                        },
                        status: function (msg) {
                            if (msg.content.execution_state === 'idle') {
                                idle = true;
                                finish();
                            }
                        }
                    },
                    shell: {
                        reply: function (msg) {
                            reply = msg;
                            finish();
                        }
                    }
                },
                { silent: false, store_history: false, stop_on_error: false }
            );
        });
    }

    // Resolves with the snapshot's printed text (the handler parses and checks it).
    function snapshot(codePromise) {
        return whenConnected(Jupyter.notebook.kernel)
            .then(checkPython)
            .then(function (kernel) {
                return codePromise.then(function (code) {
                    return run(kernel, code);
                });
            });
    }

    return { snapshot: snapshot, kernelLanguage: kernelLanguage };
});
