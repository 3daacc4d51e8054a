"""Looking for secrets: a known API key and environment variable value, in any form, anywhere.

A secret is found in its plain form, its base64 form (at each of the three alignments it can
have inside a longer base64 text, e.g. an `Authorization: Basic` header or a JSON blob), its
URL-encoded forms (`%2F` or `%2f`, space as `%20` or `+`), its JSON-escaped forms (`/` as is or
as `\\/`) and its HTML-escaped forms (each of `& < > " '` as a named or a numeric entity, as
Python's html.escape, tornado and Jinja write them), since a value rendered into a page reaches
it escaped. Archives (.tar.gz, .gz, .zip) are searched inside too.
"""

import base64
import gzip
import io
import json
import os
import re
import tarfile
import zipfile
from pathlib import Path
from urllib.parse import quote, quote_plus

# The extension's fixtures (a real Jupyter server, notebooks) live in tests/extension.


def base64_forms(secret):
    """The base64 text that `secret` becomes wherever it starts inside a longer encoded blob."""
    forms = []
    n = len(secret)
    for pad in range(3):
        encoded = base64.b64encode(b"\0" * pad + secret)
        start, end = -(-4 * pad // 3), 4 * (pad + n) // 3  # the characters made of secret bytes only
        forms.append(encoded[start:end])
        forms.append(base64.urlsafe_b64encode(b"\0" * pad + secret)[start:end])
    return forms


# How HTML writers spell the characters they escape, one scheme per writer: Python's html.escape
# (with and without quotes), tornado's xhtml_escape, Jinja's markupsafe, numeric entities.
HTML_SCHEMES = [
    {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#x27;"},
    {"&": "&amp;", "<": "&lt;", ">": "&gt;"},
    {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"},
    {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&#34;", "'": "&#39;"},
    {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;"},
    {c: "&#%d;" % ord(c) for c in "&<>\"'"},
    {c: "&#x%x;" % ord(c) for c in "&<>\"'"},
    {c: "&#x%X;" % ord(c) for c in "&<>\"'"},
]


def html_forms(secret):
    """`secret` as each HTML writer escapes it."""
    return {"".join(scheme.get(c, c) for c in secret) for scheme in HTML_SCHEMES}


def url_forms(secret):
    forms = {quote(secret), quote_plus(secret), quote(secret, safe=""), quote_plus(secret, safe="")}
    return forms | {re.sub(r"%[0-9A-F]{2}", lambda m: m.group(0).lower(), f) for f in forms}


def json_forms(secret):
    forms = {json.dumps(secret)[1:-1], json.dumps(secret, ensure_ascii=False)[1:-1]}
    return forms | {f.replace("/", "\\/") for f in forms}


def forms_of(secret):
    raw = secret.encode("utf-8")
    forms = {raw}
    texts = url_forms(secret) | json_forms(secret) | html_forms(secret)
    for form in json_forms(secret):  # JSON inside a page (a notebook's outputs, a data attribute)
        texts |= html_forms(form)
    for text in texts:
        forms.add(text.encode("utf-8"))
    forms.update(base64_forms(raw))
    return forms


class Secrets:
    """Named secrets and every form of each; `find(blob)` names those a blob holds."""

    def __init__(self, **named):
        self.named = named
        self._forms = {name: forms_of(value) for name, value in named.items()}

    def find(self, blob):
        if isinstance(blob, str):
            blob = blob.encode("utf-8", "surrogateescape")
        return sorted({name for name, forms in self._forms.items() if any(f in blob for f in forms)})


def archive_members(path, data):
    """(name, bytes) of what an archive holds; nothing for other files."""
    name = str(path)
    try:
        if name.endswith((".tar.gz", ".tgz", ".tar")):
            with tarfile.open(fileobj=io.BytesIO(data)) as tar:
                return [(m.name, tar.extractfile(m).read()) for m in tar.getmembers() if m.isfile()]
        if name.endswith(".gz"):
            return [(name[:-3], gzip.decompress(data))]
        if name.endswith((".zip", ".whl")):
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                return [(i.filename, z.read(i)) for i in z.infolist() if not i.is_dir()]
    except (OSError, EOFError, tarfile.TarError, zipfile.BadZipFile):
        return []
    return []


def scan_folder(folder, secrets):
    """{relative path (or path!member): [secret names]} for every file under `folder` holding one."""
    folder = Path(folder)
    hits = {}
    count = 0
    for dirpath, _, filenames in os.walk(folder):
        for filename in filenames:
            path = Path(dirpath, filename)
            if path.is_symlink() or not path.is_file():
                continue
            try:
                data = path.read_bytes()
            except OSError:
                continue
            count += 1
            rel = path.relative_to(folder).as_posix()
            found = secrets.find(data)
            if found:
                hits[rel] = found
            for member, content in archive_members(path, data):
                found = secrets.find(content)
                if found:
                    hits["%s!%s" % (rel, member)] = found
    return hits, count
