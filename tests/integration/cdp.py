"""cdp.py: the DevTools-protocol client of the dashboard scripts (t_dashboard's
dash_download.py, bench/dash_timing.py): the first page of the headless Chromium listening
on CHROMIUM_PORT, over Debian's python3-websocket. call() sends one command and returns its
result (a protocol error ends the script, naming the method); evaluate() returns the value
of a JavaScript expression in the page."""
import json
import os
import urllib.request

import websocket


class Page:
    def __init__(self, timeout):
        port = os.environ["CHROMIUM_PORT"]
        pages = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list"))
        page = next(p for p in pages if p.get("type") == "page")
        self.ws = websocket.create_connection(page["webSocketDebuggerUrl"],
                                              suppress_origin=True, timeout=timeout)
        self.seq = 0

    def call(self, method, **params):
        self.seq += 1
        self.ws.send(json.dumps({"id": self.seq, "method": method, "params": params}))
        while True:
            m = json.loads(self.ws.recv())
            if m.get("id") == self.seq:
                if "error" in m:
                    raise SystemExit(f"{method}: {m['error']}")
                return m.get("result", {})

    def evaluate(self, expr):
        r = self.call("Runtime.evaluate", expression=expr, returnByValue=True)
        return r.get("result", {}).get("value")

    def close(self):
        self.ws.close()
