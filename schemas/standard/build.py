#!/usr/bin/env python3
"""Builds the Table Schemas of the Digital Agency's standard datasets from datasets.json
(the column lists and what the definitions say of each column) and the column rules
below (the 共通ルール and the 形式 of each column).  The schemas are data: re-run this
after editing datasets.json or a rule, and commit what it writes.

usage: schemas/standard/build.py [--check]
  --check  write nothing; exit 1 if a schema on disk differs from what would be built
"""
import json
import os
import re
import sys

here = os.path.dirname(os.path.abspath(__file__))

# ---- ASCII names: each part of a title (split at "_") from this table ------------
PARTS = {
    '全国地方公共団体コード': 'lg_code', '都道府県コード又は市区町村コード': 'lg_code',
    'ID': 'id', 'NO': 'no', '地方公共団体名': 'lg_name', '都道府県名': 'prefecture_name',
    '市区町村名': 'municipality_name', '名称': 'name', 'カナ': 'kana', '英字': 'roman',
    '英語': 'en', '通称': 'common_name', 'POIコード': 'poi_code', '外部識別子': 'external_id',
    '外部識別子の値': 'external_id_value', '所在地': 'address', '町字ID': 'machiaza_id',
    '連結表記': 'full', '都道府県': 'prefecture', '市区町村': 'municipality', '町字': 'machiaza',
    '番地以下': 'street', '建物名等(方書)': 'building', '建物名等（方書）': 'building',
    '住所': 'address', '方書': 'building', '緯度': 'latitude', '経度': 'longitude',
    '高度の種別': 'altitude_kind', '高度の値': 'altitude', '標高': 'elevation',
    '電話番号': 'phone', '内線番号': 'extension', 'FAX番号': 'fax', '連絡先メールアドレス':
    'contact_email', '連絡先FormURL': 'contact_form_url', '連絡先備考（その他、SNSなど）':
    'contact_note', '郵便番号': 'postal_code', '法人番号': 'corporate_number', '団体名':
    'organization', '利用可能曜日': 'days', '開始時間': 'start_time', '終了時間': 'end_time',
    '利用可能時間特記事項': 'hours_note', '利用可能日時特記事項': 'hours_note', '説明':
    'description', '車椅子可': 'wheelchair', '車椅子貸出': 'wheelchair_rental', 'ツエ貸出':
    'cane_rental', 'バリアフリートイレ': 'accessible_toilet', 'スロープ、エレベータ、エスカレータ':
    'slope_elevator', '点字ブロック等の移動支援': 'tactile_paving', '点字や読上による支援':
    'braille_reading', '盲導犬・介助犬、聴導犬同伴': 'assistance_dogs', '字幕': 'subtitles',
    '筆談対応': 'written_communication', '優先駐車場': 'priority_parking',
    'オストメイト対応トイレ': 'ostomate_toilet', '授乳室': 'nursing_room',
    'おむつ替えコーナー': 'diaper_corner', '飲食可否': 'food_allowed', 'ベビーカー貸出':
    'stroller_rental', 'ベビーカー利用': 'stroller_use', 'URL': 'url', '画像': 'image',
    '画像1': 'image1', '画像2': 'image2', 'ライセンス': 'license', '備考': 'note',
    'バリアフリー情報': 'barrier_free', '文化財分類': 'category', '種類': 'kind', '場所名称':
    'place_name', '員数（数）': 'count', '員数（単位）': 'count_unit', '所有者等': 'owner',
    '文化財指定日': 'designated', '概要': 'summary', '市区町村コード': 'municipality_code',
    '災害種別': 'hazard', '洪水': 'flood', '崖崩れ、土石流及び地滑り': 'landslide', '高潮':
    'storm_surge', '地震': 'earthquake', '津波': 'tsunami', '大規模な火事': 'large_fire',
    '内水氾濫': 'inland_flood', '火山現象': 'volcano', '指定避難所との重複': 'also_shelter',
    '想定収容人数': 'capacity', '対象となる町会・自治会': 'neighbourhoods', '地域コード':
    'area_code', '調査年月日': 'survey_date', '地域名': 'area_name', '総人口': 'population',
    '男性': 'male', '女性': 'female', '世帯数': 'households', '種別': 'kind', 'アクセス方法':
    'access', '駐車場情報': 'parking', '認可等年月日': 'approved', '収容定員': 'capacity',
    '受入年齢': 'ages', '一時預かりの有無': 'temporary_care', '子供預かり料金種別':
    'childcare_fee_kind', '子供預かり料金': 'childcare_fee', '子供預かり料金備考':
    'childcare_fee_note', '子供預かり開所時間': 'childcare_open', '子供預かり閉所時間':
    'childcare_close', '病児保育の有無': 'sick_child_care', 'データセット': 'dataset',
    'タイトル': 'title', 'サブタイトル': 'subtitle', 'キーワード': 'keywords', '分類': 'category',
    'ユニバーサルメニュー': 'universal_menu', '公開日': 'issued', '最終更新日': 'modified',
    'バージョン': 'version', '言語': 'language', '更新頻度': 'frequency', '準拠する標準':
    'conforms_to', '関連ドキュメント': 'documents', '来歴情報': 'provenance', '対象地域':
    'spatial', '対象期間': 'temporal', '連絡先名称': 'contact_name', '連絡先電話番号':
    'contact_phone', '連絡先内線番号': 'contact_extension', '連絡先備考（その他、SNSなど）_':
    'contact_note', 'ファイル': 'file', 'アクセスURL': 'access_url', 'ダウンロードURL':
    'download_url', 'ファイル形式': 'file_format', 'ステータス': 'status', 'サイズ': 'size',
    '利用規約': 'terms', 'API対応有無': 'api', 'データ名称': 'data_name', 'データ概要':
    'data_summary', 'データ形式': 'data_format', 'ライセンス_': 'license', '登録日': 'registered',
    '設置者': 'installer', 'SSID': 'ssid', '提供エリア': 'coverage', '設置位置': 'location',
    '小児対応設備の有無': 'pediatric', '外部利用不可': 'not_public', '介護サービス事業所名称':
    'name', '実施サービス': 'services', '法人の名称': 'corporation', '事業所番号':
    'office_number', '利用可能曜日特記事項': 'days_note', '定員': 'capacity',
    '医療機関の種類': 'kind', '医療機関コード': 'medical_code', '診療曜日': 'days',
    '診療開始時間': 'start_time', '診療終了時間': 'end_time', '診療日時特記事項': 'hours_note',
    '時間外における対応': 'after_hours', '診療科目': 'departments', '病床数': 'beds',
    '法人名': 'corporation', '料金(基本)': 'fee', '料金（基本）': 'fee', '料金(詳細)':
    'fee_detail', '料金（詳細）': 'fee_detail', 'イベント名': 'name', '開始日': 'start_date',
    '終了日': 'end_date', '開始日時特記事項': 'schedule_note', '主催者': 'organizer',
    '参加申込終了日': 'apply_by_date', '参加申込終了時間': 'apply_by_time', '参加申込方法':
    'how_to_apply', '男性トイレ総数': 'male_total', '男性トイレ数（小便器）': 'male_urinals',
    '男性トイレ数（和式）': 'male_squat', '男性トイレ数（洋式）': 'male_western',
    '女性トイレ総数': 'female_total', '女性トイレ数（和式）': 'female_squat',
    '女性トイレ数（洋式）': 'female_western', '男女共用トイレ総数': 'unisex_total',
    '男女共用トイレ数（和式）': 'unisex_squat', '男女共用トイレ数（洋式）': 'unisex_western',
    'バリアフリートイレ数': 'accessible_toilets', '多機能トイレ数': 'multipurpose_toilets',
    '車椅子使用者用トイレ有無': 'wheelchair_toilet', '乳幼児用設備設置トイレ有無':
    'baby_facilities', 'オストメイト設置トイレ有無': 'ostomate', '利用開始時間': 'start_time',
    '利用終了時間': 'end_time', '口径': 'caliber', '施設名称': 'name', '営業の種類':
    'business_kind', '業態': 'business_form', '施設所在地': 'address', '施設方書': 'building',
    '施設電話番号': 'phone', '許可番号': 'permit_number', '初回許可年月日': 'first_permitted',
    '許可年月日': 'permitted', '許可開始日': 'permit_start', '許可満了日': 'permit_end',
    '廃業年月日': 'closed', '申請区分': 'application_kind', '許可条件': 'permit_conditions',
}


