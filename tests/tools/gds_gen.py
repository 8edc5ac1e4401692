#!/usr/bin/env python3
"""gds_gen.py: writes a federal exchange package (GIADBSet XML, one file per table) for the
tests, the bench and the demo. Columns come from the vendored XSDs
(tests/fixtures/giadbset/xsd/): every required column is filled (by the schema's type when
the generator has no value for it), in the schema's order; keys the schema does not know
are written after them, as the unknown columns a package may carry.

    gds_gen.py orgs OUT [--region 50] [--municipalities 2] [--schools 2] [--deleted]
                        [--unknown] [--zip] [--name-suffix TEXT]
    gds_gen.py registries DIR [--participants 40] [--points 2] [--auditoriums 3] [--staff 6]
                        [--exams 2601,2602,…] [--deleted] [--unknown] [--schedule FILE.csv]
                        [--zip FILE.zip] [--tag T] [--code-base N]

`registries` adds the registry tables to a package folder that already holds its
organizations (rbd_Governments.xml, rbd_Schools.xml, as `orgs` or the demo's): exam points
(rbd_Stations), auditoriums, staff (rbd_StationWorkers), participants, their registrations
(rbd_ParticipantsExams, ~3.8 a participant), the points' and auditoriums' assignments to the
exams (rbd_StationsExams, rbd_StationExamAuditory); --schedule writes the exams as a CSV for
`karta exam schedule import` (ЕГЭ exams for grade 11, ОГЭ for grade 9). Values keep karta's
rules (names, documents, codes), so a generated package imports whole.

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


SURNAMES = ['Иванов', 'Смирнов', 'Кузнецов', 'Попов', 'Васильев', 'Петров', 'Соколов',
            'Михайлов', 'Новиков', 'Фёдоров', 'Морозов', 'Волков', 'Алексеев', 'Лебедев']
NAMES_M = ['Александр', 'Максим', 'Иван', 'Артём', 'Дмитрий', 'Никита', 'Михаил', 'Егор']
NAMES_F = ['Анна', 'Мария', 'Елена', 'Дарья', 'Алиса', 'Полина', 'Софья', 'Виктория']
PATR = ['Сергеевич', 'Андреевич', 'Олегович', 'Игоревич']
PATR_F = ['Сергеевна', 'Андреевна', 'Олеговна', 'Игоревна']
TS_FRAC = '2025-02-03T04:05:06.789'


def person(i):
    female = i % 2 == 1
    s = SURNAMES[i % len(SURNAMES)] + ('а' if female else '')
    n = (NAMES_F if female else NAMES_M)[(i // 2) % 8]
    p = (PATR_F if female else PATR)[(i // 16) % 4]
    return s, n, p, 'true' if female else 'false'


def read_orgs(folder):
    """[(government GUID)], [(school GUID, government GUID)], REGION of a package folder."""
    ns = {'g': NS}
    gov = ET.parse(os.path.join(folder, 'rbd_Governments.xml')).getroot()
    sch = ET.parse(os.path.join(folder, 'rbd_Schools.xml')).getroot()
    govs = [r.findtext('g:GovernmentID', namespaces=ns) for r in gov
            if r.findtext('g:DeleteType', namespaces=ns) == '0']
    schools = [(r.findtext('g:SchoolID', namespaces=ns), r.findtext('g:GovernmentID', namespaces=ns))
               for r in sch if r.findtext('g:DeleteType', namespaces=ns) == '0'
               and r.findtext('g:GovernmentID', namespaces=ns) in govs]
    region = int(gov[0].findtext('g:REGION', namespaces=ns))
    return govs, schools, region


def registries(a):
    govs, schools, region = read_orgs(a.out)
    exams = [int(x) for x in a.exams.split(',')]
    half = (len(exams) + 1) // 2
    ege, oge = exams[:half], exams[half:] or exams[:half]
    key = 'r%d%s:' % (region, a.tag)
    points = [(guid(key + 'station:%d' % j), govs[j % len(govs)]) for j in range(a.points)]

    def stations():
        for j, (g, gov) in enumerate(points):
            r = {'StationID': g, 'REGION': region, 'AreaID': guid(key + 'area'),
                 'StationCode': a.code_base + j + 1, 'StationName': 'ППЭ № %d' % (j + 1),
                 'StationAddress': 'ул. Школьная, д. %d' % (j + 1), 'GovernmentID': gov,
                 'sVolume': a.auditoriums * 15, 'Mails': 'ppe%d@edu.example.ru' % (j + 1),
                 'IsTOM': 'false', 'DeleteType': 0, 'CreateDate': TS, 'UpdateDate': TS_FRAC,
                 'ExamForm': 1, 'VideoControl': 'true', 'StationFlags': 0}
            if a.unknown and j == 0:
                r['FutureColumn'] = 'значение & <текст>'
            yield r

    def auds():
        for j, (g, _) in enumerate(points):
            for k in range(a.auditoriums + (1 if a.deleted and j == 0 else 0)):
                yield {'REGION': region, 'AuditoriumID': guid(key + 'aud:%d:%d' % (j, k)),
                       'StationID': g, 'AuditoriumCode': '%02d%02d' % (1 + k // 99, 1 + k % 99),
                       'AuditoriumName': 'Кабинет %d' % (k + 1), 'RowsCount': 5, 'ColsCount': 3,
                       'OrganizerOrder': 0, 'DeleteType': 1 if k == a.auditoriums else 0,
                       'LimitPotencial': 0, 'CreateDate': TS, 'UpdateDate': TS, 'ExamForm': 1,
                       'VideoControl': 'true', 'IsLab': 'false'}

    def workers():
        for i in range(a.staff + (1 if a.deleted else 0)):
            s, n, p, _ = person(i + 7)
            gov = govs[i % len(govs)]
            sch = [x for x, gv in schools if gv == gov]
            r = {'StationWorkerID': guid(key + 'worker:%d' % i), 'REGION': region,
                 'DocumentTypeCode': 1, 'StationWorkerCode': '%06d' % ((a.code_base + 2000) * 100 + i + 1),
                 'Surname': s, 'Name': n, 'SecondName': p, 'DocumentSeries': '%04d' % (6000 + i // 1000000),
                 'DocumentNumber': '%06d' % (i % 1000000), 'BirthYear': 1960 + i % 40,
                 'DeleteType': 1 if i == a.staff else 0, 'GovernmentID': gov,
                 'SchoolID': sch[i % len(sch)] if sch else None, 'WorkerPositionID': 1 + i % 7,
                 'CreateDate': TS, 'UpdateDate': TS}
            yield r

    def grade(i):
        return 11 if i % 2 == 0 else 9

    def participants():
        for i in range(a.participants + (1 if a.deleted else 0)):
            s, n, p, sex = person(i)
            g = grade(i)
            r = {'ParticipantID': guid(key + 'participant:%d' % i), 'Region': region,
                 'Surname': s, 'Name': n, 'SecondName': p, 'DocumentSeries': '%04d' % (4500 + i // 1000000),
                 'DocumentNumber': '%06d' % (i % 1000000), 'DocumentTypeCode': 1, 'Sex': sex,
                 'Gia': 1, 'GiaAccept': 1, 'pClass': '%d%s' % (g, 'АБВ'[i % 3]),
                 'BirthDay': '%04d-%02d-%02dT00:00:00.000' % (2008 if g == 11 else 2010, 1 + i % 12, 1 + i % 28),
                 'DeleteType': 1 if i == a.participants else 0, 'LimitPotencial': 0,
                 'ParticipantCategoryFK': 1, 'SchoolRegistration': schools[i % len(schools)][0],
                 'Study': 1, 'CreateDate': TS, 'UpdateDate': TS_FRAC, 'CitizenshipID': 1}
            if a.unknown and i == 0:
                r['FutureColumn'] = 'значение & <текст>'
            yield r

    def regs_of(i):
        ex = ege if grade(i) == 11 else oge
        k = min(len(ex), 3 + (i % 5 != 0))  # 3.8 a participant on average
        return [ex[(i + j) % len(ex)] for j in range(k)]

    def registrations():
        for i in range(a.participants):
            for j, x in enumerate(regs_of(i)):
                yield {'REGION': region, 'ParticipantID': guid(key + 'participant:%d' % i),
                       'ExamGlobalID': x, 'ParticipantsExamsID': guid(key + 'pe:%d:%d' % (i, j)),
                       'CreateDate': TS, 'UpdateDate': TS, 'IsDeleted': 'false'}
        if a.deleted and a.participants:
            yield {'REGION': region, 'ParticipantID': guid(key + 'participant:0'),
                   'ExamGlobalID': ege[-1], 'ParticipantsExamsID': guid(key + 'pe:deleted'),
                   'CreateDate': TS, 'UpdateDate': TS, 'IsDeleted': 'true'}

    def stations_exams():
        for j, (g, _) in enumerate(points):
            for k in range(min(2, len(exams))):
                yield {'REGION': region, 'StationsExamsID': guid(key + 'se:%d:%d' % (j, k)),
                       'StationID': g, 'ExamGlobalID': exams[(j + k) % len(exams)],
                       'PlacesCount': a.auditoriums * 15, 'LockOnStation': 'false',
                       'CreateDate': TS, 'UpdateDate': TS, 'IsDeleted': 'false', 'IsAutoAppoint': 'false'}

    def station_exam_auditory():
        for j, (g, _) in enumerate(points):
            for k in range(min(2, len(exams))):
                for n in range(min(2, a.auditoriums)):
                    yield {'StationExamAuditoryID': guid(key + 'sea:%d:%d:%d' % (j, k, n)),
                           'Region': region, 'StationsExamsID': guid(key + 'se:%d:%d' % (j, k)),
                           'StationID': g, 'AuditoriumID': guid(key + 'aud:%d:%d' % (j, n)),
                           'PlacesCount': 15, 'CreateDate': TS, 'UpdateDate': TS,
                           'IsDeleted': 'false', 'IsPreparation': 'false', 'IsAutoAppoint': 'false'}

    tables = {'rbd_Participants': participants(), 'rbd_ParticipantsExams': registrations()}
    if a.points:
        tables.update({'rbd_Stations': stations(), 'rbd_Auditoriums': auds(),
                       'rbd_StationsExams': stations_exams(),
                       'rbd_StationExamAuditory': station_exam_auditory()})
    if a.staff:
        tables['rbd_StationWorkers'] = workers()
    for t, rows in tables.items():
        write_table(a.out, t, rows)
    if a.schedule:
        with open(a.schedule, 'w', encoding='utf-8') as f:
            f.write('Дата экзамена;Код предмета;Предмет;Форма;ГИА;Период;ExamGlobalID\n')
            for n, x in enumerate(ege):
                f.write('2026-06-%02d;%d;Предмет %d;ЕГЭ;11;основной;%d\n' % (1 + n, 1 + n, 1 + n, x))
            for n, x in enumerate(e for e in oge if e not in ege):
                f.write('2026-05-%02d;%d;Предмет %d;ОГЭ;9;основной;%d\n' % (20 + n, 1 + n, 1 + n, x))
    if a.zip:
        with zipfile.ZipFile(a.zip, 'w', zipfile.ZIP_DEFLATED) as z:
            for f in sorted(os.listdir(a.out)):
                if f.endswith('.xml'):
                    z.write(os.path.join(a.out, f), f)


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
    r = sub.add_parser('registries', help='participants, registrations, points, auditoriums, staff')
    r.add_argument('out', help='a package folder holding rbd_Governments.xml and rbd_Schools.xml')
    r.add_argument('--participants', type=int, default=40)
    r.add_argument('--points', type=int, default=2)
    r.add_argument('--auditoriums', type=int, default=3, help='per point')
    r.add_argument('--staff', type=int, default=6)
    r.add_argument('--exams', default='2601,2602,2603,2604,2605,2606,2607,2608',
                   help='ExamGlobalIDs: the first half ЕГЭ (grade 11), the rest ОГЭ (grade 9)')
    r.add_argument('--deleted', action='store_true')
    r.add_argument('--unknown', action='store_true')
    r.add_argument('--schedule', help='write the exams as a CSV for karta exam schedule import')
    r.add_argument('--zip', help='also write the whole folder as this .zip')
    r.add_argument('--tag', default='', help='another set of GUIDs (rows new to a region)')
    r.add_argument('--code-base', type=int, default=5000,
                   help='exam point codes from N+1, staff codes from (N+2000)*100+1')
    a = p.parse_args()
    if a.cmd == 'registries':
        registries(a)
        return 0
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
