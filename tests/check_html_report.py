#!/usr/bin/python3
"""Renders `cradle report --html` pages in headless Chromium and checks them.

Usage: check_html_report.py CRADLE_BINARY WORK_DIR [--screenshot PNG]

Runs a two-scenario set (Xihu baseline and current package, 12 replications,
1 household in 100) into WORK_DIR/report.h5, writes its page in English (万元)
and in Chinese (亿元), and loads each in Debian's `chromium` (headless), driven
through the DevTools protocol over a pipe (standard library only). A page fails
on any console message, uncaught exception, log entry of level warning or error,
failed load, or request for anything but the page itself (it must need no
network); and unless every scenario section holds the charts fan-total-outlay,
outlay-by-payer, budget-share, childcare-places, births-by-order (rendered, with
marks) and the totals and measures tables, the validation table where the
scenario has a record, and every comparison section its comparison-outlay chart;
and unless the page fits a 1200 px window without scrolling sideways.
A deliberately broken page must be caught, so that the check cannot pass by
seeing nothing. With --screenshot, also writes a 1200 x 2400 screenshot of the
English page (output/examples/report.png is one).

Exits 0 when every check passes, 1 with a message otherwise; a missing chromium
is a failure, not a skip (.ci/install-deps installs it).
"""

import base64
import fcntl
import json
import os
import queue
import shutil
import subprocess
import sys
import tempfile
import threading
import time

SCENARIOS = ["scenarios/xihu_baseline.toml", "scenarios/xihu_current.toml"]
SCENARIO_CHARTS = ["fan-total-outlay", "outlay-by-payer", "budget-share", "childcare-places", "births-by-order"]
TIMEOUT = 30


class CheckFailed(Exception):
    pass


def require(condition, message):
    if not condition:
        raise CheckFailed(message)


class Browser:
    """Headless Chromium driven over --remote-debugging-pipe (fd 3: commands in, fd 4: replies out)."""

    def __init__(self, executable, profile_dir, log):
        to_chrome_r, self.to_chrome = os.pipe()
        self.from_chrome, from_chrome_w = os.pipe()
        # Above the descriptors the child gets, so that the dup2s below cannot clobber each other.
        high_r = fcntl.fcntl(to_chrome_r, fcntl.F_DUPFD_CLOEXEC, 10)
        high_w = fcntl.fcntl(from_chrome_w, fcntl.F_DUPFD_CLOEXEC, 10)

        def wire():
            os.dup2(high_r, 3)
            os.dup2(high_w, 4)

        args = [executable, "--headless=new", "--no-sandbox", "--disable-gpu", "--remote-debugging-pipe",
                "--no-first-run", "--no-default-browser-check", "--disable-extensions",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + profile_dir, "about:blank"]
        self.process = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                                        preexec_fn=wire, close_fds=False)
        for fd in (to_chrome_r, from_chrome_w, high_r, high_w):
            os.close(fd)
        self.messages = queue.Queue()
        self.next_id = 0
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        buffer = b""
        while True:
            chunk = os.read(self.from_chrome, 1 << 16)
            if not chunk:
                self.messages.put(None)
                return
            buffer += chunk
            while b"\0" in buffer:
                message, buffer = buffer.split(b"\0", 1)
                self.messages.put(json.loads(message))

    def call(self, method, params=None, session=None, events=None):
        """Sends a command and returns its result; events arriving meanwhile go to `events`."""
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self.to_chrome, json.dumps(message).encode() + b"\0")
        while True:
            reply = self._next()
            if reply.get("id") == self.next_id:
                require("error" not in reply, "%s failed: %s" % (method, reply.get("error")))
                return reply["result"]
            if events is not None and "method" in reply:
                events.append(reply)

    def wait_for(self, method, events):
        while True:
            reply = self._next()
            if "method" in reply:
                events.append(reply)
                if reply["method"] == method:
                    return

    def _next(self):
        try:
            reply = self.messages.get(timeout=TIMEOUT)
        except queue.Empty:
            raise CheckFailed("chromium did not answer within %d s" % TIMEOUT)
        require(reply is not None, "chromium closed the DevTools pipe")
        return reply

    def close(self):
        try:
            self.call("Browser.close")
        except (CheckFailed, OSError):
            pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


