import os

from flask import Flask, request

app = Flask(__name__)


@app.route("/")
def index():
    return "Hello from the sample Flask API (%s)" % os.environ.get("SAMPLE_GREETING", "no greeting")


@app.route("/echo", methods=["GET", "POST", "PUT"])
def echo():
    return {
        "method": request.method,
        "args": request.args.to_dict(),
        "body": request.get_data(as_text=True),
        "script_root": request.script_root,
    }
