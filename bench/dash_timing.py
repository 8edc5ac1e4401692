#!/usr/bin/python3
"""bench/dash_timing.py URL RUNS: loads URL RUNS times in a headless Chromium driven over
the DevTools protocol (Debian's python3-websocket), each time a fresh navigation with the
cache disabled, waits until the page says it has drawn (body[data-ready], the Performance
mark 'karta-ready') and prints one line per run with Chromium's own timing, in ms from the
navigation's start: responseEnd of the document, DOMContentLoaded, load, the mark (the
tables and the chart drawn), and the longest /api/ fetch. Needs CHROMIUM_PORT: the
--remote-debugging-port of a running headless Chromium."""
import json
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "integration"))
import cdp  # noqa: E402

url, runs = sys.argv[1], int(sys.argv[2])
page = cdp.Page(timeout=120)
call, evaluate = page.call, page.evaluate

call("Page.enable")
call("Network.enable")
call("Network.setCacheDisabled", cacheDisabled=True)
PROBE = """JSON.stringify((() => {
  const n = performance.getEntriesByType('navigation')[0];
  const m = performance.getEntriesByName('karta-ready')[0];
  const api = performance.getEntriesByType('resource').filter(r => r.name.includes('/api/'));
  return {doc: n.responseEnd, dcl: n.domContentLoadedEventEnd, load: n.loadEventEnd,
          ready: m ? m.startTime : null, rows: document.querySelectorAll('tr[data-org]').length,
          api: Math.max(0, ...api.map(r => r.responseEnd - r.startTime))};
})())"""
print("run doc_ms dcl_ms load_ms ready_ms api_max_ms rows")
for i in range(1, runs + 1):
    call("Page.navigate", url="about:blank")
    call("Page.navigate", url=url)
    deadline = time.time() + 60
    while time.time() < deadline:
        if evaluate("document.body && document.body.getAttribute('data-ready')") and \
                evaluate("performance.getEntriesByName('karta-ready').length") :
            break
        time.sleep(0.02)
    else:
        raise SystemExit("the page did not draw within 60 s")
    t = json.loads(evaluate(PROBE))
    print(i, *(round(t[k]) for k in ("doc", "dcl", "load", "ready", "api")), t["rows"], flush=True)
page.close()
