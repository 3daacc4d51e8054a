// Calls to the extension's handlers under {base_url}/rsconnect_jupyter/.
// utils.ajax adds the X-XSRFToken header; every failure becomes an Error whose message is one
// sentence for the dialog (the handlers answer {"message": ...}).
define(['jquery', 'base/js/utils'], function ($, utils) {
    'use strict';

    function url(route) {
        return utils.url_path_join(utils.get_body_data('baseUrl'), 'rsconnect_jupyter', route);
    }

    function sentence(xhr) {
        if (xhr.responseJSON && typeof xhr.responseJSON.message === 'string') {
            return xhr.responseJSON.message;
        }
        if (xhr.status === 0) {
            return 'The Jupyter server did not answer; check that it is still running, then try again.';
        }
        if (xhr.status === 403) {
            return 'The Jupyter server refused the request (your session may have expired); reload the page and try again.';
        }
        if (xhr.status === 404) {
            return 'The rsconnect_jupyter server extension is not enabled; run "jupyter-serverextension enable --sys-prefix --py rsconnect_jupyter" and restart Jupyter.';
        }
        return (
            'The Jupyter server answered ' + xhr.status + ' ' + (xhr.statusText || '') + '; see its log for details.'
        );
    }

    function request(method, route, body, query) {
        var target = url(route);
        if (query) {
            target += '?' + $.param(query);
        }
        var settings = { type: method, dataType: 'json', cache: false };
        if (body !== undefined) {
            settings.data = JSON.stringify(body);
            settings.contentType = 'application/json';
        }
        return new Promise(function (resolve, reject) {
            settings.success = function (data) {
                resolve(data);
            };
            settings.error = function (xhr) {
                var err = new Error(sentence(xhr));
                err.status = xhr.status;
                reject(err);
            };
            utils.ajax(target, settings);
        });
    }

    // The input rules the dialogs check (rsconnect_jupyter/rules.py), fetched once per page.
    var rulesRequest = null;

    function rules() {
        if (!rulesRequest) {
            rulesRequest = request('GET', 'rules').then(null, function (err) {
                rulesRequest = null; // ask again next time
                throw err;
            });
        }
        return rulesRequest;
    }

    return {
        rules: rules,
        listServers: function () {
            return request('GET', 'servers').then(function (r) {
                return r.servers;
            });
        },
        addServer: function (server) {
            return request('POST', 'servers/add', server);
        },
        removeServer: function (name) {
            return request('POST', 'servers/remove', { server: name });
        },
        verifyServer: function (name) {
            return request('POST', 'servers/verify', { server: name });
        },
        searchContent: function (name, title) {
            return request('POST', 'content/search', { server: name, title: title }).then(function (r) {
                return r.content;
            });
        },
        folderFiles: function (path) {
            return request('GET', 'files', undefined, { path: path });
        },
        kernelCode: function (path, forceGenerate) {
            return request('GET', 'environment', undefined, {
                path: path,
                force_generate: forceGenerate ? '1' : '0'
            }).then(function (r) {
                return r.code;
            });
        },
        publish: function (options) {
            return request('POST', 'publish', options);
        },
        job: function (jobId, cursor) {
            return request('GET', 'jobs/' + jobId, undefined, { cursor: cursor });
        },
        writeManifest: function (options) {
            return request('POST', 'manifest', options);
        },
        // The source versions of published content: {title, versions: [{bundle_id, created, size,
        // python, live}]}, newest first.
        versions: function (name, guid) {
            return request('POST', 'content/versions', { server: name, guid: guid });
        },
        // Make a version live: {job_id}, a job followed like a publish.
        activateVersion: function (name, guid, bundleId) {
            return request('POST', 'content/activate', { server: name, guid: guid, bundle_id: bundleId });
        },
        removeVersion: function (name, guid, bundleId) {
            return request('POST', 'content/remove-version', { server: name, guid: guid, bundle_id: bundleId });
        }
    };
});
