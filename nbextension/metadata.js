// What the notebook remembers about its publishing, in notebook metadata under "rsconnect".
// Never a secret: per server URL the content GUID, title and mode (so a collaborator with their
// own saved server for the same URL republishes to the same content); the chosen extra files;
// the names (not the values) of environment variables.
define(['base/js/namespace'], function (Jupyter) {
    'use strict';

    var KEY = 'rsconnect';

    function normalizeUrl(url) {
        return String(url || '').replace(/\/+$/, '');
    }

    function read() {
        var md = Jupyter.notebook.metadata[KEY];
        if (!md || typeof md !== 'object') {
            md = {};
        }
        md.servers = md.servers && typeof md.servers === 'object' ? md.servers : {};
        md.extra_files = Array.isArray(md.extra_files) ? md.extra_files : [];
        md.environment_names = Array.isArray(md.environment_names) ? md.environment_names : [];
        return md;
    }

    function write(md) {
        Jupyter.notebook.metadata[KEY] = md;
        Jupyter.notebook.set_dirty(true);
    }

    function deployment(serverUrl) {
        return read().servers[normalizeUrl(serverUrl)] || null;
    }

    // After a successful publish: remember where it went and the user's choices.
    function remember(result, choices) {
        var md = read();
        md.servers[normalizeUrl(result.server_url)] = {
            content_guid: result.content_guid,
            content_url: result.content_url,
            title: result.title,
            app_mode: result.app_mode
        };
        md.last_server_url = normalizeUrl(result.server_url);
        md.extra_files = choices.extra_files.slice();
        md.environment_names = choices.environment_names.slice();
        write(md);
    }

    return { read: read, deployment: deployment, remember: remember, normalizeUrl: normalizeUrl };
});
