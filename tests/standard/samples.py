#!/usr/bin/env python3
"""Test tables for every standard schema in schemas/standard/: a valid table, and tables
with the mistakes real files have, each with the finding it must give.

usage: samples.py SCHEMA_DIR OUT_DIR
Writes OUT_DIR/<key>/<case>.csv and OUT_DIR/cases.json: [{"key", "case", "file",
"encoding", "expect": [[code, field name, text the message holds or null], ...], "valid": bool}].
Values come from each field's definition (type, pattern, enum), never from a fixed row,
so a new schema gets its samples with no work here.
"""
import json
import os
import sys

sdir, out = sys.argv[1], sys.argv[2]
index = json.load(open(os.path.join(sdir, 'index.json'), encoding='utf-8'))['standards']

# a good value for a field, from what it is
BY_TITLE = {
    '全国地方公共団体コード': '172014', '都道府県コード又は市区町村コード': '172014',
    '所在地_全国地方公共団体コード': '172014', '市区町村コード': '172014',
    '地方公共団体名': '石川県金沢市', '都道府県名': '石川県', '市区町村名': '金沢市',
}


def good(f, row):
    t = f.get('title', f['name'])
    c = f.get('constraints', {})
    if t in BY_TITLE:
        return BY_TITLE[t]
    if 'enum' in c:
        return c['enum'][0]
    if f['name'] in ('latitude',):
        return '36.561325'
    if f['name'] in ('longitude',):
        return '136.656205'
    p = c.get('pattern', '')
    if 'ァ' in p:
        return 'トショカン'
    if p.startswith('[ -~]'):
        return 'Library'
    if p == '[0-9]{7}':
        return '9208577'
    if p.startswith('0[0-9]{1,4}-'):
        return '076-220-2111'
    if p == '[0-9]+':
        return '123'
    if p == '[1-9][0-9]{12}':
        return '4000020172014'  # 金沢市's 法人番号: 000020 + its code, check digit 4
    if p.startswith('([01]'):
        return '09:00'
    if p.startswith('[0-9A-Za-z'):
        return f'ID{row:08d}'
    ty = f.get('type', 'string')
    if ty == 'date':
        return '2024-04-01'
    if ty == 'integer':
        return '3'
    if ty == 'number':
        return '12.5'
    if f.get('format') == 'uri':
        return 'https://www.city.kanazawa.lg.jp/a.html'
    if f.get('format') == 'email':
        return 'info@city.kanazawa.lg.jp'
    return 'テスト'


def table(fields, rows, labels=None):
    labels = labels or [f.get('title', f['name']) for f in fields]
    lines = [','.join(labels)]
    for r in rows:
        lines.append(','.join('"' + v.replace('"', '""') + '"' if ',' in v else v for v in r))
    return '\r\n'.join(lines) + '\r\n'


def find(fields, pred):
    return next((i for i, f in enumerate(fields) if pred(f)), None)


cases = []
for st in index:
    s = json.load(open(os.path.join(sdir, st['file']), encoding='utf-8'))
    fields = s['fields']
    key = st['file'].replace('.schema.json', '')
    os.makedirs(os.path.join(out, key), exist_ok=True)
    rows = [[good(f, r + 1) for f in fields] for r in range(2)]

    def add(case, text, expect, encoding='utf-8', valid=False):
        path = os.path.join(out, key, case + '.csv')
        open(path, 'wb').write(text.encode(encoding))
        cases.append({'key': key, 'case': case, 'file': path, 'expect': expect,
                      'valid': valid, 'encoding': encoding})

    def mutate(case, pred, value, code, says=None):
        i = find(fields, pred)
        if i is None:
            return
        bad = [list(r) for r in rows]
        bad[1][i] = value
        add(case, table(fields, bad), [[code, fields[i]['name'], says]])

    add('valid', table(fields, rows), [], valid=True)
    add('valid-cp932', table(fields, rows), [['encoding', None, None]], encoding='cp932', valid=True)
    # an extra local column is the city's own: accepted
    add('extra-column', table(fields + [{'name': 'x', 'title': '独自項目'}],
                              [r + ['値'] for r in rows]), [], valid=True)
    mutate('halfwidth-kana', lambda f: 'ァ' in f.get('constraints', {}).get('pattern', ''),
           'ﾄｼｮｶﾝ', 'halfwidth-kana')
    mutate('time-9-00', lambda f: f.get('constraints', {}).get('pattern', '').startswith('([01]'),
           '9:00', 'constraint-error')
    mutate('five-digit-code', lambda f: f.get('lgCode'), '17201', 'lg-code', 'write 172014')
    mutate('check-digit', lambda f: f.get('lgCode'), '172015', 'lg-code')
    mutate('not-in-list', lambda f: f.get('lgCode'), '018201', 'lg-code', "総務省's list")
    mutate('postal-hyphen', lambda f: f.get('constraints', {}).get('pattern') == '[0-9]{7}',
           '920-8577', 'constraint-error')
    mutate('serial-date', lambda f: f.get('type') == 'date', '45016', 'type-error', '2023-03-31')
    mutate('circle-for-1', lambda f: f.get('constraints', {}).get('enum') == ['1'], '○',
           'constraint-error')
    mutate('blank-required', lambda f: f.get('constraints', {}).get('required'), '',
           'constraint-error')
    mutate('corporate-check-digit', lambda f: f.get('corporateNumber'), '5000020172014',
           'corporate-number', 'should be 4')
    mutate('list-separator', lambda f: f.get('separator') == ';', '内科、外科', 'list-separator')
    mutate('recommended-empty', lambda f: f.get('recommended'), '', 'recommended-empty')
    mutate('latitude-outside', lambda f: f['name'] == 'latitude', '136.656205', 'constraint-error')
    # the header as real files write it: a full-width ＿, ― for ー, two columns swapped,
    # the last two columns dropped; recognised all the same
    labels = [f.get('title', f['name']) for f in fields]
    order = list(range(len(fields)))
    order[2], order[3] = order[3], order[2]
    order = order[:-2]
    vl = [labels[i] for i in order]
    wide = next((k for k, l in enumerate(vl) if '_' in l), None)
    if wide is not None:
        vl[wide] = vl[wide].replace('_', '＿', 1)
    dash = next((k for k, l in enumerate(vl) if 'ー' in l and k != wide), None)
    if dash is not None:
        vl[dash] = vl[dash].replace('ー', '―', 1)
    expect = [['missing-label', fields[-1]['name'], None]]
    if wide is not None:
        expect.append(['label-variant', None, 'FULLWIDTH LOW LINE'])
    add('header-variants', table([fields[i] for i in order],
                                 [[r[i] for i in order] for r in rows], vl), expect)
json.dump(cases, open(os.path.join(out, 'cases.json'), 'w', encoding='utf-8'), ensure_ascii=False, indent=1)
