#!/usr/bin/env python3
"""Checks that the CKAN test server holds exactly the package, and nothing twice.

usage: ckan_check.py CKAN_URL PKG_DIR [--dataset NAME] [--writes N] [--absent] [--foreign N]
  --writes N   the request log (since the last reset) holds exactly N committed writes
  --absent     the dataset must not exist (and no write may have happened)
  --foreign N  N resources without kplan_name (added by hand) are expected besides
Exits 0 when all holds, 1 with one line per problem otherwise.
"""
import argparse
import hashlib
import html
import json
import os
import re
import sys
import urllib.parse
import urllib.request

ap = argparse.ArgumentParser()
ap.add_argument("ckan")
ap.add_argument("pkg")
ap.add_argument("--dataset")
ap.add_argument("--writes", type=int)
ap.add_argument("--absent", action="store_true")
ap.add_argument("--foreign", type=int, default=0, help="resources without kplan_name expected")
a = ap.parse_args()

state = json.load(urllib.request.urlopen(a.ckan + "/_test/state"))
dp = json.load(open(os.path.join(a.pkg, "datapackage.json"), encoding="utf-8"))
name = a.dataset or (dp["dcat"]["lg_code"] + "-" + dp["name"]).lower()
problems = []
writes = [l for l in state["log"] if l["write"]]
if a.writes is not None and len(writes) != a.writes:
    problems.append("expected %d write(s), the log holds %d: %s" % (
        a.writes, len(writes), ", ".join(l["action"] for l in writes)))
pkgs = [p for p in state["packages"] if p["name"] == name and p["state"] == "active"]
if a.absent:
    if pkgs or state["writes"]:
        problems.append("dataset %s exists or writes happened (%d)" % (name, state["writes"]))
else:
    if len(pkgs) != 1:
        problems.append("expected exactly one dataset %s, found %d" % (name, len(pkgs)))
    else:
        p = pkgs[0]
        if p["title"] != dp["title"]:
            problems.append("title %r != %r" % (p["title"], dp["title"]))
        # the keywords, and for a table of a standard dataset the tags aggregators know it by
        want_tags = set(dp["keywords"])
        for r in dp["resources"]:
            std = (r.get("schema") or {}).get("standard") or {}
            if std.get("name") and std.get("generation"):
                want_tags.add("自治体標準ODS" if std["generation"] == "new" else "推奨データセット")
                want_tags.add(std["name"][:-2] if std["name"].endswith("一覧") else std["name"])
        if sorted(t["name"] for t in p["tags"]) != sorted(want_tags):
            problems.append("tags %r != %r" % ([t["name"] for t in p["tags"]], sorted(want_tags)))
        extras = {e["key"]: e["value"] for e in p["extras"]}
        for k, src in (("lg_code", "lg_code"), ("temporal_start", "temporal_start"),
                       ("spatial_uri", "spatial"), ("publisher_name", "publisher")):
            if extras.get(k) != dp["dcat"].get(src):
                problems.append("extra %s = %r, expected %r" % (k, extras.get(k), dp["dcat"].get(src)))
        everything = [r for r in p["resources"] if r.get("state", "active") == "active"]
        active = [r for r in everything if "kplan_name" in r]
        foreign = [r for r in everything if "kplan_name" not in r and "kplan_datastore" not in r]
        if len(foreign) != a.foreign:
            problems.append("expected %d resources added by hand, found %d" % (a.foreign, len(foreign)))
        if len(active) != len(dp["resources"]):
            problems.append("expected %d resources, found %d: %s" % (
                len(dp["resources"]), len(active), [r.get("kplan_name") for r in active]))
        for want in dp["resources"]:
            got = [r for r in active if r.get("kplan_name") == want["name"]]
            if len(got) != 1:
                problems.append("resource %s present %d times" % (want["name"], len(got)))
                continue
            r = got[0]
            if r.get("name") != want.get("title", want["name"]):
                problems.append("resource %s: name %r" % (want["name"], r.get("name")))
            if not r["url"].endswith("/download/" + want["path"]):
                problems.append("resource %s: url %s" % (want["name"], r["url"]))


