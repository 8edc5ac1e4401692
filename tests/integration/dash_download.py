#!/usr/bin/python3
"""dash_download.py URL SELECTOR DIR: in the headless Chromium listening on CHROMIUM_PORT
(DevTools protocol, Debian's python3-websocket), opens URL, waits until the dashboard has
drawn (body[data-ready]), lets downloads go to DIR, clicks the first SELECTOR and waits
for the file; prints its path. Used by t_dashboard for the CSV buttons (the file is made by
the page's script: only a browser can produce it)."""
import json
import os
import sys
import time

import cdp

url, selector, outdir = sys.argv[1:4]
page = cdp.Page(timeout=60)
call, evaluate = page.call, page.evaluate


def wait(cond, what):
    deadline = time.time() + 60
    while time.time() < deadline:
        v = cond()
        if v:
            return v
        time.sleep(0.05)
    raise SystemExit(f"timed out waiting for {what}")


call("Page.enable")
call("Browser.setDownloadBehavior", behavior="allow", downloadPath=outdir)
call("Page.navigate", url=url)
wait(lambda: evaluate("document.body && document.body.getAttribute('data-ready')"), "the page")
before = set(os.listdir(outdir))
if not evaluate(f"(() => {{ const b = document.querySelector({json.dumps(selector)}); if (b) b.click(); return !!b; }})()"):
    raise SystemExit(f"no {selector} on the page")
done = lambda: [f for f in set(os.listdir(outdir)) - before if not f.endswith(".crdownload")]
print(os.path.join(outdir, wait(done, "the download")[0]))
page.close()