def ascii_name(title):
    if title in PARTS:
        return PARTS[title]
    m = re.fullmatch(r'(\d+)-(\d+)歳の(男性|女性)', title)
    if m:
        return f"{'male' if m[3] == '男性' else 'female'}_{m[1]}_{m[2]}"
    m = re.fullmatch(r'(\d+)歳以上の(男性|女性)', title)
    if m:
        return f"{'male' if m[2] == '男性' else 'female'}_{m[1]}_over"
    parts = title.split('_')
    out = []
    for i, p in enumerate(parts):
        w = PARTS.get(p) or PARTS.get(p + '_')
        if not w:
            raise SystemExit(f'build.py: no ASCII name for "{p}" (in "{title}"): add it to PARTS')
        out.append(w)
    return '_'.join(out)


# ---- column rules: the first matching rule gives a column its type and checks -------
LG = {'type': 'string', 'lgCode': True, 'constraints': {'pattern': '[0-9]{6}'},
      'description': '全国地方公共団体コード: write the 6 digits with the check digit (JIS X 0402): the 5-digit code and its check digit'}
TIME = {'type': 'string', 'constraints': {'pattern': '([01][0-9]|2[0-3]):[0-5][0-9]|24:00'},
        'description': '時刻（hh:mm）: write the time with two-digit hours, 24-hour, e.g. 09:00 or 17:45'}
