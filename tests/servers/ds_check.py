#!/usr/bin/env python3
"""Checks that the CKAN test server's DataStore holds exactly the tables of a package.

usage: ds_check.py CKAN_URL PKG_DIR [--dataset NAME] [--max-rows-sent N] [--upserts N]

For every CSV resource with a Table Schema in PKG_DIR/datapackage.json: exactly one
DataStore resource carries it (kplan_datastore), url_type "datastore", its url the
/datastore/dump/ of its id (which answers 200); its fields are the schema's names in
order with the PostgreSQL type of each Table Schema type, the titles as info.label and
the descriptions as info.notes; the primary key is the schema's; and its rows are the
CSV's rows, each exactly once (empty cells null, integers as integers, numbers equal,
booleans as booleans).  With --max-rows-sent N, the request log since the last reset
holds DataStore writes of at most N rows in all; with --upserts N, exactly N
datastore_upsert calls.  Exits 0, or 1 with one line per problem.
"""
import argparse
import csv
import decimal
import json
import os
import sys
import urllib.request

PG = {"string": "text", "integer": "int8", "number": "numeric", "boolean": "bool",
      "date": "date", "time": "time", "datetime": "timestamp", "year": "int4",
      "yearmonth": "text", "duration": "interval", "geopoint": "text", "geojson": "json",
      "object": "json", "array": "json", "list": "text", "any": "text"}

ap = argparse.ArgumentParser()
ap.add_argument("ckan")
ap.add_argument("pkg")
ap.add_argument("--dataset")
ap.add_argument("--max-rows-sent", type=int)
ap.add_argument("--upserts", type=int)
a = ap.parse_args()
ckan = a.ckan.rstrip("/")
problems = []


def action(name, **params):
    req = urllib.request.Request("%s/api/3/action/%s" % (ckan, name), data=json.dumps(params).encode(),
                                 headers={"Content-Type": "application/json"})
    return json.load(urllib.request.urlopen(req))["result"]


def expected(value, typ):
    if value == "":
        return None
    if typ == "integer" or typ == "year":
        return int(value)
    if typ == "number":
        return decimal.Decimal(value)
    if typ == "boolean":
        return value == "true"
    return value


def same(got, want):
    if isinstance(want, decimal.Decimal):
        return got is not None and not isinstance(got, bool) and decimal.Decimal(str(got)) == want
    return got == want and type(got) is type(want)


dp = json.load(open(os.path.join(a.pkg, "datapackage.json"), encoding="utf-8"))
name = a.dataset or (dp["dcat"]["lg_code"] + "-" + dp["name"]).lower()
pkg = json.load(urllib.request.urlopen("%s/api/3/action/package_show?id=%s" % (ckan, name)))["result"]
state = json.load(urllib.request.urlopen(ckan + "/_test/state"))
tables = [r for r in dp["resources"] if isinstance(r.get("schema"), dict) and r.get("format") == "csv"]
for r in tables:
    held = [x for x in pkg["resources"] if x.get("kplan_datastore") == r["name"] and x.get("state", "active") == "active"]
    if len(held) != 1:
        problems.append("%s: %d DataStore resources" % (r["name"], len(held)))
        continue
    res = held[0]
    if res.get("url_type") != "datastore" or res.get("url") != "%s/datastore/dump/%s" % (ckan, res["id"]):
        problems.append("%s: not a DataStore-only resource: url_type %r, url %r" % (r["name"], res.get("url_type"), res.get("url")))
    try:
        urllib.request.urlopen(res["url"]).read()
    except Exception as e:  # noqa: BLE001
        problems.append("%s: %s answers %s" % (r["name"], res["url"], e))
    sch = r["schema"]
    fields = sch["fields"]
    info = state["datastore"].get(res["id"])
    if not info:
        problems.append("%s: no DataStore table" % r["name"])
        continue
    got = [(f["id"], f["type"]) for f in info["fields"]]
    want = [(f["name"], PG[f.get("type", "string")]) for f in fields]
    if got != want:
        problems.append("%s: columns %s, expected %s" % (r["name"], got, want))
    for f, g in zip(fields, info["fields"]):
        wi = {k: v for k, v in (("label", f.get("title")), ("notes", f.get("description"))) if v}
        if g.get("info", {}) != wi:
            problems.append("%s: data dictionary of %s is %r, expected %r" % (r["name"], f["name"], g.get("info"), wi))
    pk = sch.get("primaryKey")
    pk = [pk] if isinstance(pk, str) else pk
    if pk and info["primary_key"] != pk:
        problems.append("%s: primary key %r, expected %r" % (r["name"], info["primary_key"], pk))
    # the rows
    rows = []
    offset = 0
    while True:
        page = action("datastore_search", resource_id=res["id"], limit=32000, offset=offset, sort="_id")
        rows += page["records"]
        if len(page["records"]) < 32000:
            break
        offset += 32000
    with open(os.path.join(a.pkg, r["path"]), encoding="utf-8-sig", newline="") as fh:
        rd = csv.reader(fh)
        next(rd)
        local = [row for row in rd if row]
    if len(rows) != len(local):
        problems.append("%s: the DataStore holds %d rows, the CSV %d" % (r["name"], len(rows), len(local)))
    ids = [f["name"] for f in fields]
    key = pk or ids

    def kv(rec):
        return tuple(json.dumps(rec.get(k), sort_keys=True, default=str) for k in key)
    held_rows = {}
    for rec in rows:
        k = kv(rec)
        if k in held_rows:
            problems.append("%s: row %s held twice" % (r["name"], k))
            break
        held_rows[k] = rec
    bad = 0
    for row in local:
        want = {f["name"]: expected(v, f.get("type", "string")) for f, v in zip(fields, row)}
        kk = tuple(json.dumps(float(want[k]) if isinstance(want[k], decimal.Decimal) else want[k],
                              sort_keys=True, default=str) for k in key)
        rec = held_rows.get(kk)
        if rec is None:
            problems.append("%s: row %s missing" % (r["name"], kk))
            bad += 1
        else:
            for k in ids:
                if not same(rec.get(k), want[k]):
                    problems.append("%s: row %s: %s is %r, expected %r" % (r["name"], kk, k, rec.get(k), want[k]))
                    bad += 1
                    break
        if bad >= 5:
            break
writes = [l for l in state["log"] if l["write"] and l["action"].startswith("datastore_")]
sent = sum(l.get("rows", 0) for l in writes)
if a.max_rows_sent is not None and sent > a.max_rows_sent:
    problems.append("%d rows sent to the DataStore, at most %d expected" % (sent, a.max_rows_sent))
ups = [l for l in state["log"] if l["action"] == "datastore_upsert"]
if a.upserts is not None and len(ups) != a.upserts:
    problems.append("%d datastore_upsert calls, %d expected" % (len(ups), a.upserts))
for p in problems[:20]:
    print("ds_check: " + p)
print("ds_check: %d table(s), %d rows sent, %d upserts, %d problems" % (len(tables), sent, len(ups), len(problems)), file=sys.stderr)
sys.exit(1 if problems else 0)
