import os

from bokeh.io import curdoc
from bokeh.models import Div

curdoc().title = "Hello from the sample Bokeh app"
curdoc().add_root(Div(text="Hello from the sample Bokeh app (%s)" % os.environ.get("SAMPLE_GREETING", "no greeting")))
