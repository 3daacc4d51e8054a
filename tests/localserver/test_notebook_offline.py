"""A rendered notebook needs nothing but this server: require.js, MathJax and ipywidgets' embed script
(for a notebook saved with widget state) come from /__assets__/ (localconnect/assets.py), not a CDN.
Checked in Chromium with every request to an address other than 127.0.0.1 refused, as for a viewer
without internet.
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

# A notebook saved with ipywidgets 8 state, as JupyterLab saves it: an IntSlider with its layout and
# style models. The cell shows the slider's view as ipywidgets' display does, so the kernel needs no
# ipywidgets; nbclient keeps the saved state (no widget is made while the notebook runs).
SLIDER, LAYOUT, STYLE = (
    "5f3c0e6a1b2d4c8e9f7a6b5c4d3e2f10",
    "5f3c0e6a1b2d4c8e9f7a6b5c4d3e2f11",
    "5f3c0e6a1b2d4c8e9f7a6b5c4d3e2f12",
)
WIDGET_STATE = {
    "state": {
        LAYOUT: {
            "model_module": "@jupyter-widgets/base",
            "model_module_version": "2.0.0",
            "model_name": "LayoutModel",
            "state": {},
        },
        STYLE: {
            "model_module": "@jupyter-widgets/controls",
            "model_module_version": "2.0.0",
            "model_name": "SliderStyleModel",
            "state": {"description_width": ""},
        },
        SLIDER: {
            "model_module": "@jupyter-widgets/controls",
            "model_module_version": "2.0.0",
            "model_name": "IntSliderModel",
            "state": {
                "description": "Offline level",
                "layout": "IPY_MODEL_" + LAYOUT,
                "max": 10,
                "style": "IPY_MODEL_" + STYLE,
                "value": 7,
            },
        },
    },
    "version_major": 2,
    "version_minor": 0,
}
WIDGET_CELL = (
    """from IPython.display import display
display({"application/vnd.jupyter.widget-view+json": {"model_id": "%s", "version_major": 2, "version_minor": 0},
         "text/plain": "IntSlider(value=7)"}, raw=True)"""
    % SLIDER
)


def offline_notebook():
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": WIDGET_STATE}
    nb.cells = [
        nbformat.v4.new_markdown_cell("Energy: $E = mc^2$"),
        nbformat.v4.new_code_cell(REQUIRE_CELL),
        nbformat.v4.new_code_cell(WIDGET_CELL),
    ]
    files = {"report.ipynb": nbformat.writes(nb), "requirements.txt": ""}
    extra = {
        "python": {
            "version": PY_VERSION,
            "package_manager": {"name": "pip", "version": "23.0", "package_file": "requirements.txt"},
        },
        "metadata": {"entrypoint": "report.ipynb"},
    }
    return tar_bytes({**files, "manifest.json": manifest("jupyter-static", files, **extra)})


def test_a_rendered_notebook_loads_require_mathjax_and_widgets_from_the_server(publisher, local_server, browser):
    item = publisher.create("offline-notebook")
    task, lines = publisher.publish(item["guid"], offline_notebook())
    assert task["code"] == 0, "\n".join(lines)
    set_access(local_server, item["guid"], "all", publisher.key)
    html = publisher.get(item["content_url"]).text
    assert 'src="/__assets__/requirejs/require.js"' in html and "/__assets__/mathjax/MathJax.js" in html
    # nbconvert's widget loader names this server's copy, and no CDN (its default is unpkg)
    loader = [line.strip() for line in html.splitlines() if "widgetRendererSrc =" in line]
    assert loader and all(line.endswith("= '/__assets__/widgets/embed-amd.js';") for line in loader), loader
    assert "@jupyter-widgets/html-manager@" not in html and "unpkg.com" not in html
    assert SLIDER in html and "application/vnd.jupyter.widget-state+json" in html

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
        # embed-amd.js rendered the saved slider: ipywidgets' slider markup, with the saved value
        page.wait_for_selector(".widget-hslider .noUi-handle", timeout=60000)
        slider = page.locator(".widget-hslider")
        assert "Offline level" in slider.inner_text()
        assert page.locator(".widget-hslider .widget-readout").inner_text().strip() == "7"
        assert refused == [], refused
    finally:
        context.close()
