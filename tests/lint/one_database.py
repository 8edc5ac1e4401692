#!/usr/bin/env python3
"""Tests run in parallel, each on its own database of one shared cluster: a look at
pg_stat_activity or pg_locks that does not name the test's database sees — and may end —
another test's backends (CI once lost a run that way: one test's pg_terminate_backend of
every 'kartad' backend killed another's Uploads). Outside tests/integration/locks_lib.sh
(kt_backends, kt_terminate…) every such query in tests/ and bench/ names `datname` within
its next four lines; t_failover.sh runs clusters of its own. Fails naming each offender.
--self-test proves the check fails on a planted offender and passes a good one."""
import os
import re
import sys
import tempfile

EXEMPT = {"tests/integration/locks_lib.sh", "tests/integration/t_failover.sh"}
LOOK = re.compile(r"pg_stat_activity|pg_locks")


def offenders(path):
    lines = open(path, encoding="utf-8").read().split("\n")
    return [f"{path}:{i + 1}" for i, line in enumerate(lines)
            if LOOK.search(line) and not any("datname" in l for l in lines[i:i + 5])]


def tree(src):
    for top in ("tests", "bench"):
        for d, _, names in os.walk(os.path.join(src, top)):
            for n in sorted(names):
                rel = os.path.relpath(os.path.join(d, n), src)
                if n.endswith(".sh") and rel not in EXEMPT:
                    yield rel


def self_test():
    with tempfile.TemporaryDirectory() as t:
        bad, good = os.path.join(t, "bad.sh"), os.path.join(t, "good.sh")
        open(bad, "w").write("kt_psql \"SELECT count(*) FROM pg_stat_activity\n"
                             "\tWHERE application_name = 'kartad'\"\n")
        open(good, "w").write("kt_psql \"SELECT count(*) FROM pg_stat_activity\n"
                              "\tWHERE datname = current_database()\"\n")
        if offenders(bad) != [bad + ":1"] or offenders(good):
            sys.exit("one_database: the self-test's planted offender was not told apart")
    print("one_database: self-test caught the planted offender, passed the good one")


def main():
    args = sys.argv[1:]
    if args and args[0] == "--self-test":
        return self_test()
    src = args[0] if args else os.path.join(os.path.dirname(__file__), "..", "..")
    os.chdir(src)
    bad = [o for f in tree(".") for o in offenders(f)]
    for o in bad:
        print(f"{o}: pg_stat_activity/pg_locks without datname — use kt_backends/kt_terminate "
              "(tests/integration/locks_lib.sh)", file=sys.stderr)
    if bad:
        sys.exit(1)
    print("one_database: every look at the cluster's backends stays in the test's own database")


main()
