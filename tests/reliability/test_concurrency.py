"""Several `rsconnect` processes at once on the same files: nothing is corrupted or lost.

Records and saved servers are rewritten under an exclusive lock by an atomic replace, so a reader
sees the old file or the new one, and concurrent writers each keep the others' changes.
"""

import json
import os
import stat
import subprocess
import threading


def finish(processes):
    results = []
    for process in processes:
        out, err = process.communicate(timeout=600)
        results.append((process.returncode, out, err))
    return results


class Watcher(threading.Thread):
    """Reads a JSON file over and over while others write it; keeps what did not parse, and counts
    the reads made while a writer was still running (`writing()`), the only ones that prove anything."""

    def __init__(self, path, writing=lambda: True):
        super().__init__(daemon=True)
        self.path = path
        self.writing = writing
        self.reads = 0
        self.reads_while_writing = 0
        self.broken = []
        self.stop = threading.Event()

    def run(self):
        while not self.stop.is_set():
            busy = self.writing()  # before the read: a writer ran while this read was made
            try:
                text = self.path.read_text()
            except FileNotFoundError:
                continue
            self.reads += 1
            self.reads_while_writing += busy
            try:
                json.loads(text)
            except ValueError:
                self.broken.append(text)

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.join()


def test_two_publishes_of_the_same_notebook_at_once(cli, local_server, notebook):
    target = ["-s", local_server.url, "-k", local_server.api_key]
    record_path = notebook.parent / "rsconnect-python" / "hello.json"
    for round_ in ("first publish", "updates"):  # without a record (both create), then with one (both update)
        processes = [cli.start("deploy", "notebook", "--static", "-q", *target, notebook) for _ in range(2)]
        with Watcher(record_path, writing=lambda ps=processes: any(p.poll() is None for p in ps)) as watcher:
            results = finish(processes)
        for code, _out, err in results:
            assert code == 0, (round_, err)
            assert "Traceback" not in err
        # The record was read while a publish still ran (in the first round, once the first had written
        # it), and every read parsed.
        assert watcher.broken == [] and watcher.reads_while_writing > 0, (round_, watcher.reads)
        records = json.loads(record_path.read_text())
        assert list(records) == [local_server.url], round_
        guid = records[local_server.url]["app_guid"]
        urls = {out.strip() for _, out, _ in results}
        assert records[local_server.url]["app_url"] in urls  # the record is one of the two publishes
        item = local_server.api("GET", "v1/content/" + guid)
        assert item.status_code == 200 and item.json()["title"] == "hello"
        assert local_server.api("GET", "v1/content/%s/bundles" % guid).json()  # it exists and holds a bundle
    assert sorted(p.name for p in record_path.parent.iterdir()) == ["hello.json"]  # no temporary files left


def test_cli_processes_adding_and_removing_servers_at_once(cli, local_server, workers=4):
    cli.ok("add", "-n", "kept", "-s", local_server.url, "-k", local_server.api_key)
    # Each worker adds three servers and removes its first one, in sequence; the workers run at once.
    scripts = []
    for w in range(workers):
        steps = ["add -n w%d-%d -s %s -k %s" % (w, i, local_server.url, local_server.api_key) for i in range(3)]
        steps.append("remove -n w%d-0" % w)
        scripts.append(" && ".join("%s %s" % (" ".join(cli.command()), step) for step in steps))
    processes = [
        subprocess.Popen(["sh", "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=cli.env())
        for script in scripts
    ]
    with Watcher(cli.servers_json, writing=lambda ps=processes: any(p.poll() is None for p in ps)) as watcher:
        results = finish(processes)
    for code, _out, err in results:
        assert code == 0, err
    assert watcher.broken == [] and watcher.reads_while_writing > 0, watcher.reads
    servers = json.loads(cli.servers_json.read_text())
    expected = {"kept"} | {"w%d-%d" % (w, i) for w in range(workers) for i in (1, 2)}
    assert set(servers) == expected
    assert all(servers[name]["api_key"] == local_server.api_key for name in expected)
    assert stat.S_IMODE(os.stat(cli.servers_json).st_mode) == 0o600
    assert sorted(p.name for p in cli.servers_json.parent.iterdir()) == ["servers.json"]
    listed = cli.ok("list").stdout
    assert local_server.api_key not in listed and all(name in listed for name in expected)
