#!/usr/bin/env python3
"""Writes a table shaped like samples/kanazawa-2019/targets.csv (schema
schemas/kanazawa-plan/targets.schema.json) with N rows (default 1,000,000; about 60 MB):
Japanese text, quoted cells with commas, numbers, CRLF.  Deterministic (fixed seed), so
the file is generated once into $KPLAN_BENCH_DIR and reused.
usage: gen-targets.py OUT.csv [ROWS]"""
import random, sys

out = sys.argv[1]
rows = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000
rnd = random.Random(2019)
years = [2019, 2020, 2021, 2022]
stages = [(1, '研究・検討', '△'), (2, '方針決定', '□'), (3, '試行・一部実施・策定', '○'), (4, '施行・本格実施・充実', '◎')]
units = ['町会等', '人', '件', '%', 't', '回', '箇所', '団体']
texts = ['前年度よりも削減', '中核市平均以下に抑制', '拡充', '継続実施']
header = '取組番号,年度,記載,区分,段階,段階名,目標値,単位,期間,条件,比較基準,文言目標,継続表示\r\n'
with open(out, 'w', encoding='utf-8', newline='') as f:
    f.write(header)
    buf = []
    for i in range(rows):
        item = i // 4 + 1
        year = years[i % 4]
        k = (item * 7 + i % 4) % 10
        carried = 'true' if i % 4 and k % 3 == 0 else 'false'
        if k < 4:
            no, label, mark = stages[min(3, (i % 4) + (item % 2))]
            buf.append(f'{item},{year},{mark},stage,{no},{label},,,,,,,{carried}\r\n')
        elif k < 8:
            v = rnd.randrange(1, 200000)
            unit = units[item % len(units)]
            per = '年' if item % 3 == 0 else ''
            q = ['', '以上', '程度', '未満'][item % 4]
            written = f'"{v:,}{unit}{"/" + per if per else ""}"' if v >= 1000 else f'{v}{unit}'
            buf.append(f'{item},{year},{written},numeric,,,{v},{unit},{per},{q},,,{carried}\r\n')
        elif k < 9:
            t = texts[item % len(texts)]
            buf.append(f'{item},{year},{t},text,,,,,,,,{t},{carried}\r\n')
        else:
            buf.append(f'{item},{year},-,none,,,,,,,,,{carried}\r\n')
        if len(buf) >= 10000:
            f.write(''.join(buf))
            buf.clear()
    f.write(''.join(buf))