def site(url):
    u = urllib.parse.urlsplit(url)
    return "%s://%s/" % (u.scheme, u.netloc.lower())


def relinked(data, resources):
    """The RDF as the portal must hold it: each link of the export (download_base + file,
    the distribution IRIs, and the dataset and catalog IRIs when the landing page is on
    the portal) replaced by the portal's URL for it; everything else byte for byte."""
    dcat = dp.get("dcat", {})
    base = dcat.get("download_base", "")
    base += "" if base.endswith("/") else "/"
    landing = dcat.get("landing_page", "")
    ds = landing.rstrip("/")
    page = "%s/dataset/%s" % (a.ckan.rstrip("/"), name)
    links = {}
    for want, r in resources:
        links.setdefault(base + want["path"], r["url"])
        links.setdefault(ds + "/resource/" + want["path"], page + "/resource/" + r["id"])
    if landing and site(landing) == site(a.ckan):
        for k in (landing, ds):
            links.setdefault(k, page)
        links.setdefault(site(landing), a.ckan.rstrip("/") + "/")
    # each distribution's dates as the portal has them (kplan_issued, kplan_modified)
    dates = {(ds + "/resource/" + want["path"]).encode(): (r.get("kplan_issued"), r.get("kplan_modified"))
             for want, r in resources}

    def redate(m):
        issued, modified = dates.get(html.unescape(m.group(1).decode()).encode(), (None, None))
        body = m.group(0)
        if issued:
            body = re.sub(rb"(<dct:issued(?:\s[^>]*)?(?<!/)>)[^<]*(</dct:issued>)", lambda x: x.group(1) + issued.encode() + x.group(2), body)
        if modified:
            body = re.sub(rb"(<dct:modified(?:\s[^>]*)?(?<!/)>)[^<]*(</dct:modified>)", lambda x: x.group(1) + modified.encode() + x.group(2), body)
        return body
    data = re.sub(rb'<dcat:Distribution rdf:about="([^"]*)".*?</dcat:Distribution>', redate, data, flags=re.S)
    # the dataset's modified: the portal's field (the package's, or a data file's later change)
    modified = {e["key"]: e["value"] for e in pkgs[0]["extras"]}.get("modified")
    if modified:
        data = re.sub(rb'(<dcat:Dataset rdf:about="[^"]*">.*?<dct:modified(?:\s[^>]*)?(?<!/)>)[^<]*(</dct:modified>)',
                      lambda x: x.group(1) + modified.encode() + x.group(2), data, count=1, flags=re.S)

    def sub(m):
        v = html.unescape(m.group(3).decode())
        if v not in links:
            return m.group(0)
        to = html.escape(links[v], quote=True).replace("&#x27;", "'")
        return m.group(1) + to.encode() + m.group(2)
    return re.sub(rb'((?<=[ \t\r\n])rdf:(?:about|resource)=(["\']))(.*?)\2', sub, data, flags=re.S)


if not a.absent and len(pkgs) == 1:
    found = [(w, [r for r in active if r.get("kplan_name") == w["name"]]) for w in dp["resources"]]
    found = [(w, g[0]) for w, g in found if len(g) == 1]
    for want, r in found:
        data = open(os.path.join(a.pkg, want["path"]), "rb").read()
        if (want.get("format") or "").lower() == "rdf":
            data = relinked(data, found)
        if state["files"].get(r["id"]) != hashlib.sha256(data).hexdigest():
            problems.append("resource %s: stored file differs from %s%s" % (
                want["name"], want["path"], " (with the portal's links)" if want.get("format") == "rdf" else ""))
        if r.get("size") != len(data):
            problems.append("resource %s: size %r != %d" % (want["name"], r.get("size"), len(data)))
        sha = hashlib.sha256(data).hexdigest()
        if r.get("kplan_sha256") != sha or r.get("hash") != sha:
            problems.append("resource %s: checksum keys not set" % want["name"])

for line in problems:
    print("ckan_check: " + line)
sys.exit(1 if problems else 0)
