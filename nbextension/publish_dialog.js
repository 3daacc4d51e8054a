// The publish dialog: server, title, mode, packages, environment variables, extra files.
// It stays open while publishing and shows the deploy log; errors appear as one sentence.
define([
    'jquery',
    'base/js/namespace',
    'base/js/dialog',
    './api',
    './metadata',
    './publish',
    './focus',
    './versions'
], function ($, Jupyter, dialog, api, metadata, publish, focus, versions) {
    'use strict';

    function notebookTitle() {
        return Jupyter.notebook.notebook_name.replace(/\.ipynb$/i, '');
    }

    function radio(name, value, id, label, help) {
        var row = $('<div class="radio"/>').append(
            $('<label/>')
                .append($('<input type="radio"/>').attr({ name: name, id: id }).val(value))
                .append(document.createTextNode(' ' + label))
        );
        if (help) {
            row.append($('<p class="help-block"/>').text(help));
        }
        return row;
    }

    function checkbox(id, label) {
        return $('<div class="checkbox"/>').append(
            $('<label/>')
                .append($('<input type="checkbox"/>').attr('id', id))
                .append(document.createTextNode(' ' + label))
        );
    }

    function envRow(name) {
        return $('<div class="rsc-env-row form-inline"/>')
            .append(
                $('<input type="text" class="form-control input-sm rsc-env-name" placeholder="NAME"/>').val(name || '')
            )
            .append(' = ')
            .append(
                $(
                    '<input type="password" class="form-control input-sm rsc-env-value" autocomplete="new-password"/>'
                ).attr('placeholder', name ? 'unchanged' : 'value')
            )
            .append(
                $('<button type="button" class="btn btn-default btn-xs rsc-env-remove" title="Remove">&times;</button>')
            );
    }

    function textField(id, label, placeholder, help) {
        var group = $('<div class="form-group"/>')
            .append($('<label/>').attr('for', id).text(label))
            .append($('<input type="text" class="form-control input-sm"/>').attr({ id: id, placeholder: placeholder }));
        if (help) {
            group.append($('<p class="help-block"/>').text(help));
        }
        return group;
    }

    // Folded away (most users skip it): publish as a draft, and who can see the content.
    function sharingSection() {
        var access = $('<select id="rsc-access" class="form-control input-sm"/>')
            .append($('<option value=""/>').text('Keep as it is'))
            .append($('<option value="all"/>').text('Anyone, no login required'))
            .append($('<option value="logged_in"/>').text('Everyone who can log in'))
            .append($('<option value="acl"/>').text('Only the people listed'));
        return $('<details id="rsc-sharing" class="rsc-sharing"/>')
            .append($('<summary/>').text('Sharing and draft'))
            .append(
                checkbox('rsc-draft', 'Publish as draft').append(
                    $('<p class="help-block"/>').text(
                        'Builds it without making it live; preview it, then activate it from Versions.'
                    )
                )
            )
            .append($('<div class="form-group"/>').append($('<label for="rsc-access"/>').text('Access')).append(access))
            .append(
                textField('rsc-viewers', 'Viewers', 'ann, bob@example.com', 'Usernames or e-mails, comma-separated.')
            )
            .append(
                textField(
                    'rsc-collaborators',
                    'Collaborators',
                    'ann, bob@example.com',
                    'Usernames or e-mails, comma-separated.'
                )
            )
            .append(textField('rsc-vanity', 'Vanity path', '/q4-report/', null))
            .append(
                textField(
                    'rsc-tags',
                    'Tags',
                    'finance, reports/2026',
                    'Comma-separated; PARENT/NAME for a tag in a tree.'
                )
            );
    }

    // "a, b,,c " -> ["a", "b", "c"]
    function list(text) {
        return String(text || '')
            .split(',')
            .map(function (x) {
                return $.trim(x);
            })
            .filter(function (x) {
                return x !== '';
            });
    }

    function readSharing(form) {
        var sharing = {};
        var access = form.find('#rsc-access').val();
        if (access) {
            sharing.access = access;
        }
        ['viewers', 'collaborators', 'tags'].forEach(function (key) {
            var values = list(form.find('#rsc-' + key).val());
            if (values.length) {
                sharing[key] = values;
            }
        });
        var vanity = $.trim(form.find('#rsc-vanity').val());
        if (vanity) {
            sharing.vanity = vanity;
        }
        return sharing;
    }

    function build(servers, folder, md, draft) {
        var form = $('<form id="rsc-publish-form" class="rsc-dialog" autocomplete="off"/>');
        var select = $('<select id="rsc-server" class="form-control"/>');
        servers.forEach(function (s) {
            select.append(
                $('<option/>')
                    .val(s.name)
                    .attr('data-url', s.url)
                    .text(s.name + ' (' + s.url + ')')
            );
        });
        form.append(
            $('<div class="form-group"/>')
                .append($('<label for="rsc-server"/>').text('Publish to'))
                .append(
                    $('<div class="input-group"/>')
                        .append(select)
                        .append(
                            $('<span class="input-group-btn"/>')
                                .append(
                                    $('<button type="button" id="rsc-add-server" class="btn btn-default"/>').text(
                                        'Add server…'
                                    )
                                )
                                .append(
                                    $('<button type="button" id="rsc-remove-server" class="btn btn-default"/>').text(
                                        'Remove'
                                    )
                                )
                        )
                )
        );
        form.append(
            $('<div class="form-group"/>')
                .append($('<label for="rsc-title"/>').text('Title'))
                .append($('<input type="text" id="rsc-title" class="form-control"/>'))
        );
        form.append(
            checkbox(
                'rsc-new-location',
                'Publish to a new location instead of updating the content ' + 'this notebook was published to'
            ).attr('id', 'rsc-new-location-row')
        );
        form.append(
            $('<div id="rsc-versions-row" class="rsc-versions-row"/>').append(
                $('<button type="button" id="rsc-versions" class="btn btn-default btn-sm"/>').text('Versions…')
            )
        );
        form.append(
            $('<div class="form-group"/>')
                .append(
                    radio(
                        'rsc-mode',
                        'static',
                        'rsc-mode-static',
                        'Publish finished document only',
                        'An HTML snapshot of the notebook as saved. It cannot be scheduled or re-run on the server.'
                    )
                )
                .append(
                    radio(
                        'rsc-mode',
                        'jupyter-static',
                        'rsc-mode-source',
                        'Publish document with source code',
                        'The notebook and the list of its Python packages, so Connect can recreate the environment and re-run it.'
                    )
                )
                .append(
                    radio(
                        'rsc-mode',
                        'jupyter-voila',
                        'rsc-mode-voila',
                        'Interactive dashboard (Voila)',
                        'The notebook runs for each visitor with Voila, as an app: its widgets work and its code stays hidden. Its packages must include voila.'
                    )
                )
        );

        var source = $('<div id="rsc-source-options"/>');
        var packages = $('<div class="form-group"/>').append($('<label/>').text('Python packages'));
        packages.append(
            radio(
                'rsc-packages',
                'file',
                'rsc-packages-file',
                folder.has_requirements
                    ? 'Use ' + (folder.packages_file || 'requirements.txt') + " from the notebook's folder"
                    : "Use the notebook folder's requirements.txt, pylock.toml, uv.lock or pyproject.toml (there is none)"
            )
        );
        packages.append(
            radio(
                'rsc-packages',
                'generate',
                'rsc-packages-generate',
                "Generate the list from the packages installed in the kernel's environment"
            )
        );
        source.append(packages);
        var env = $('<div class="form-group"/>').append($('<label/>').text('Environment variables'));
        env.append(
            $('<p class="help-block"/>').text(
                'Values go to the server only and are never saved in the notebook; ' +
                    'leave a value empty to keep the one already set on the server.'
            )
        );
        var rows = $('<div id="rsc-env-rows"/>');
        md.environment_names.forEach(function (n) {
            rows.append(envRow(n));
        });
        env.append(rows).append(
            $('<button type="button" id="rsc-env-add" class="btn btn-default btn-xs"/>').text('Add variable')
        );
        source.append(env);
        form.append(source);

        var files = $('<div id="rsc-files" class="rsc-files"/>');
        if (!folder.files.length) {
            files.append($('<p class="help-block"/>').text("No other files in the notebook's folder."));
        }
        folder.files.forEach(function (f) {
            files.append(
                $('<div class="checkbox"/>').append(
                    $('<label/>')
                        .append(
                            $('<input type="checkbox" class="rsc-file"/>')
                                .val(f)
                                .attr('data-file', f)
                                .prop('checked', md.extra_files.indexOf(f) >= 0)
                        )
                        .append(document.createTextNode(' ' + f))
                )
            );
        });
        form.append(
            $('<div class="form-group"/>')
                .append($('<label/>').text("Extra files from the notebook's folder"))
                .append(files)
        );
        // Voila never shows code: these apply to the two document modes.
        form.append(
            $('<div id="rsc-hide-options"/>')
                .append(checkbox('rsc-hide-all-input', 'Hide all input code'))
                .append(checkbox('rsc-hide-tagged-input', 'Hide the input of cells tagged "hide_input"'))
        );
        form.append(sharingSection());
        form.append($('<div id="rsc-status" class="rsc-status"/>'));
        form.append(
            $('<div id="rsc-progress-row" class="rsc-progress-row"/>')
                .append($('<progress id="rsc-progress" class="rsc-progress" max="1" value="0"/>'))
                .append($('<span id="rsc-progress-text" class="rsc-progress-text" aria-live="polite"/>'))
                .hide()
        );
        // What the checks before upload found (the log's "Warning: " lines), above the log.
        form.append($('<ul id="rsc-warnings" class="rsc-warnings" role="status"/>').hide());
        form.append($('<pre id="rsc-log" class="rsc-log"/>').hide());
        form.append($('<div id="rsc-error" class="alert alert-danger rsc-error" role="alert"/>').hide());

        // Defaults: what this notebook remembers for the chosen server, else the notebook's name.
        var preferred =
            draft.server ||
            (
                servers.filter(function (s) {
                    return metadata.normalizeUrl(s.url) === md.last_server_url;
                })[0] || servers[0]
            ).name;
        select.val(preferred);
        applyServerDefaults(form, draft);
        form.find(folder.has_requirements ? '#rsc-packages-file' : '#rsc-packages-generate').prop('checked', true);
        form.find('#rsc-packages-file').prop('disabled', !folder.has_requirements);
        form.on('change', 'input[name=rsc-mode]', function () {
            showModeOptions(form);
        });
        form.on('change', '#rsc-server', function () {
            applyServerDefaults(form, {});
        });
        form.on('click', '#rsc-env-add', function () {
            rows.append(envRow(''));
        });
        form.on('click', '.rsc-env-remove', function () {
            $(this).closest('.rsc-env-row').remove();
        });
        form.on('submit', function () {
            return false;
        });
        return form;
    }

    function applyServerDefaults(form, draft) {
        var url = form.find('#rsc-server option:selected').attr('data-url');
        var known = metadata.deployment(url);
        form.find('#rsc-title').val(draft.title || (known && known.title) || notebookTitle());
        form.find('#rsc-new-location').prop('checked', false);
        form.find('#rsc-new-location-row').toggle(!!(known && known.content_guid));
        // The versions of the content this notebook was published to on this server.
        form.find('#rsc-versions-row').toggle(!!(known && known.content_guid));
        var mode = draft.mode || (known && known.app_mode) || 'static';
        form.find(MODE_INPUTS[mode] || '#rsc-mode-static').prop('checked', true);
        showModeOptions(form);
    }

    // Each publication mode (the content's app_mode) and its radio button.
    var MODE_INPUTS = {
        static: '#rsc-mode-static',
        'jupyter-static': '#rsc-mode-source',
        'jupyter-voila': '#rsc-mode-voila'
    };

    function showModeOptions(form) {
        var mode = form.find('input[name=rsc-mode]:checked').val() || 'static';
        // Packages and variables matter wherever the server runs the notebook.
        form.find('#rsc-source-options').toggle(mode !== 'static');
        form.find('#rsc-hide-options').toggle(mode !== 'jupyter-voila');
    }

    // The user's choices, or an Error whose message says what to fix. `rules` are the server's
    // (GET rsconnect_jupyter/rules, from rsconnect_jupyter/rules.py): no copy of them lives here.
    function read(form, servers, rules) {
        var envName = new RegExp('^(?:' + rules.env_name_pattern + ')$');
        var name = form.find('#rsc-server').val();
        var server = servers.filter(function (s) {
            return s.name === name;
        })[0];
        var title = $.trim(form.find('#rsc-title').val());
        var mode = form.find('input[name=rsc-mode]:checked').val();
        if (!server) {
            return new Error('Choose a server, or add one with "Add server…".');
        }
        if (title.length < rules.title_min_length || title.length > rules.title_max_length) {
            return new Error(
                'Enter a title of ' + rules.title_min_length + ' to ' + rules.title_max_length + ' characters.'
            );
        }
        var environment = {};
        var names = [];
        var bad = null;
        if (mode !== 'static') {
            form.find('.rsc-env-row').each(function () {
                var n = $.trim($(this).find('.rsc-env-name').val());
                var v = $(this).find('.rsc-env-value').val();
                if (!n) {
                    return;
                }
                if (!envName.test(n)) {
                    bad = new Error('"' + n + '" is not a valid environment variable name; use letters, digits and _.');
                }
                names.push(n);
                if (v !== '') {
                    environment[n] = v;
                }
            });
        }
        if (bad) {
            return bad;
        }
        return {
            server: server,
            title: title,
            mode: mode,
            new_location: form.find('#rsc-new-location').prop('checked') === true,
            force_generate: form.find('#rsc-packages-generate').prop('checked') === true,
            environment: environment,
            environment_names: names,
            extra_files: form
                .find('.rsc-file:checked')
                .map(function () {
                    return $(this).val();
                })
                .get(),
            hide_all_input: mode !== 'jupyter-voila' && form.find('#rsc-hide-all-input').prop('checked') === true,
            hide_tagged_input: mode !== 'jupyter-voila' && form.find('#rsc-hide-tagged-input').prop('checked') === true,
            draft: form.find('#rsc-draft').prop('checked') === true,
            sharing: readSharing(form)
        };
    }

    // 1234567 -> "1.2 MB" (decimal units, as the CLI prints them).
    function humanBytes(n) {
        var units = ['B', 'kB', 'MB', 'GB'];
        var i = 0;
        while (n >= 1000 && i < units.length - 1) {
            n /= 1000;
            i += 1;
        }
        return (i === 0 || n >= 100 ? Math.round(n) : n.toFixed(1)) + ' ' + units[i];
    }

    var PHASES = { build: 'Building the bundle', upload: 'Uploading' };

    function view(form) {
        return {
            progress: function (p) {
                if (!p.total) {
                    return;
                }
                form.find('#rsc-progress-row').show();
                form.find('#rsc-progress').attr({ max: p.total, value: p.done });
                form.find('#rsc-progress-text').text(
                    (PHASES[p.phase] || p.phase) + ' ' + humanBytes(p.done) + ' of ' + humanBytes(p.total)
                );
            },
            status: function (text) {
                form.find('#rsc-status').text(text);
            },
            log: function (lines) {
                var pre = form.find('#rsc-log').show();
                pre.append(document.createTextNode(lines.join('\n') + '\n'));
                pre.scrollTop(pre[0].scrollHeight);
                lines.forEach(function (line) {
                    if (line.indexOf('Warning: ') === 0) {
                        form.find('#rsc-warnings')
                            .append($('<li/>').text(line.slice('Warning: '.length)))
                            .show();
                    }
                });
            }
        };
    }

    // Resolves with {result} after a publish, {addServer: draft} when the user wants to add a
    // server, or null when closed.
    function open(servers, draft) {
        draft = draft || {};
        return Promise.all([api.folderFiles(Jupyter.notebook.notebook_path), api.rules()]).then(function (answers) {
            var folder = answers[0];
            var rules = answers[1];
            return new Promise(function (resolve) {
                var md = metadata.read();
                var form = build(servers, folder, md, draft);
                var settled = false;
                var busy = false;
                var manifestExists = false;
                var modal;
                function finish(value) {
                    settled = true;
                    resolve(value);
                    modal.modal('hide');
                }
                function setBusy(on) {
                    busy = on;
                    modal
                        .find('.modal-footer button, #rsc-add-server, #rsc-remove-server, #rsc-versions')
                        .prop('disabled', on);
                }
                var publishAnyway = false;
                function fail(err) {
                    if (err.fix === 'publish-anyway') {
                        // The warnings are listed above; the next click publishes regardless.
                        publishAnyway = true;
                        modal.find('#rsc-publish-submit').text('Publish anyway');
                    }
                    setBusy(false);
                    form.find('#rsc-status').text('');
                    form.find('#rsc-error')
                        .text(err.message || String(err))
                        .show();
                }
                function start(action) {
                    var choices = read(form, servers, rules);
                    form.find('#rsc-error').hide();
                    if (choices instanceof Error) {
                        return fail(choices);
                    }
                    setBusy(true);
                    form.find('#rsc-log').empty().hide();
                    form.find('#rsc-warnings').empty().hide();
                    form.find('#rsc-progress-row').hide();
                    action(choices).catch(fail);
                }
                modal = dialog.modal({
                    title: 'Publish to Posit Connect',
                    body: form,
                    notebook: Jupyter.notebook,
                    keyboard_manager: Jupyter.notebook.keyboard_manager,
                    open: focus.afterOpen(form, null), // no field: Enter publishes
                    buttons: {
                        Cancel: { id: 'rsc-publish-cancel' },
                        'Create manifest': {
                            id: 'rsc-write-manifest',
                            click: function () {
                                start(function (choices) {
                                    return publish.writeManifest(choices, manifestExists, view(form)).then(
                                        function (r) {
                                            setBusy(false);
                                            manifestExists = false;
                                            modal.find('#rsc-write-manifest').text('Create manifest');
                                            form.find('#rsc-status').text('Wrote ' + r.written.join(', ') + '.');
                                        },
                                        function (err) {
                                            if (/already exists/.test(err.message)) {
                                                manifestExists = true;
                                                modal.find('#rsc-write-manifest').text('Replace manifest');
                                            }
                                            throw err;
                                        }
                                    );
                                });
                                return false;
                            }
                        },
                        Publish: {
                            id: 'rsc-publish-submit',
                            class: 'btn-primary',
                            click: function () {
                                start(function (choices) {
                                    choices.publish_anyway = publishAnyway;
                                    return publish.run(choices, view(form)).then(function (result) {
                                        if (!result) {
                                            // the user cancelled the conflict dialog
                                            setBusy(false);
                                            form.find('#rsc-status').text('Publishing cancelled.');
                                            return;
                                        }
                                        finish({ result: result });
                                    });
                                });
                                return false;
                            }
                        }
                    }
                });
                modal.addClass('rsc-modal rsc-publish-modal');
                modal.on('hide.bs.modal', function (e) {
                    // Closing mid-publish would hide the log and the result: refuse while busy.
                    if (busy && !settled) {
                        e.preventDefault();
                    }
                });
                modal.on('hidden.bs.modal', function () {
                    if (!settled) {
                        resolve(null);
                    }
                });
                form.on('click', '#rsc-add-server', function () {
                    finish({
                        addServer: {
                            title: form.find('#rsc-title').val(),
                            mode: form.find('input[name=rsc-mode]:checked').val()
                        }
                    });
                });
                form.on('click', '#rsc-versions', function () {
                    var name = form.find('#rsc-server').val();
                    var server = servers.filter(function (s) {
                        return s.name === name;
                    })[0];
                    var known = server && metadata.deployment(server.url);
                    if (known && known.content_guid) {
                        versions.open(server, known.content_guid);
                    }
                });
                form.on('click', '#rsc-remove-server', function () {
                    var name = form.find('#rsc-server').val();
                    setBusy(true);
                    api.removeServer(name).then(function () {
                        servers = servers.filter(function (s) {
                            return s.name !== name;
                        });
                        form.find('#rsc-server option')
                            .filter(function () {
                                return $(this).val() === name;
                            })
                            .remove();
                        setBusy(false);
                        if (!servers.length) {
                            finish({ addServer: {} });
                        } else {
                            applyServerDefaults(form, {});
                        }
                    }, fail);
                });
            });
        });
    }

    return { open: open };
});