PAGE_FACTS = """JSON.stringify({
  lang: document.documentElement.lang,
  overflow: document.documentElement.scrollWidth - window.innerWidth,
  text: document.body.innerText,
  sections: [...document.querySelectorAll('section')].map(s => ({
    kind: s.className, id: s.dataset.scenario || (s.dataset.reform + ' - ' + s.dataset.baseline),
    tables: [...s.querySelectorAll('table')].map(t => t.className),
    charts: [...s.querySelectorAll('svg.chart')].map(c => {
      const box = c.getBoundingClientRect();
      return {kind: c.classList[1], id: c.id, shown: box.width > 100 && box.height > 100,
              marks: c.querySelectorAll('.marks > *, rect.bar').length};
    })
  }))
})"""


def load(browser, url, width=1200, height=2400):
    """Opens `url` in a new tab; returns (problems, facts, tab session)."""
    target = browser.call("Target.createTarget", {"url": "about:blank"})["targetId"]
    session = browser.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
    events = []
    for domain in ("Runtime", "Log", "Network", "Page"):
        browser.call(domain + ".enable", session=session, events=events)
    browser.call("Emulation.setDeviceMetricsOverride",
                 {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
                 session=session, events=events)
    events.clear()  # what about:blank did is not the page's
    browser.call("Page.navigate", {"url": url}, session=session, events=events)
    browser.wait_for("Page.loadEventFired", events)
    time.sleep(0.3)  # let anything that fires after load arrive
    facts = json.loads(browser.call("Runtime.evaluate", {"expression": PAGE_FACTS, "returnByValue": True},
                                    session=session, events=events)["result"]["value"])
    return problems_in(events, url), facts, session


def problems_in(events, url):
    problems = []
    for e in events:
        method, p = e["method"], e.get("params", {})
        if method == "Runtime.exceptionThrown":
            problems.append("exception: " + p["exceptionDetails"].get("text", "") + " " +
                            json.dumps(p["exceptionDetails"].get("exception", {}).get("description", "")))
        elif method == "Runtime.consoleAPICalled":
            problems.append("console.%s: %s" % (p["type"], [a.get("value", a.get("description")) for a in p["args"]]))
        elif method == "Log.entryAdded" and p["entry"]["level"] in ("warning", "error"):
            problems.append("log %s: %s %s" % (p["entry"]["level"], p["entry"]["text"], p["entry"].get("url", "")))
        elif method == "Network.loadingFailed":
            problems.append("failed load: %s %s" % (p.get("errorText"), p.get("requestId")))
        elif method == "Network.requestWillBeSent" and p["request"]["url"] != url:
            problems.append("request beyond the page: " + p["request"]["url"])
    return problems


def check_page(facts, results_have_validation, lang, chinese_word):
    require(facts["lang"] == lang, "<html lang> is %r, expected %r" % (facts["lang"], lang))
    require(facts["overflow"] <= 0, "the page is %d px wider than the window" % facts["overflow"])
    require(chinese_word is None or chinese_word in facts["text"], "the page does not say %r" % chinese_word)
    scenarios = [s for s in facts["sections"] if s["kind"] == "scenario"]
    comparisons = [s for s in facts["sections"] if s["kind"] == "comparison"]
    require(len(scenarios) == len(SCENARIOS), "%d scenario sections, expected %d" % (len(scenarios), len(SCENARIOS)))
    require(len(comparisons) >= 1, "no comparison section")
    for s in scenarios:
        kinds = {c["kind"]: c for c in s["charts"]}
        for kind in SCENARIO_CHARTS:
            require(kind in kinds, "scenario %s has no %s chart" % (s["id"], kind))
            require(kinds[kind]["shown"], "the %s chart of %s is not rendered" % (kind, s["id"]))
            require(kinds[kind]["marks"] > 0, "the %s chart of %s is empty" % (kind, s["id"]))
        for table in ["totals", "measures"] + (["validation"] if results_have_validation else []):
            require(table in s["tables"], "scenario %s has no %s table" % (s["id"], table))
    for c in comparisons:
        outlay = [x for x in c["charts"] if x["kind"] == "comparison-outlay"]
        require(outlay and outlay[0]["shown"] and outlay[0]["marks"] > 0,
                "comparison %s has no rendered comparison-outlay chart" % c["id"])
        require("totals" in c["tables"], "comparison %s has no totals table" % c["id"])


BROKEN_PAGE = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>broken</title></head>
<body><img src="missing.png" alt=""><script>undefined_function();</script></body></html>"""


def run(command):
    result = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    require(result.returncode == 0, "%s exited %d:\n%s" % (" ".join(command), result.returncode, result.stdout))
    return result.stdout


def main(argv):
    screenshot = None
    if "--screenshot" in argv:
        at = argv.index("--screenshot")
        screenshot = argv[at + 1]
        del argv[at:at + 2]
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 1
    cradle, work = argv[1], os.path.abspath(argv[2])
    chromium = os.environ.get("CRADLE_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    require(chromium, "chromium is not installed (Debian's chromium: bash .ci/install-deps)")
    os.makedirs(work, exist_ok=True)
    results = os.path.join(work, "report.h5")
    if os.path.exists(results):
        os.remove(results)
    run([cradle, "run", *SCENARIOS, "-r", "12", "--sample", "1/100", "--seed", "11", "-o", results])
    pages = {"en": os.path.join(work, "report_en.html"), "zh": os.path.join(work, "report_zh.html")}
    run([cradle, "report", results, "--html", pages["en"]])
    run([cradle, "report", results, "--html", pages["zh"], "--lang", "zh", "--unit", "yi"])
    for page in pages.values():
        text = open(page, encoding="utf-8").read()
        for reference in ("<script", "<link", "src=", "url(", "@import", "http://", "https://"):
            if reference == "http://" and text.count(reference) == text.count('xmlns="http://www.w3.org/2000/svg"'):
                continue
            require(reference not in text, "%s refers to something outside it: %r" % (page, reference))
    broken = os.path.join(work, "broken.html")
    with open(broken, "w", encoding="utf-8") as f:
        f.write(BROKEN_PAGE)
    has_validation = "observations of the record" in run([cradle, "report", results])

    with tempfile.TemporaryDirectory() as profile, open(os.path.join(work, "chromium.log"), "w") as log:
        browser = Browser(chromium, profile, log)
        try:
            problems, _, _ = load(browser, "file://" + broken)
            require(any("exception" in p for p in problems) and any("missing.png" in p or "failed" in p for p in problems),
                    "the console check missed a script error or a missing image on a broken page: %s" % problems)
            for lang, word in (("en", None), ("zh", "年度总支出")):
                url = "file://" + pages[lang]
                problems, facts, session = load(browser, url)
                require(not problems, "%s: %s" % (pages[lang], "\n  ".join(problems)))
                check_page(facts, has_validation, "zh-CN" if lang == "zh" else "en", word)
                if screenshot and lang == "en":
                    shot = browser.call("Page.captureScreenshot", {"format": "png"}, session=session)
                    with open(screenshot, "wb") as f:
                        f.write(base64.b64decode(shot["data"]))
        finally:
            browser.close()
    print("html report: both pages render in chromium with no console message, every chart present")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv))
    except CheckFailed as failure:
        print("check_html_report: " + str(failure), file=sys.stderr)
        sys.exit(1)