HAVE = {'type': 'string', 'constraints': {'enum': ['有', '無']},
        'description': '有無: write 有 or 無, not ○ or ×'}
ONE = {'type': 'string', 'constraints': {'enum': ['1']},
       'description': 'write 1 when it applies and leave the cell empty when not (not ○)'}
URI = {'type': 'string', 'format': 'uri'}
PHONE = {'type': 'string', 'constraints': {
    'pattern': r'0[0-9]{1,4}-[0-9]{1,4}-[0-9]{3,4}|\(0[0-9]{1,4}\)[0-9]{1,4}-[0-9]{3,4}|0[0-9]{9,10}'},
    'description': '電話番号: one number per cell, e.g. 076-220-2111 or (076)220-2111'}
DATE = {'type': 'date', 'description': '日付: YYYY-MM-DD'}
COUNT = {'type': 'integer', 'constraints': {'minimum': 0}}
RULES = [
    (r'全国地方公共団体コード|都道府県コード又は市区町村コード|所在地_全国地方公共団体コード|市区町村コード', LG),
    (r'ID|NO', {'type': 'string', 'constraints': {'pattern': '[0-9A-Za-z_.-]+'},
                'description': 'half-width letters and digits (半角英数字), unique within the body that publishes it and never reused'}),
    (r'.*_カナ', {'type': 'string', 'constraints': {'pattern': '[ァ-ヺー・　 ０-９0-9]+'},
                  'description': '全角カナ: write the reading in full-width katakana, e.g. トショカン'}),
    (r'.*_(英語|英字)', {'type': 'string', 'constraints': {'pattern': '[ -~]+'},
                      'description': '半角英数字: write it in half-width letters, digits and spaces'}),
    (r'緯度', {'type': 'number', 'constraints': {'minimum': 20, 'maximum': 46},
             'description': 'decimal degrees (JGD2011), inside Japan'}),
    (r'経度', {'type': 'number', 'constraints': {'minimum': 122, 'maximum': 154},
             'description': 'decimal degrees (JGD2011), inside Japan'}),
    (r'(.*電話番号|FAX番号)', PHONE),
    (r'(内線番号|連絡先内線番号)', {'type': 'string', 'constraints': {'pattern': '[0-9]+'},
                           'description': '内線番号: digits only'}),
    (r'郵便番号', {'type': 'string', 'constraints': {'pattern': '[0-9]{7}'},
               'description': '郵便番号: write the 7 digits without a hyphen, e.g. 9208577'}),
    (r'法人番号', {'type': 'string', 'corporateNumber': True, 'constraints': {'pattern': '[1-9][0-9]{12}'},
               'description': '法人番号: the 13 digits of the corporate number'}),
    (r'.*(開始時間|終了時間|開所時間|閉所時間|参加申込終了時間)', TIME),
    (r'.*(有無|の有無)', HAVE),
    (r'災害種別_.*|指定避難所との重複', ONE),
    (r'高度の種別', {'type': 'string', 'constraints': {'enum': ['階数', '標高', '地表高']}}),
    (r'(?!.*曜日$).*(日|年月日)', DATE),
    (r'.*(URL|画像|画像1|画像2)', URI),
    (r'.*メールアドレス', {'type': 'string', 'format': 'email'}),
    (r'.*トイレ(総数|数（.*）|数)|収容定員|定員|病床数|想定収容人数|総人口|男性|女性|世帯数|'
     r'[0-9-]+歳.*|員数（数）', COUNT),
    (r'高度の値|標高|口径', {'type': 'number'}),
    (r'診療科目|文化財分類|バリアフリー情報|対象となる町会・自治会',
     {'type': 'string', 'separator': ';',
      'description': 'several values joined by ";" (half-width semicolon)'}),
]

