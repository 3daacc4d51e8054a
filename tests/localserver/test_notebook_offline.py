"""A rendered notebook needs nothing but this server: require.js and MathJax come from
/__assets__/ (localconnect/assets.py), not a CDN. Checked in Chromium with every request to an
address other than 127.0.0.1 refused, as for a viewer without internet.
"""

import nbformat
import pytest

from tests.localserver.localserver_helpers import PY_VERSION, manifest, tar_bytes
from tests.localserver.signin_helpers import set_access

pytestmark = [pytest.mark.browser, pytest.mark.slow]

REQUIRE_CELL = """from IPython.display import HTML, display
display(HTML('<div id="required">waiting</div><script>'
             'require([], function () { document.getElementById("required").textContent = "require works"; });'
             '</script>'))"""


def math_notebook():
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_markdown_cell("Energy: $E = mc^2$"), nbformat.v4.new_code_cell(REQUIRE_CELL)]
    files = {"report.ipynb": nbformat.writes(nb), "requirements.txt": ""}
    extra = {
        "python": {
            "version": PY_VERSION,
            "package_manager": {"name": "pip", "version": "23.0", "package_file": "requirements.txt"},
        },
        "metadata": {"entrypoint": "report.ipynb"},
    }
    return tar_bytes({**files, "manifest.json": manifest("jupyter-static", files, **extra)})


def test_a_rendered_notebook_loads_require_and_mathjax_from_the_server(publisher, local_server, browser):
    item = publisher.create("offline-notebook")
    task, lines = publisher.publish(item["guid"], math_notebook())
    assert task["code"] == 0, "\n".join(lines)
    set_access(local_server, item["guid"], "all", publisher.key)
    html = publisher.get(item["content_url"]).text
    assert 'src="/__assets__/requirejs/require.js"' in html and "/__assets__/mathjax/MathJax.js" in html

    context = browser.new_context()
    refused = []

    def only_this_machine(route):
        if route.request.url.startswith(("http://127.0.0.1:", "data:", "blob:")):
            route.continue_()
        else:
            refused.append(route.request.url)
            route.abort()

    context.route("**/*", only_this_machine)
    try:
        page = context.new_page()
        page.goto(item["content_url"])
        page.wait_for_function("document.getElementById('required').textContent === 'require works'", timeout=60000)
        # MathJax typeset the formula: its own markup replaced the TeX source
        page.wait_for_selector(".MathJax, .MathJax_CHTML, .MathJax_Display", state="attached", timeout=60000)
        assert "E = mc^2" not in page.inner_text("body")
        assert refused == [], refused
    finally:
        context.close()
