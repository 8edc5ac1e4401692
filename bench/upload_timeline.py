#!/usr/bin/env python3
"""bench/upload_timeline.py CLIENT_STDERR KARTAD_LOG: the Uploads of one import, lined up.

The client's lines (KARTA_UPLOAD_TIMING=1: event=op_written per op the reader wrote,
event=upload_timing per Upload) and kartad's (--log-level debug: event=upload_timeline per
Upload, in the order they were answered on the connection) are matched in order; prints a
Markdown summary of where the Uploads phase went: while the database applied an Upload,
and in the gaps between one Upload's database call and the next — split into the next
Upload not yet received by kartad (the client had not sent it: the reader had not written
its ops, or the sender waited) and kartad's own time (its turn, building its call).
Used by bench/giadbset.sh (KT_GDS_TIMELINE=1); docs/performance.md, "Keeping the server
busy"."""
import re
import sys


def fields(line):
    return dict(re.findall(r'(\w+)=("[^"]*"|\S+)', line))


def main(client_err, kartad_log):
    written, client = [], []
    for line in open(client_err, errors='replace'):
        if 'event=op_written' in line:
            written.append(float(fields(line)['unix_ms']))
        elif 'event=upload_timing' in line:
            f = fields(line)
            client.append({k: float(f[k]) for k in ('ops', 'bytes', 'sent_unix_ms', 'answered_ms',
                                                    'recorded_ms')})
    conns = {}
    for line in open(kartad_log, errors='replace'):
        if 'event=upload_timeline' in line:
            f = fields(line)
            conns.setdefault(f.get('conn'), []).append(
                {k: float(v) for k, v in f.items() if k.endswith('_ms') or k in ('ops', 'bytes')})
    server = max(conns.values(), key=len) if conns else []
    n = min(len(client), len(server))
    if n == 0:
        print('no Upload timeline found (KARTA_UPLOAD_TIMING, kartad --log-level debug)')
        return
    ups = []
    op = 0
    for c, s in zip(client[:n], server[:n]):
        r = s['recv_unix_ms']
        last = written[min(op + int(c['ops']), len(written)) - 1] if written else c['sent_unix_ms']
        op += int(c['ops'])
        ups.append({
            'ops': int(c['ops']), 'mb': c['bytes'] / 1048576,
            'written': last, 'sent': c['sent_unix_ms'], 'recv': r,
            'built': r + s['built_ms'], 'turn': r + s['turn_ms'],
            'db0': r + s['db_sent_ms'], 'db1': r + s['db_done_ms'], 'replied': r + s['replied_ms'],
            'answered': c['sent_unix_ms'] + c['answered_ms'],
            'recorded': c['sent_unix_ms'] + c['recorded_ms'], 'json': s['json_ms'],
        })
    span = ups[-1]['db1'] - ups[0]['db0']
    db = sum(u['db1'] - u['db0'] for u in ups)
    gap_unsent = gap_kartad = 0.0
    for a, b in zip(ups, ups[1:]):
        gap = b['db0'] - a['db1']
        if gap <= 0:
            continue
        # the part of the gap before the next Upload arrived: the client's; the rest kartad's
        unsent = min(gap, max(0.0, b['recv'] - a['db1']))
        gap_unsent += unsent
        gap_kartad += gap - unsent
    avg = lambda k0, k1: sum(u[k1] - u[k0] for u in ups) / n
    print('| the Uploads phase (first database call to the last one answered) | ms |')
    print('|---|---|')
    print('| span | %.0f |' % span)
    print('| the database applying an Upload (karta_upload calls) | %.0f |' % db)
    print('| gaps: the next Upload not yet at kartad (not sent by the client yet) | %.0f |'
          % gap_unsent)
    print('| gaps: the next Upload at kartad, its call not sent yet | %.0f |' % gap_kartad)
    print()
    print('Per Upload, on average (%d Uploads, %.1f ops, %.2f MiB each): its last op written → sent'
          ' %.0f ms, sent → received (decoded) by kartad %.0f, its ops built %.0f, its call built'
          ' (JSON) %.0f, received → its turn %.0f, turn → call sent %.0f, the call %.0f,'
          ' answered → at the client %.0f, its results recorded %.0f.'
          % (n, sum(u['ops'] for u in ups) / n, sum(u['mb'] for u in ups) / n,
             avg('written', 'sent'), avg('sent', 'recv'), avg('recv', 'built'),
             sum(u['json'] for u in ups) / n, avg('recv', 'turn'), avg('turn', 'db0'),
             avg('db0', 'db1'), avg('replied', 'answered'), avg('answered', 'recorded')))


if __name__ == '__main__':
    main(*sys.argv[1:3])
