#!/usr/bin/env python3
"""Writes the workbooks of tests/integration/xlsx.sh into a folder.

usage: make.py DIR

Each package is written part by part with zipfile, so every feature the reader must
handle (furigana runs, rich text, inline strings, styles that make a number a date, the
1904 date system, shared formulas, gaps between rows, merges, hidden rows and columns,
drawings, comments, macros) is in the file exactly as Excel writes it, and hostile
packages (zip bombs, DOCTYPEs, entity bombs, names outside the package, bad CRCs,
truncation) can be made too.  A second set is made with openpyxl, the library most
municipal tooling uses, to check the reader on a real writer's output."""
import os
import sys
import zipfile
import datetime

NS = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main'
R = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships'
PR = 'http://schemas.openxmlformats.org/package/2006/relationships'
T = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships/'

out = sys.argv[1]
os.makedirs(out, exist_ok=True)


def esc(s):
    return s.replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;').replace('"', '&quot;')


def package(name, sheets, strings=None, styles=None, date1904=False, extra=None, states=None,
            sheet_rels=None, workbook_head=''):
    """sheets: [(sheet name, sheetData-and-more xml)]; strings: the <sst> body or None."""
    parts = {}
    parts['[Content_Types].xml'] = (
        '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
        'package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/>'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/></Types>')
    parts['_rels/.rels'] = (
        f'<?xml version="1.0"?><Relationships xmlns="{PR}"><Relationship Id="rId1" '
        f'Type="{T}officeDocument" Target="xl/workbook.xml"/></Relationships>')
    rels = []
    sheet_list = []
    for i, (sname, body) in enumerate(sheets, 1):
        state = (states or {}).get(sname)
        st = f' state="{state}"' if state else ''
        sheet_list.append(f'<sheet name="{esc(sname)}" sheetId="{i}"{st} r:id="rId{i}"/>')
        # absolute targets, as openpyxl writes them, for every other sheet
        target = f'/xl/worksheets/sheet{i}.xml' if i % 2 == 0 else f'worksheets/sheet{i}.xml'
        rels.append(f'<Relationship Id="rId{i}" Type="{T}worksheet" Target="{target}"/>')
        parts[f'xl/worksheets/sheet{i}.xml'] = (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<worksheet xmlns="{NS}" xmlns:r="{R}">{body}</worksheet>')
        if sheet_rels and sname in sheet_rels:
            parts[f'xl/worksheets/_rels/sheet{i}.xml.rels'] = (
                f'<?xml version="1.0"?><Relationships xmlns="{PR}">{sheet_rels[sname]}'
                '</Relationships>')
    n = len(sheets)
    if strings is not None:
        rels.append(f'<Relationship Id="rId{n + 1}" Type="{T}sharedStrings" '
                    'Target="sharedStrings.xml"/>')
        parts['xl/sharedStrings.xml'] = (
            f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{NS}">{strings}</sst>')
    if styles is not None:
        rels.append(f'<Relationship Id="rId{n + 2}" Type="{T}styles" Target="styles.xml"/>')
        parts['xl/styles.xml'] = (
            f'<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="{NS}">{styles}'
            '</styleSheet>')
    pr = '<workbookPr date1904="1"/>' if date1904 else '<workbookPr/>'
    parts['xl/workbook.xml'] = (
        f'<?xml version="1.0" encoding="UTF-8"?>{workbook_head}<workbook xmlns="{NS}" '
        f'xmlns:r="{R}">{pr}<sheets>{"".join(sheet_list)}</sheets></workbook>')
    parts['xl/_rels/workbook.xml.rels'] = (
        f'<?xml version="1.0"?><Relationships xmlns="{PR}">{"".join(rels)}</Relationships>')
    parts.update(extra or {})
    with zipfile.ZipFile(os.path.join(out, name), 'w', zipfile.ZIP_DEFLATED) as z:
        for k, v in parts.items():
            z.writestr(k, v if isinstance(v, bytes) else v.encode('utf-8'))


def row(r, cells, attrs=''):
    return f'<row r="{r}"{attrs}>{"".join(cells)}</row>'


def s(ref, i, style=None):
    st = f' s="{style}"' if style is not None else ''
    return f'<c r="{ref}" t="s"{st}><v>{i}</v></c>'


def n(ref, v, style=None):
    st = f' s="{style}"' if style is not None else ''
    return f'<c r="{ref}"{st}><v>{v}</v></c>'


def inline(ref, text):
    return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{esc(text)}</t></is></c>'


# Styles: 0 General, 1 date (14), 2 custom 年月日, 3 time (h:mm, 20), 4 custom date-time,
# 5 bold, 6 red font, 7 yellow fill, 8 percent (a number, not a date), 9 elapsed [h]:mm
STYLES = (
    '<numFmts count="4"><numFmt numFmtId="164" formatCode="yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;"/>'
    '<numFmt numFmtId="165" formatCode="yyyy\\-mm\\-dd\\ hh:mm"/>'
    '<numFmt numFmtId="166" formatCode="[h]:mm"/>'
    '<numFmt numFmtId="167" formatCode="&quot;第&quot;0&quot;号&quot;"/></numFmts>'
    '<fonts count="3"><font><sz val="11"/><color theme="1"/><name val="游ゴシック"/></font>'
    '<font><b/><sz val="11"/></font><font><color rgb="FFFF0000"/></font></fonts>'
    '<fills count="3"><fill><patternFill patternType="none"/></fill><fill><patternFill '
    'patternType="gray125"/></fill><fill><patternFill patternType="solid"><fgColor '
    'rgb="FFFFFF00"/></patternFill></fill></fills>'
    '<cellXfs count="11"><xf numFmtId="0" fontId="0" fillId="0"/><xf numFmtId="14"/>'
    '<xf numFmtId="164"/><xf numFmtId="20"/><xf numFmtId="165"/><xf numFmtId="0" fontId="1"/>'
    '<xf numFmtId="0" fontId="2"/><xf numFmtId="0" fillId="2"/><xf numFmtId="10"/>'
    '<xf numFmtId="166"/><xf numFmtId="167"/></cellXfs>')

# 1. values: every kind of cell, as Excel shows it
strings = [
    'ID', '名称', '開設日', '時刻', '日時', '人数', '比率', '有効', '備考',
    # furigana: the reading must not be appended
    '<r><t>金沢市役所</t></r><rPh sb="0" eb="3"><t>カナザワシ</t></rPh><phoneticPr fontId="1"/>',
    # rich text: runs joined
    '<r><rPr><b/></rPr><t>兼六</t></r><r><t xml:space="preserve">園</t></r>',
    '<t xml:space="preserve">  前後に空白  </t>',
    '<t/>',
]
sst = ''.join(f'<si>{x}</si>' if x.startswith('<') else f'<si><t>{x}</t></si>' for x in strings)
sheet = (
    '<dimension ref="A1:I5"/><sheetData>'
    + row(1, [s(f'{c}1', i) for i, c in enumerate('ABCDEFGHI')])
    + row(2, [n('A2', 1), s('B2', 9), n('C2', 45383, 1), n('D2', 0.5, 3), n('E2', 45383.75, 4),
              n('F2', '0.30000000000000004'), n('G2', 0.05, 8), '<c r="H2" t="b"><v>1</v></c>',
              s('I2', 12)])
    + row(3, [n('A3', 2), s('B3', 10), n('C3', 61, 2), n('D3', 0.999999999, 3),
              n('E3', 1.5, 9), n('F3', '1.0E-3'), n('G3', '12345678901234567890'),
              '<c r="H3" t="b"><v>0</v></c>', inline('I3', '改行\nあり')])
    + row(4, [n('A4', 3), inline('B4', '近江町市場'), n('C4', 59, 1), n('D4', '0.25', 3),
              '<c r="E4" t="d"><v>2024-04-01T00:00:00</v></c>', n('F4', '-0'), n('G4', 100, 10)])
    + row(5, [n('A5', 4), s('B5', 9), n('C5', 2958465, 1), n('E5', 45383.5, 1)])
    + '</sheetData>')
package('values.xlsx', [('施設一覧', sheet)], sst, STYLES)

# formulas (cached results, a shared formula's children, an error value), a blank row,
# spaces kept by xml:space, and the Lotus leap day 1900-02-29 (serial 60)
sheet = (
    '<sheetData>'
    + row(1, [inline('A1', 'ID'), inline('B1', '数量'), inline('C1', '倍'), inline('D1', '備考'),
              inline('E1', '日付')])
    + row(2, [n('A2', 1), n('B2', 3), '<c r="C2"><f t="shared" ref="C2:C3" si="0">B2*2</f><v>6</v></c>',
              s('D2', 11), n('E2', 60, 1)])
    + row(3, [n('A3', 2), n('B3', 4), '<c r="C3"><f t="shared" si="0"/><v>8</v></c>',
              '<c r="D3" t="e"><v>#REF!</v></c>'])
    + row(5, [n('A5', 3), n('B5', 5), '<c r="C5" t="str"><f>TEXT(B5,"0")</f><v>5</v></c>'])
    + '</sheetData>')
package('formulas.xlsx', [('集計', sheet)], sst, STYLES)

# a sheet far larger than one 64 KiB parse chunk: rows cut across chunks must come out
# whole (long.csv is what the export must write)
rows_xml, csv = [], ['番号,名称,所在地,数値']
for i in range(1, 4001):
    name, addr = f'施設{i:05d}', f'石川県金沢市広坂{i % 97}丁目{i % 13}番'
    rows_xml.append(row(i + 1, [n(f'A{i + 1}', i), inline(f'B{i + 1}', name), inline(f'C{i + 1}', addr),
                                n(f'D{i + 1}', i / 8)]))
    csv.append(f'{i},{name},{addr},{i / 8:.15g}')
package('long.xlsx', [('一覧', '<sheetData>' + row(1, [inline('A1', '番号'), inline('B1', '名称'),
                                                     inline('C1', '所在地'), inline('D1', '数値')])
                      + ''.join(rows_xml) + '</sheetData>')])
open(os.path.join(out, 'long.csv'), 'w', encoding='utf-8').write('\n'.join(csv) + '\n')

# 2. the 1904 date system
package('date1904.xlsx', [('Sheet1', '<sheetData>' + row(1, [inline('A1', '日付'), inline('B1', '値')])
                           + row(2, [n('A2', 0, 1), n('B2', 1)])
                           + row(3, [n('A3', 43921, 1), n('B3', 2)]) + '</sheetData>')],
        styles=STYLES, date1904=True)

# 3. structure: merges, hidden rows and columns, formats, numbers as text, a comment,
#    an image over the table and a text box beside it, a hidden sheet, macros
body = (
    '<dimension ref="A1:D7"/><cols><col min="3" max="3" width="0" hidden="1"/></cols><sheetData>'
    + row(1, [inline('A1', '地区'), inline('B1', '施設名'), inline('C1', '定員'), inline('D1', '状態')])
    + row(2, [inline('A2', '中央'), inline('B2', '図書館'), n('C2', 120), inline('D2', '開館')])
    + row(3, [inline('B3', '体育館'), n('C3', 300), inline('D3', '開館', ), ])
    + row(4, [inline('A4', '東部'), inline('B4', '公民館'), inline('C4', '80'),
              '<c r="D4" t="inlineStr" s="6"><is><t>休館</t></is></c>'], ' hidden="1"')
    + row(5, [inline('A5', '西部'), inline('B5', 'プール'), n('C5', 150), inline('D5', '開館')])
    + row(6, [inline('A6', '南部'), inline('B6', '児童館'), n('C6', 40),
              '<c r="D6" s="5" t="inlineStr"><is><t>開館</t></is></c>'])
    + row(7, [inline('A7', '北部'), inline('B7', '集会所'), n('C7', 60), inline('D7', '開館')])
    + '</sheetData><mergeCells count="1"><mergeCell ref="A2:A3"/></mergeCells>'
    '<drawing r:id="rId1"/><legacyDrawing r:id="rId3"/>')
drawing = (
    '<?xml version="1.0"?><xdr:wsDr xmlns:xdr="http://schemas.openxmlformats.org/drawingml/2006/'
    'spreadsheetDrawing" xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main">'
    '<xdr:oneCellAnchor><xdr:from><xdr:col>1</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>3'
    '</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:from><xdr:ext cx="1" cy="1"/><xdr:pic><xdr:nvPicPr>'
    '<xdr:cNvPr id="1" name="地図 1"/><xdr:cNvPicPr/></xdr:nvPicPr></xdr:pic><xdr:clientData/>'
    '</xdr:oneCellAnchor>'
    '<xdr:twoCellAnchor><xdr:from><xdr:col>6</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>0'
    '</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:from><xdr:to><xdr:col>8</xdr:col><xdr:colOff>0'
    '</xdr:colOff><xdr:row>2</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:to><xdr:sp><xdr:nvSpPr>'
    '<xdr:cNvPr id="2" name="TextBox 2"/><xdr:cNvSpPr txBox="1"/></xdr:nvSpPr></xdr:sp>'
    '<xdr:clientData/></xdr:twoCellAnchor></xdr:wsDr>')
comments = (
    f'<?xml version="1.0"?><comments xmlns="{NS}"><authors><author>担当</author></authors>'
    '<commentList><comment ref="C5" authorId="0"><text><t>夏季のみ</t></text></comment>'
    '</commentList></comments>')
package('structure.xlsx',
        [('施設', body), ('作業用', '<sheetData>' + row(1, [inline('A1', 'x'), inline('B1', 'y')]) + '</sheetData>')],
        styles=STYLES, states={'作業用': 'hidden'},
        sheet_rels={'施設': f'<Relationship Id="rId1" Type="{T}drawing" Target="../drawings/drawing1.xml"/>'
                          f'<Relationship Id="rId2" Type="{T}comments" Target="../comments1.xml"/>'
                          f'<Relationship Id="rId3" Type="{T}vmlDrawing" Target="../drawings/vmlDrawing1.vml"/>'},
        extra={'xl/drawings/drawing1.xml': drawing, 'xl/comments1.xml': comments,
               'xl/vbaProject.bin': b'\xd0\xcf\x11\xe0 not run'})

# numbers with text around them in a column of numbers (L2-01), a code column of text
# digits with leading zeros (not numbers stored as text), a date typed as text
body = ('<sheetData>' + row(1, [inline('A1', '地区'), inline('B1', 'コード'), inline('C1', '費用'), inline('D1', '日付')])
        + row(2, [inline('A2', '中央'), inline('B2', '001'), n('C2', 100), n('D2', 45383, 1)])
        + row(3, [inline('A3', '東部'), inline('B3', '002'), inline('C3', '▲50'), n('D3', 45384, 1)])
        + row(4, [inline('A4', '西部'), inline('B4', '003'), n('C4', 300), inline('D4', '2024/4/3')])
        + row(5, [inline('A5', '南部'), inline('B5', '004'), inline('C5', '350円'), n('D5', 45386, 1)])
        + row(6, [inline('A6', '北部'), inline('B6', '005'), n('C6', 20), n('D6', 45387, 1)]) + '</sheetData>')
package('numbers.xlsx', [('費用', body)], styles=STYLES)

# headers of several rows: a heading merged over two columns (財務情報 over 売上高 and
# 営業利益), a units row below the labels, a merged label over two columns of data
group = ('<sheetData>' + row(1, [inline('B1', '財務情報')])
         + row(2, [inline('A2', '会社'), inline('B2', '売上高'), inline('C2', '営業利益')])
         + row(3, [inline('A3', 'A社'), n('B3', 120000), n('C3', 15000)])
         + row(4, [inline('A4', 'B社'), n('B4', 130000), n('C4', 16000)])
         + '</sheetData><mergeCells count="1"><mergeCell ref="B1:C1"/></mergeCells>')
units = ('<sheetData>' + row(1, [inline('A1', '会社'), inline('B1', '売上高'), inline('C1', '営業利益')])
         + row(2, [inline('A2', '単位'), inline('B2', '千円'), inline('C2', '千円')])
         + row(3, [inline('A3', 'A社'), n('B3', 120000), '<c r="C3" s="5"><v>15000</v></c>'])
         + row(4, [inline('A4', 'B社'), n('B4', 130000), n('C4', 16000)]) + '</sheetData>')
cover = ('<sheetData>' + row(1, [inline('A1', 'カテゴリ'), inline('C1', '値')])
         + row(2, [inline('A2', 'A'), n('B2', 1), n('C2', 2)])
         + row(3, [inline('A3', 'B'), n('B3', 3), n('C3', 4)])
         + '</sheetData><x:mergeCells xmlns:x="' + NS + '"><x:mergeCell ref="A1:B1"/></x:mergeCells>')
package('headers.xlsx', [('見出し', group), ('単位行', units), ('結合', cover)], styles=STYLES)

# 4. two visible sheets: each is a table
two = '<sheetData>' + row(1, [inline('A1', 'コード'), inline('B1', '名称')]) + \
      row(2, [n('A2', 1), inline('B2', 'あ')]) + '</sheetData>'
package('two-sheets.xlsx', [('令和5年度', two), ('令和6年度', two.replace('あ', 'い'))])

# 5. hostile packages
good = '<sheetData>' + row(1, [inline('A1', 'a'), inline('B1', 'b')]) + row(2, [n('A2', 1), n('B2', 2)]) + '</sheetData>'
# a zip bomb: 300 MB of one byte in the sheet, deflated to some 300 kB
bomb = '<sheetData>' + row(1, [inline('A1', 'a')]) + '</sheetData>' + ' ' * (300 << 20)
package('bomb.xlsx', [('Sheet1', bomb)])
# entity expansion and an external entity in the workbook and in a sheet
lol = ('<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;'
       '&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;'
       '&lol2;"><!ENTITY xxe SYSTEM "file:///etc/passwd">]>')
package('entities.xlsx', [('Sheet1', good)], workbook_head=lol)


def replace_part(name, part, data):
    """Rewrites the package `name` with the part `part` replaced by data (bytes)."""
    path = os.path.join(out, name)
    with zipfile.ZipFile(path) as z:
        parts = {i.filename: z.read(i.filename) for i in z.infolist()}
    parts[part] = data
    with zipfile.ZipFile(path, 'w', zipfile.ZIP_DEFLATED) as z:
        for k, v in parts.items():
            z.writestr(k, v)


package('sheet-entities.xlsx', [('Sheet1', '<sheetData>' + row(1, [inline('A1', 'a'), inline('B1', 'b')]) + '</sheetData>')])
replace_part('sheet-entities.xlsx', 'xl/worksheets/sheet1.xml', (
    f'<?xml version="1.0"?>{lol}<worksheet xmlns="{NS}"><sheetData><row r="1"><c r="A1" '
    't="inlineStr"><is><t>&lol3;&xxe;</t></is></c></row></sheetData></worksheet>').encode())
# entries named outside the package, and a relationship pointing out of it
package('escape.xlsx', [('Sheet1', good)], extra={'../evil.txt': 'x', '/etc/evil': 'x'})
package('escape-rel.xlsx', [('Sheet1', good)])
replace_part('escape-rel.xlsx', 'xl/_rels/workbook.xml.rels', (
    f'<?xml version="1.0"?><Relationships xmlns="{PR}"><Relationship Id="rId1" Type="{T}worksheet" '
    'Target="../../../../etc/passwd"/></Relationships>').encode())
# a cell past column XFD, and a row of 1,000,000 cells with no references
package('wide.xlsx', [('Sheet1', '<sheetData><row r="1"><c r="XFE1"><v>1</v></c></row></sheetData>')])
package('million-columns.xlsx', [('Sheet1', '<sheetData><row r="1">' + '<c><v>1</v></c>' * 1000000 + '</row></sheetData>')])
# a large shared-string table: 10 MB of strings, one used
big = ''.join(f'<si><t>文字列{i:07d}</t></si>' for i in range(400000))
package('big-strings.xlsx', [('Sheet1', '<sheetData>' + row(1, [s('A1', 0), s('B1', 399999)]) + row(2, [n('A2', 1), n('B2', 2)]) + '</sheetData>')], big)
# truncated, a wrong CRC, a PDF, an .xls, an encrypted workbook, an .ods, a Word file
data = open(os.path.join(out, 'values.xlsx'), 'rb').read()
open(os.path.join(out, 'truncated.xlsx'), 'wb').write(data[:len(data) // 2])
with zipfile.ZipFile(os.path.join(out, 'crc.xlsx'), 'w', zipfile.ZIP_STORED) as z:
    with zipfile.ZipFile(os.path.join(out, 'values.xlsx')) as src:
        for i in src.infolist():
            z.writestr(i.filename, src.read(i.filename))
raw = bytearray(open(os.path.join(out, 'crc.xlsx'), 'rb').read())
at = raw.find('近江町'.encode())
raw[at] ^= 0x01  # one bit of the sheet, stored: the CRC no longer matches
open(os.path.join(out, 'crc.xlsx'), 'wb').write(bytes(raw))
open(os.path.join(out, 'report.xlsx'), 'wb').write(b'%PDF-1.4\n1 0 obj << >> endobj\n%%EOF\n')
ole = b'\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1' + b'\0' * 504
open(os.path.join(out, 'old.xls'), 'wb').write(ole + b'W\0o\0r\0k\0b\0o\0o\0k\0' + b'\0' * 1000)
open(os.path.join(out, 'locked.xlsx'), 'wb').write(
    ole + 'EncryptionInfo'.encode('utf-16-le') + b'\0' * 100 + 'EncryptedPackage'.encode('utf-16-le'))
with zipfile.ZipFile(os.path.join(out, 'sheet.ods'), 'w') as z:
    z.writestr('mimetype', 'application/vnd.oasis.opendocument.spreadsheet')
    z.writestr('content.xml', '<office:document-content/>')
with zipfile.ZipFile(os.path.join(out, 'letter.xlsx'), 'w') as z:
    z.writestr('[Content_Types].xml', '<Types/>')
    z.writestr('_rels/.rels', f'<Relationships xmlns="{PR}"><Relationship Id="rId1" Type="{T}officeDocument" Target="word/document.xml"/></Relationships>')
    z.writestr('word/document.xml', '<w:document xmlns:w="x"/>')

# 6. a workbook as openpyxl writes it (inline strings, absolute targets, real styles)
try:
    import openpyxl
    from openpyxl.styles import Font
except ImportError:  # the test says so and fails
    sys.exit(0)
wb = openpyxl.Workbook()
ws = wb.active
ws.title = '公衆トイレ一覧'
ws.append(['ID', '名称', '設置日', '利用可能時間', '多目的トイレ有無', '緯度', '経度'])
ws.append(['001', '広坂公衆トイレ', datetime.date(2020, 4, 1), '24時間', '有', 36.5613, 136.6562])
ws.append(['002', '兼六園下トイレ', datetime.date(2021, 10, 15), '9:00-17:00', '無', 36.5627, 136.6624])
ws.append(['003', '香林坊トイレ', datetime.datetime(2022, 1, 5, 9, 30), '24時間', '有', 36.5606, 136.6534])
ws['C4'].number_format = 'yyyy/mm/dd hh:mm'
ws['B1'].font = Font(bold=True)
wb.save(os.path.join(out, 'openpyxl.xlsx'))
