#!/usr/bin/env python3
"""The DataStore loading of datapusher and xloader's Tabulator path, as a peer for the
DataStore benchmark: a DataStore-only resource made by datastore_create, then the
table's rows appended 250 at a time (datapusher's CHUNK_INSERT_ROWS, xloader's
chunky(…, 250)), each batch one datastore_create with "records"
(shared/reference/ckan-datastore-quality.md A.5).  The same typed values as kplan sends,
so the server does the same work per row; only the batching differs.

usage: ds-load-250.py CKAN_URL TOKEN PACKAGE_ID CSV SCHEMA.json
Prints: rows, requests, seconds.
"""
import csv
import json
import sys
import time
import urllib.request

ckan, token, pkg_id, path, schema_path = sys.argv[1:]
schema = json.load(open(schema_path, encoding="utf-8"))
PG = {"string": "text", "integer": "int8", "number": "numeric", "boolean": "bool"}
fields = [{"id": f["name"], "type": PG.get(f.get("type"), "text"),
           "info": {"label": f.get("title", "")}} for f in schema["fields"]]
kinds = [f.get("type") for f in schema["fields"]]
requests = 0


def call(action, body):
    global requests
    requests += 1
    req = urllib.request.Request("%s/api/3/action/%s" % (ckan, action), data=json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json", "Authorization": token})
    return json.load(urllib.request.urlopen(req, timeout=600))["result"]


def value(v, k):
    if v == "":
        return None
    if k == "integer":
        return int(v)
    if k == "number":
        return float(v)
    if k == "boolean":
        return v == "true"
    return v


t0 = time.monotonic()
res = call("datastore_create", {"resource": {"package_id": pkg_id, "name": "targets (250 rows per request)"},
                                "fields": fields, "primary_key": schema.get("primaryKey") or []})
rid = res["resource_id"]
rows = 0
batch = []
with open(path, encoding="utf-8-sig", newline="") as f:
    rd = csv.reader(f)
    next(rd)
    for row in rd:
        batch.append({fd["id"]: value(v, k) for fd, v, k in zip(fields, row, kinds)})
        if len(batch) == 250:
            call("datastore_create", {"resource_id": rid, "force": True, "records": batch})
            rows += len(batch)
            batch = []
if batch:
    call("datastore_create", {"resource_id": rid, "force": True, "records": batch})
    rows += len(batch)
print(rows, requests, "%.2f" % (time.monotonic() - t0))
