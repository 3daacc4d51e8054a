// The publish flow, step by step, reporting to a view ({status, log, progress}):
// save the notebook, snapshot the kernel's environment (source mode), pick the target (the
// remembered content, or ask when the title matches existing content), run the publish job
// and stream its log. Resolves with the deployment, or null when the user cancels.
define(['jquery', 'base/js/namespace', './api', './kernel', './metadata', './conflict'], function (
    $,
    Jupyter,
    api,
    kernel,
    metadata,
    conflict
) {
    'use strict';

    var POLL_MS = 400;

    function saveNotebook() {
        var saved = Jupyter.notebook.save_notebook();
        return Promise.resolve(saved).catch(function () {
            throw new Error('The notebook could not be saved; fix the problem shown by Jupyter, then publish again.');
        });
    }

    // {app_id} for known content, {new: true} for a new document, or null if cancelled.
    function chooseTarget(choices) {
        if (choices.new_location) {
            return Promise.resolve({ new: true });
        }
        var known = metadata.deployment(choices.server.url);
        if (known && known.content_guid && known.app_mode === choices.mode) {
            return Promise.resolve({ app_id: known.content_guid, new: false });
        }
        return api.searchContent(choices.server.name, choices.title).then(function (matches) {
            if (!matches.length) {
                return { new: true };
            }
            return conflict.open(matches, choices.mode, choices.server.name).then(function (choice) {
                if (!choice) {
                    return null;
                }
                return choice.action === 'overwrite' ? { app_id: choice.guid, new: false } : { new: true };
            });
        });
    }

    function follow(jobId, view) {
        return new Promise(function (resolve, reject) {
            var cursor = 0;
            function poll() {
                api.job(jobId, cursor).then(function (state) {
                    cursor = state.cursor;
                    if (state.lines.length) {
                        view.log(state.lines);
                    }
                    if (state.progress) {
                        // the bundle's build or upload: {phase, done, total} bytes
                        view.progress(state.progress);
                    }
                    if (!state.finished) {
                        setTimeout(poll, POLL_MS);
                    } else if (state.error) {
                        var error = new Error(state.error);
                        error.fix = state.fix; // the control the dialog can offer ("publish-anyway")
                        reject(error);
                    } else {
                        resolve(state.result);
                    }
                }, reject);
            }
            poll();
        });
    }

    function takeSnapshot(choices, view) {
        if (choices.mode === 'static') {
            return Promise.resolve(null); // an HTML snapshot needs no packages; source and Voila modes do
        }
        view.status("Reading the Python environment in the notebook's kernel…");
        var path = Jupyter.notebook.notebook_path;
        return kernel.snapshot(api.kernelCode(path, choices.force_generate));
    }

    // A draft and the sharing settings go only when the user gave them.
    function extras(choices) {
        var body = {};
        if (choices.draft) {
            body.draft = true;
        }
        if (choices.sharing && Object.keys(choices.sharing).length) {
            body.sharing = choices.sharing;
        }
        return body;
    }

    function run(choices, view) {
        var snapshot = null;
        view.status('Saving the notebook…');
        return saveNotebook()
            .then(function () {
                return takeSnapshot(choices, view);
            })
            .then(function (text) {
                snapshot = text;
                view.status('Looking for content titled "' + choices.title + '"…');
                return chooseTarget(choices);
            })
            .then(function (target) {
                if (!target) {
                    return null;
                }
                view.status('Publishing to ' + choices.server.name + '…');
                return api
                    .publish(
                        $.extend(
                            {
                                server: choices.server.name,
                                notebook_path: Jupyter.notebook.notebook_path,
                                mode: choices.mode,
                                title: choices.title,
                                new: target.new,
                                app_id: target.app_id || null,
                                extra_files: choices.extra_files,
                                environment: choices.environment,
                                snapshot: snapshot,
                                force_generate: choices.force_generate,
                                hide_all_input: choices.hide_all_input,
                                hide_tagged_input: choices.hide_tagged_input,
                                // The checks before upload refuse until the user has seen their warnings.
                                strict: !choices.publish_anyway
                            },
                            extras(choices)
                        )
                    )
                    .then(function (started) {
                        return follow(started.job_id, view);
                    })
                    .then(function (result) {
                        metadata.remember(result, choices);
                        // Keep the remembered target in the file (best effort: the content is published).
                        return Promise.resolve(Jupyter.notebook.save_notebook())
                            .catch(function () {})
                            .then(function () {
                                return result;
                            });
                    });
            });
    }

    function writeManifest(choices, overwrite, view) {
        view.status('Saving the notebook…');
        return saveNotebook()
            .then(function () {
                return takeSnapshot({ mode: 'jupyter-static', force_generate: choices.force_generate }, view);
            })
            .then(function (snapshot) {
                view.status('Writing manifest.json…');
                return api.writeManifest({
                    notebook_path: Jupyter.notebook.notebook_path,
                    snapshot: snapshot,
                    extra_files: choices.extra_files,
                    hide_all_input: choices.hide_all_input,
                    hide_tagged_input: choices.hide_tagged_input,
                    overwrite: overwrite
                });
            });
    }

    return { run: run, writeManifest: writeManifest, follow: follow };
});
