#!/usr/bin/env python3
"""A package of the benchmark's targets table: FOLDER/datapackage.json with the plan's
targets schema, without the foreign key to items and the plan rules (they need the
other tables, not part of this table), the schema alone as FOLDER/schema.json, and the
table as FOLDER/targets.csv (a hard link to CSV where the file system allows, else a
copy: a symbolic link out of the package folder is refused by the tools).

usage: targets-package.py KPLAN_TOP FOLDER CSV"""
import json
import os
import shutil
import sys

top, out, csv = sys.argv[1:]
src = os.path.join(top, "schemas", "kanazawa-plan")
os.makedirs(out, exist_ok=True)
dp = json.load(open(os.path.join(src, "datapackage.json"), encoding="utf-8"))
r = next(x for x in dp["resources"] if x["name"] == "targets")
s = json.load(open(os.path.join(src, r["schema"]), encoding="utf-8"))
s.pop("foreignKeys", None)
s.pop("rules", None)
r["schema"] = s
dp["resources"] = [r]
json.dump(dp, open(os.path.join(out, "datapackage.json"), "w"), ensure_ascii=False)
json.dump(s, open(os.path.join(out, "schema.json"), "w"), ensure_ascii=False)
dest = os.path.join(out, "targets.csv")
if os.path.lexists(dest):
    os.remove(dest)
try:
    os.link(csv, dest)
except OSError:
    shutil.copyfile(csv, dest)
