// The add-server dialog: URL, nickname, API key, TLS choice. The handler checks the key against
// the server before saving anything, so a wrong key or a viewer account is refused right here.
define(['jquery', 'base/js/namespace', 'base/js/dialog', './api', './focus'], function (
    $,
    Jupyter,
    dialog,
    api,
    focus
) {
    'use strict';

    var API_KEY_HELP = 'https://docs.posit.co/connect/user/api-keys/';

    function field(id, label, input, help) {
        var group = $('<div class="form-group"/>');
        group.append($('<label/>').attr('for', id).text(label));
        group.append(input.attr('id', id).addClass('form-control'));
        if (help) {
            group.append($('<p class="help-block"/>').append(help));
        }
        return group;
    }

    function tlsChoice(value, id, label) {
        return $('<div class="radio"/>').append(
            $('<label/>')
                .append($('<input type="radio" name="rsc-tls"/>').attr('id', id).val(value))
                .append(document.createTextNode(' ' + label))
        );
    }

    function body(prefill) {
        var form = $('<form id="rsc-add-server-form" class="rsc-dialog" autocomplete="off"/>');
        form.append(
            $('<p/>').text(
                'Enter the location of your Posit Connect server, a nickname for it, and your API key. ' +
                    'The key is kept on the Jupyter server and never shown again.'
            )
        );
        form.append(
            field(
                'rsc-server-url',
                'Server URL',
                $('<input type="text"/>')
                    .attr('placeholder', 'https://connect.example.com/')
                    .val(prefill.url || '')
            )
        );
        form.append(
            field(
                'rsc-nickname',
                'Nickname',
                $('<input type="text"/>')
                    .attr('placeholder', 'my-connect')
                    .val(prefill.name || '')
            )
        );
        form.append(
            field(
                'rsc-api-key',
                'API key',
                $('<input type="password" autocomplete="new-password"/>'),
                $('<a target="_blank" rel="noopener"/>').attr('href', API_KEY_HELP).text('How to create an API key')
            )
        );
        var tls = $('<div class="form-group"/>').append($('<label/>').text('TLS certificates'));
        tls.append(tlsChoice('system', 'rsc-tls-system', "Check with the system's certificates"));
        tls.append(tlsChoice('ca_bundle', 'rsc-tls-ca', 'Check with this CA bundle (a file on the Jupyter server):'));
        tls.append(
            $('<input type="text" id="rsc-ca-path" class="form-control"/>')
                .attr('placeholder', '/etc/ssl/my-ca.pem')
                .prop('disabled', true)
        );
        tls.append(tlsChoice('insecure', 'rsc-tls-insecure', 'Do not check the certificate (insecure)'));
        form.append(tls);
        form.append($('<div id="rsc-add-error" class="alert alert-danger rsc-error" role="alert"/>').hide());
        form.find('#rsc-tls-system').prop('checked', true);
        form.on('change', 'input[name=rsc-tls]', function () {
            form.find('#rsc-ca-path').prop('disabled', form.find('#rsc-tls-ca').prop('checked') !== true);
        });
        form.on('submit', function () {
            return false;
        });
        return form;
    }

    // Resolves with {server, user} once saved, or null when the user cancels.
    function open(prefill) {
        prefill = prefill || {};
        return new Promise(function (resolve) {
            var form = body(prefill);
            var settled = false;
            var modal = dialog.modal({
                title: 'Add a Posit Connect server',
                body: form,
                notebook: Jupyter.notebook,
                keyboard_manager: Jupyter.notebook.keyboard_manager,
                open: focus.afterOpen(form, '#rsc-server-url'),
                buttons: {
                    Cancel: { id: 'rsc-add-cancel' },
                    'Add server': {
                        id: 'rsc-add-submit',
                        class: 'btn-primary',
                        click: function () {
                            submit(form, $(this).closest('.modal'), function (result) {
                                settled = true;
                                resolve(result);
                            });
                            return false; // keep the dialog open until the server is saved
                        }
                    }
                }
            });
            modal.addClass('rsc-modal');
            modal.on('hidden.bs.modal', function () {
                if (!settled) {
                    resolve(null);
                }
            });
        });
    }

    function submit(form, modal, done) {
        var error = form.find('#rsc-add-error');
        var button = modal.find('#rsc-add-submit');
        var url = $.trim(form.find('#rsc-server-url').val());
        var key = $.trim(form.find('#rsc-api-key').val());
        var tls = form.find('input[name=rsc-tls]:checked').val() || 'system';
        error.hide();
        if (!url) {
            return error.text('Enter the URL of your Posit Connect server, e.g. https://connect.example.com/.').show();
        }
        if (!/^https?:\/\//i.test(url)) {
            return error.text('The server URL must start with http:// or https://.').show();
        }
        if (!key) {
            return error.text('Enter your API key; create one in Connect under your name > API Keys.').show();
        }
        button.prop('disabled', true).text('Checking…');
        api.addServer({
            url: url,
            name: $.trim(form.find('#rsc-nickname').val()),
            api_key: key,
            tls: tls,
            ca_cert: $.trim(form.find('#rsc-ca-path').val())
        }).then(
            function (result) {
                done(result);
                modal.modal('hide');
            },
            function (err) {
                error.text(err.message).show();
                button.prop('disabled', false).text('Add server');
            }
        );
    }

    return { open: open };
});
