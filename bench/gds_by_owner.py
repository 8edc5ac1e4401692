#!/usr/bin/env python3
"""bench/gds_by_owner.py SRC DST: a copy of a generated federal package (tests/tools/gds_gen.py)
whose participants are ordered by their school and their registrations by their participant's
school (stable), every other file as it is — how much an op of rows naming few owners costs
the server less than one naming ~1,000 (bench/gds_client_ab.sh, KT_AB_BY_OWNER=1)."""
import os
import re
import shutil
import sys

src, dst = sys.argv[1], sys.argv[2]
os.makedirs(dst, exist_ok=True)
ROW = re.compile(r'  <(rbd_\w+)>\n.*?\n  </\1>\n', re.S)


def rows(name):
    text = open(os.path.join(src, name), encoding='utf-8').read()
    first = ROW.search(text)
    head = text[:first.start()] if first else text
    tail = text[text.rindex('</GIADBSet>'):]
    return head, [m.group(0) for m in ROW.finditer(text)], tail


def val(row, k):
    m = re.search(r'<%s>([^<]*)</%s>' % (k, k), row)
    return m.group(1) if m else ''


school = {}
for f in sorted(os.listdir(src)):
    if f == 'rbd_Participants.xml':
        head, rs, tail = rows(f)
        for r in rs:
            school[val(r, 'ParticipantID')] = val(r, 'SchoolRegistration')
        rs.sort(key=lambda r: val(r, 'SchoolRegistration'))
    elif f == 'rbd_ParticipantsExams.xml':
        continue
    else:
        shutil.copy(os.path.join(src, f), os.path.join(dst, f))
        continue
    open(os.path.join(dst, f), 'w', encoding='utf-8').write(head + ''.join(rs) + tail)
f = 'rbd_ParticipantsExams.xml'
if os.path.exists(os.path.join(src, f)):
    head, rs, tail = rows(f)
    rs.sort(key=lambda r: school.get(val(r, 'ParticipantID'), ''))
    open(os.path.join(dst, f), 'w', encoding='utf-8').write(head + ''.join(rs) + tail)