# titles written two ways in the official definitions themselves (both are accepted)
SPELLINGS = [('料金（基本）', '料金(基本)'), ('料金（詳細）', '料金(詳細)'),
             ('利用可能時間特記事項', '利用可能日時特記事項'), ('建物名等(方書)', '建物名等（方書）'),
             # the new set names it 名称_英語 in some datasets and 名称_英字 in others
             ('名称_英語', '名称_英字')]

# RDF: what a column says of the row's thing, in schema.org terms (the row is a
# schema:Place, or a schema:Event for 12); columns not listed are kplan-export's own
# column properties.  The 全国地方公共団体コード links the row to e-Stat's area code.
PROPERTIES = [
    (r'名称|介護サービス事業所名称|施設名称|イベント名|データ名称|データセット_タイトル', 'schema:name'),
    (r'.*_(カナ|英語|英字|通称)', 'schema:alternateName'),
    (r'住所|所在地_連結表記|施設所在地', 'schema:address'),
    (r'緯度', 'schema:latitude'), (r'経度', 'schema:longitude'),
    (r'電話番号|施設電話番号|連絡先電話番号', 'schema:telephone'), (r'FAX番号', 'schema:faxNumber'),
    (r'連絡先メールアドレス', 'schema:email'), (r'郵便番号', 'schema:postalCode'),
    (r'URL', 'schema:url'), (r'画像|画像1|画像2', 'schema:image'),
    (r'説明|概要|データ概要', 'schema:description'),
    (r'開始日', 'schema:startDate'), (r'終了日', 'schema:endDate'),
    (r'ID|NO|データセット_ID', 'dct:identifier'),
    (r'法人番号', 'schema:taxID'),
]
TYPES = {'12': 'schema:Event', '04': None, '06': 'dcat:Dataset', '15': 'schema:LocalBusiness'}

GEN = {'new': '自治体標準オープンデータセット', 'old': '推奨データセット'}


