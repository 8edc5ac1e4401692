#!/usr/bin/python3
"""xlsx_compare: reads a workbook karta wrote (openpyxl) and compares one sheet with the
--format json output of the same command, cell by cell and type by type.

usage: xlsx_compare.py FILE.xlsx SHEET JSON [--json-path KEY] [--rows-equal]
                        COLUMN=KEY:TYPE ...
  COLUMN  the sheet's header text; KEY the JSON key (a/b: 100*a/b, a percentage);
  TYPE    s text, n number, d date (dd.mm.yyyy), p percentage (0.0%), b да/нет.
Also checked for the sheet: the header row frozen (A2) and bold, each column as wide as its
longest text in characters (not bytes), capped at 60. Prints "ok: ..." or exits 1."""
import datetime
import json
import sys

import openpyxl


def fail(msg):
    print("xlsx_compare: " + msg, file=sys.stderr)
    sys.exit(1)


def json_date(v):
    """'2024-05-20', '20.05.2024', '2024-05-20 14:30[:ss][+zz]' -> (date, 'HH:MM' or None)."""
    if v in (None, ""):
        return None
    s = str(v)
    if len(s) >= 10 and s[2] == "." and s[5] == ".":
        d = datetime.date(int(s[6:10]), int(s[3:5]), int(s[0:2]))
    else:
        d = datetime.date(int(s[0:4]), int(s[5:7]), int(s[8:10]))
    return d, (s[11:16] if len(s) >= 16 else None)


def main():
    args = sys.argv[1:]
    path, sheet, jpath = args[0], args[1], args[2]
    rest = args[3:]
    jkey = None
    if rest and rest[0] == "--json-path":
        jkey, rest = rest[1], rest[2:]
    with open(jpath, encoding="utf-8") as f:
        data = json.load(f)
    if jkey:
        data = data[jkey]
    wb = openpyxl.load_workbook(path)
    if sheet not in wb.sheetnames:
        fail(f"no sheet {sheet!r} in {path}: {wb.sheetnames}")
    ws = wb[sheet]
    if ws.freeze_panes != "A2":
        fail(f"{sheet}: the header is not frozen (freeze_panes {ws.freeze_panes})")
    header = [c.value for c in ws[1]]
    for c in ws[1]:
        if not c.font.b:
            fail(f"{sheet}: header {c.value!r} is not bold")
    rows = list(ws.iter_rows(min_row=2))
    if len(rows) != len(data):
        fail(f"{sheet}: {len(rows)} rows, the JSON has {len(data)}")
    checked = 0
    for spec in rest:
        col, _, kt = spec.rpartition("=")[0], None, spec.rpartition("=")[2]
        key, typ = kt.rsplit(":", 1)
        if col not in header:
            fail(f"{sheet}: no column {col!r} in {header}")
        ci = header.index(col)
        for i, row in enumerate(rows):
            cell, obj = row[ci], data[i]
            where = f"{sheet}!{cell.coordinate} ({col})"
            if "/" in key:
                a, b = key.split("/")
                na, nb = float(obj[a] or 0), float(obj[b] or 0)
                want = 100 * na / nb if nb else None
            else:
                if key not in obj:
                    fail(f"the JSON has no key {key!r}: {sorted(obj)}")
                want = obj[key]
            v = cell.value
            if typ == "s":
                if (v if v is not None else "") != (want if want is not None else ""):
                    fail(f"{where}: {v!r}, JSON {want!r}")
                if v is not None and cell.data_type != "s":
                    fail(f"{where}: text expected, cell type {cell.data_type}")
            elif typ in ("n", "p") and want in (None, ""):  # an empty number or percentage
                if v is not None:
                    fail(f"{where}: {v!r} where " +
                         ("the JSON has nothing" if typ == "n" else "there is no percentage"))
                continue
            elif typ == "n":
                if isinstance(v, bool) or not isinstance(v, (int, float)):
                    fail(f"{where}: not a number: {v!r} ({cell.data_type})")
                if abs(v - float(want)) > 1e-9:
                    fail(f"{where}: {v!r}, JSON {want!r}")
            elif typ == "p":
                if not isinstance(v, (int, float)) or cell.number_format != "0.0%":
                    fail(f"{where}: not a percentage: {v!r} as {cell.number_format!r}")
                if abs(v * 100 - float(want)) > 0.051:
                    fail(f"{where}: {v * 100:.2f} %, expected {float(want):.2f} %")
            elif typ == "d":
                w = json_date(want)
                if w is None:
                    if v is not None:
                        fail(f"{where}: {v!r} where the JSON has no date")
                    continue
                if not cell.is_date or not isinstance(v, datetime.datetime):
                    fail(f"{where}: not a date: {v!r} ({cell.data_type}, {cell.number_format})")
                if not cell.number_format.startswith("dd.mm.yyyy"):
                    fail(f"{where}: date format {cell.number_format!r}")
                if v.date() != w[0] or (w[1] and v.strftime("%H:%M") != w[1]):
                    fail(f"{where}: {v}, JSON {want!r}")
            elif typ == "b":
                if v != ("да" if want in (True, "t", "true", "yes") else "нет"):
                    fail(f"{where}: {v!r}, JSON {want!r}")
            else:
                fail(f"unknown type {typ!r}")
            checked += 1
    # widths: characters, not bytes
    for ci, name in enumerate(header):
        letter = openpyxl.utils.get_column_letter(ci + 1)
        width = ws.column_dimensions[letter].width
        cells = [str(r[ci].value) for r in rows
                 if r[ci].data_type == "s" and r[ci].value is not None]
        texts = [str(name)] + cells
        longest = max(max(len(line) for line in t.split("\n")) for t in texts)
        hl = len(str(name))
        low = max(min(longest, 58), min(hl + (hl + 4) // 5, 58))
        if width < low or (cells and width > low + 4):
            fail(f"{sheet}: column {name!r} is {width} wide for text of {longest} characters")
    print(f"ok: {sheet}: {len(rows)} rows, {checked} cells compared")


main()
