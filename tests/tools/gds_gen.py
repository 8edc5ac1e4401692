#!/usr/bin/env python3
"""gds_gen.py: writes a federal exchange package (GIADBSet XML, one file per table) for the
tests, the bench and the demo. Columns come from the vendored XSDs
(tests/fixtures/giadbset/xsd/): every required column is filled (by the schema's type when
the generator has no value for it), in the schema's order; keys the schema does not know
are written after them, as the unknown columns a package may carry.

    gds_gen.py orgs OUT [--region 50] [--municipalities 2] [--schools 2] [--deleted]
                        [--unknown] [--zip] [--name-suffix TEXT]

GUIDs are uuid5 of a fixed namespace and the row's role, so the same arguments give the
same package, and a smaller package's rows are the first rows of a larger one."""
import argparse
import os
import sys
import uuid
import xml.etree.ElementTree as ET
import zipfile
from xml.sax.saxutils import escape

XS = '{http://www.w3.org/2001/XMLSchema}'
NS = 'http://www.rustest.ru/giadbset'
HERE = os.path.dirname(os.path.abspath(__file__))
XSD_DIR = os.path.join(HERE, '..', 'fixtures', 'giadbset', 'xsd')
GNS = uuid.UUID('6b0e3c2a-3d7c-4f0e-9a51-2b7c1d0e9f10')
TS = '2025-01-15T10:00:00.000'


def guid(role):
    return str(uuid.uuid5(GNS, role))


def schema(table):
    """[(column, type, required)] of a table, in the schema's order."""
    root = ET.parse(os.path.join(XSD_DIR, table + '.xsd')).getroot()
    t = root.find('.//' + XS + 'element[@name="%s"]' % table)
    cols = []
    for c in t.findall('./' + XS + 'complexType/' + XS + 'sequence/' + XS + 'element'):
        dt = c.get('{urn:schemas-microsoft-com:xml-msdata}DataType') or ''
        ty = 'guid' if 'System.Guid' in dt else (c.get('type') or 'xs:string')
        if c.find('.//' + XS + 'pattern') is not None:
            ty = 'datetime'
        cols.append((c.get('name'), ty, c.get('minOccurs') != '0'))
    return cols


def default(ty, name):
    if ty == 'guid':
        return guid('default:' + name)
    if ty in ('xs:int', 'xs:short', 'xs:long', 'xs:byte', 'xs:unsignedByte'):
        return '0'
    if ty == 'xs:boolean':
        return 'false'
    if ty in ('xs:dateTime', 'datetime'):
        return TS
    return '-'


def write_table(out, table, rows):
    """Writes OUT/TABLE.xml: rows are dicts column → text (None: the element is left out)."""
    cols = schema(table)
    known = {c[0] for c in cols}
    with open(os.path.join(out, table + '.xml'), 'w', encoding='utf-8') as f:
        f.write('<?xml version="1.0" encoding="utf-8"?>\n<GIADBSet xmlns="%s">\n' % NS)
        for r in rows:
            f.write('  <%s>\n' % table)
            for name, ty, req in cols:
                v = r.get(name, default(ty, name) if req else None)
                if v is not None:
                    f.write('    <%s>%s</%s>\n' % (name, escape(str(v)), name))
            for k, v in r.items():
                if k not in known and v is not None:
                    f.write('    <%s>%s</%s>\n' % (k, escape(str(v)), k))
            f.write('  </%s>\n' % table)
        f.write('</GIADBSet>\n')


def orgs(a):
    region = a.region
    rows = {'rbd_CurrentRegion': [{'ID': guid('region:%d' % region), 'REGION': region,
                                   'Name': 'Тестовая область' + a.name_suffix}],
            'rbd_Areas': [], 'rbd_Governments': [], 'rbd_Schools': []}
    for m in range(1, a.municipalities + 1):
        area = guid('area:%d:%d' % (region, m))
        rows['rbd_Areas'].append({'AreaID': area, 'Region': region, 'AreaCode': m,
                                  'AreaName': 'Район %d' % m + a.name_suffix})
        gov = {'GovernmentID': guid('gov:%d:%d' % (region, m)),
               'RegionID': guid('region:%d' % region), 'REGION': region,
               'GovernmentCode': m, 'GovernmentName': 'Управление образования № %d' % m
               + a.name_suffix, 'DeleteType': 0, 'CreateDate': TS, 'UpdateDate': TS}
        if a.unknown:
            gov['FutureColumn'] = 'значение & <текст>'
        rows['rbd_Governments'].append(gov)
        for s in range(1, a.schools + 1):
            rows['rbd_Schools'].append({
                'SchoolID': guid('school:%d:%d:%d' % (region, m, s)),
                'GovernmentID': gov['GovernmentID'], 'SchoolCode': m * 1000 + s,
                'SchoolName': 'Средняя школа № %d (район %d)' % (s, m) + a.name_suffix,
                'ShortName': 'СОШ № %d' % s, 'AreaFK': area, 'REGION': region,
                'DeleteType': 0, 'CreateDate': TS, 'UpdateDate': TS})
    if a.deleted:
        # a school deleted in the package, and a municipality deleted with its school
        m = a.municipalities + 1
        gov = guid('gov:%d:%d' % (region, m))
        rows['rbd_Governments'].append({
            'GovernmentID': gov, 'RegionID': guid('region:%d' % region), 'REGION': region,
            'GovernmentCode': m, 'GovernmentName': 'Упразднённое управление', 'DeleteType': 1})
        rows['rbd_Schools'].append({
            'SchoolID': guid('school:%d:%d:1' % (region, m)), 'GovernmentID': gov,
            'SchoolCode': m * 1000 + 1, 'SchoolName': 'Закрытая школа', 'DeleteType': 1,
            'AreaFK': guid('area:%d:1' % region), 'REGION': region})
        rows['rbd_Schools'].append({
            'SchoolID': guid('school:%d:1:99' % region),
            'GovernmentID': guid('gov:%d:1' % region), 'SchoolCode': 1099,
            'SchoolName': 'Школа, удалённая в пакете', 'DeleteType': 2,
            'AreaFK': guid('area:%d:1' % region), 'REGION': region})
    return rows


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    sub = p.add_subparsers(dest='cmd', required=True)
    o = sub.add_parser('orgs', help='rbd_CurrentRegion, rbd_Areas, rbd_Governments, rbd_Schools')
    o.add_argument('out')
    o.add_argument('--region', type=int, default=50)
    o.add_argument('--municipalities', type=int, default=2)
    o.add_argument('--schools', type=int, default=2)
    o.add_argument('--deleted', action='store_true')
    o.add_argument('--unknown', action='store_true')
    o.add_argument('--zip', action='store_true', help='OUT is a .zip, not a folder')
    o.add_argument('--name-suffix', default='')
    a = p.parse_args()
    tables = orgs(a)
    folder = a.out + '.d' if a.zip else a.out
    os.makedirs(folder, exist_ok=True)
    for t, rows in tables.items():
        write_table(folder, t, rows)
    if a.zip:
        with zipfile.ZipFile(a.out, 'w', zipfile.ZIP_DEFLATED) as z:
            for t in tables:
                z.write(os.path.join(folder, t + '.xml'), t + '.xml')
    return 0


if __name__ == '__main__':
    sys.exit(main())