def field(title, d):
    f = {'name': ascii_name(title), 'title': title, 'type': 'string'}
    for pat, rule in RULES:
        if re.fullmatch(pat, title):
            f.update(json.loads(json.dumps(rule)))
            break
    for a, b in SPELLINGS:
        if title in (a, b):
            f['titles'] = [b if title == a else a]
    if title in d['number'] and f['type'] == 'string' and 'constraints' not in f:
        f['type'] = 'number'
    if title in d['date']:
        f.update({'type': 'date'})
    if title in d['time'] and f.get('constraints', {}).get('pattern') != TIME['constraints']['pattern']:
        f.update(json.loads(json.dumps(TIME)))
    if title in d['enum']:
        vals = [v for v in d['enum'][title] if v != '']
        f.setdefault('constraints', {})['enum'] = vals
    if title in d['required']:
        f.setdefault('constraints', {})['required'] = True
    if title in d.get('recommended', []):
        f['recommended'] = True  # ○ 推奨: kplan warns when the column is left empty
    for pat, prop in PROPERTIES:
        if re.fullmatch(pat, title):
            f['propertyUrl'] = prop
            break
    if title in ('全国地方公共団体コード', '都道府県コード又は市区町村コード'):
        f['propertyUrl'] = 'dct:spatial'
        f['valueUrl'] = 'http://data.e-stat.go.jp/lod/sac/C{' + f['name'] + ':5}'
    return f


def schema(d):
    fields = [field(t, d) for t in d['columns']]
    names = [f['name'] for f in fields]
    for i, n in enumerate(names):  # a name used twice gets its column number
        if names.count(n) > 1:
            fields[i]['name'] = f'{n}_{i + 1}'
    req = d.get('required_source') or 'not in the sources found: no column is required'
    return {
        '$comment': f"Generated by schemas/standard/build.py from datasets.json: edit those, not this file.",
        'name': f"{d['no']}-{d['slug']}-{d['generation']}",
        'title': f"{d['no']} {d['title']}（{GEN[d['generation']]}）",
        'description': f"{d['title']}, {GEN[d['generation']]} layout, {len(fields)} columns. "
                       f"Columns: {d['source']}. Required (◎): {req}.",
        'standard': {'id': d['no'], 'name': d['title'], 'generation': d['generation'],
                     'slug': d['slug'], 'conformsTo': GEN[d['generation']] + ' ' + d['no'] + ' ' + d['title']},
        'fieldsMatch': 'subset',
        'fields': fields,
    } | ({'rdfType': TYPES.get(d['no'], 'schema:Place')} if TYPES.get(d['no'], 'schema:Place') else {})


def main():
    check = '--check' in sys.argv
    src = json.load(open(os.path.join(here, 'datasets.json'), encoding='utf-8'))
    index, differ = [], 0
    for d in src['datasets']:
        s = schema(d)
        fn = s['name'] + '.schema.json'
        text = json.dumps(s, ensure_ascii=False, indent=1) + '\n'
        index.append({'id': d['no'], 'name': d['title'], 'generation': d['generation'],
                      'slug': d['slug'], 'file': fn, 'columns': len(s['fields'])})
        path = os.path.join(here, fn)
        old = open(path, encoding='utf-8').read() if os.path.exists(path) else None
        if old != text:
            differ += 1
            if check:
                print(f'build.py: {fn} differs from what datasets.json builds', file=sys.stderr)
            else:
                open(path, 'w', encoding='utf-8').write(text)
    text = json.dumps({'$comment': 'Generated by build.py: the standard schemas, for recognition.',
                       'standards': index}, ensure_ascii=False, indent=1) + '\n'
    path = os.path.join(here, 'index.json')
    old = open(path, encoding='utf-8').read() if os.path.exists(path) else None
    if old != text:
        differ += 1
        if not check:
            open(path, 'w', encoding='utf-8').write(text)
    if check and differ:
        sys.exit(1)


main()
