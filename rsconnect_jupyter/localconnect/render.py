"""Run a notebook and write it as HTML: `python -m rsconnect_jupyter.localconnect.render ...`.

The deploy runner starts this in a subprocess of the server's own Python (which has nbconvert),
with the content's environment variables in its environment. The kernel is started from the
content's virtual environment through a kernelspec written into a temporary folder, so the
notebook's code sees that environment's packages and the variables, and the server's process
stays out of it. Progress goes to stdout, which the runner streams into the task log. When the
server dies (stdin closes) the kernel is killed too.
"""
import argparse
import json
import os
import re
import signal
import sys
import tempfile
import threading

ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
KERNEL_NAME = "localconnect-content"


def write_kernelspec(folder, python):
    spec_dir = os.path.join(folder, "kernels", KERNEL_NAME)
    os.makedirs(spec_dir)
    with open(os.path.join(spec_dir, "kernel.json"), "w") as f:
        json.dump({"argv": [python, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                   "display_name": "Content environment", "language": "python"}, f)


def watch_parent(get_km):
    """Kill the kernel and exit when the server (our stdin's writer) goes away."""
    def watch():
        try:
            while sys.stdin.buffer.read(1024):
                pass
        except Exception:
            pass
        km = get_km()
        try:
            if km is not None and getattr(km, "provisioner", None) is not None and km.provisioner.pgid:
                os.killpg(km.provisioner.pgid, signal.SIGKILL)
        except Exception:
            pass
        os._exit(3)
    threading.Thread(target=watch, daemon=True).start()


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument("--notebook", required=True)
    parser.add_argument("--output", required=True)
    parser.add_argument("--python", required=True, help="the content environment's python")
    parser.add_argument("--hide-all-input", action="store_true")
    parser.add_argument("--hide-tagged-input", action="store_true")
    parser.add_argument("--timeout", type=int, default=600)
    args = parser.parse_args(argv)

    # jsonschema (under nbformat) imports rfc3987_syntax when present, which builds a parser
    # grammar at import: 1 to 4 s per render, for an "iri" format check notebooks never use.
    # jsonschema skips that check when the import fails, so make it fail.
    sys.modules.setdefault("rfc3987_syntax", None)
    import nbformat
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import CellExecutionError, ExecutePreprocessor
    from traitlets.config import Config

    with tempfile.TemporaryDirectory(prefix="localconnect-kernel-") as spec_root:
        write_kernelspec(spec_root, args.python)
        os.environ["JUPYTER_PATH"] = spec_root + os.pathsep + os.environ.get("JUPYTER_PATH", "")
        nb = nbformat.read(args.notebook, as_version=4)
        executor = ExecutePreprocessor(timeout=args.timeout, kernel_name=KERNEL_NAME)
        watch_parent(lambda: getattr(executor, "km", None))
        print("Running the notebook %s (%d cells)." % (os.path.basename(args.notebook), len(nb.cells)), flush=True)
        try:
            executor.preprocess(nb, {"metadata": {"path": os.path.dirname(os.path.abspath(args.notebook))}})
        except CellExecutionError as e:
            print("The notebook failed in a cell:", flush=True)
            for line in ANSI.sub("", str(e)).splitlines():
                print(line, flush=True)
            return 1
        except Exception as e:  # kernel died, timeout, ...
            print("The notebook could not be run: %s" % ANSI.sub("", str(e)), flush=True)
            return 1

        config = Config()
        config.HTMLExporter.exclude_input = bool(args.hide_all_input)
        config.HTMLExporter.exclude_input_prompt = bool(args.hide_all_input)
        if args.hide_tagged_input:
            config.TagRemovePreprocessor.enabled = True
            config.TagRemovePreprocessor.remove_input_tags = ("hide_input",)
        html, _ = HTMLExporter(config=config).from_notebook_node(nb)
        tmp = args.output + ".tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(html)
        os.replace(tmp, args.output)
        print("The notebook ran; its HTML is written.", flush=True)
        return 0


if __name__ == "__main__":
    status = main()
    sys.stdout.flush()
    # os._exit: the stdin watcher thread is blocked in a read that would stall interpreter shutdown.
    os._exit(status)
