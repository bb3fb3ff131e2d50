#!/usr/bin/env python3
"""Refreshes schemas/lgcodes/local-gov-codes.json from a newer copy of the same JSON
(nojimage/local-gov-code-jp's index.json, or any list of entries with the same fields).

usage: schemas/lgcodes/refresh.py NEW.json
Checks every entry (type, a 6-digit code whose check digit is right, a name, the
prefecture's code and name) before anything is written, writes the list sorted by
code, and says how many codes came and went.  Update the date and source in
local-gov-codes.LICENSE.md by hand.
"""
import json
import os
import sys

here = os.path.dirname(os.path.abspath(__file__))
out = os.path.join(here, 'local-gov-codes.json')


def check_digit(five):
    s = sum(w * int(d) for w, d in zip((6, 5, 4, 3, 2), five))
    return (11 - s % 11) % 10


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    new = json.load(open(sys.argv[1], encoding='utf-8'))
    if not isinstance(new, list):
        sys.exit('refresh.py: the file is not a list of entries')
    for i, e in enumerate(new):
        c = e.get('code', '')
        bad = (e.get('type') not in ('prefecture', 'city', 'ward') or len(c) != 6 or
               not c.isdigit() or int(c[5]) != check_digit(c[:5]) or not e.get('name') or
               not e.get('pref_code') or not e.get('pref_name'))
        if bad:
            sys.exit(f'refresh.py: entry {i} is not a valid code entry: {json.dumps(e, ensure_ascii=False)}')
    codes = [e['code'] for e in new]
    if len(set(codes)) != len(codes):
        sys.exit('refresh.py: a code appears twice')
    old = {e['code'] for e in json.load(open(out, encoding='utf-8'))} if os.path.exists(out) else set()
    new.sort(key=lambda e: e['code'])
    tmp = out + '.tmp'
    with open(tmp, 'w', encoding='utf-8') as f:
        json.dump(new, f, ensure_ascii=False, indent=4)
        f.write('\n')
    os.replace(tmp, out)
    print(f'{len(new)} codes: {len(set(codes) - old)} new, {len(old - set(codes))} gone')


main()
