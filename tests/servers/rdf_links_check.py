#!/usr/bin/env python3
"""Checks that every link of a dataset's published DCAT record resolves on the portal.

usage: rdf_links_check.py CKAN_URL DATASET

Finds the dataset's RDF resource through the Action API (package_show), downloads it
from the URL the portal gives, parses it with rdflib, and fetches every dcat:downloadURL,
dcat:accessURL and dcat:landingPage, the dataset's and each distribution's IRI and the
catalog's: each must answer 200; a distribution stating spdx:checksumValue or
dcat:byteSize must serve exactly those bytes.  Every resource of the dataset must be a
distribution of the record, found by its download URL (but CSVW metadata).  Exits 0, or 1 with one line per
problem.
"""
import hashlib
import json
import sys
import urllib.error
import urllib.request

import rdflib
from rdflib.namespace import DCAT, RDF, FOAF

SPDX = rdflib.Namespace("http://spdx.org/rdf/terms#")
ckan, name = sys.argv[1].rstrip("/"), sys.argv[2]
problems = []


def get(url):
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, b""
    except (urllib.error.URLError, OSError) as e:
        return str(e), b""


def must(url, what):
    st, body = get(str(url))
    if st != 200:
        problems.append("%s %s answers %s" % (what, url, st))
        return None
    return body


pkg = json.load(urllib.request.urlopen("%s/api/3/action/package_show?id=%s" % (ckan, name)))["result"]
rdfs = [r for r in pkg["resources"] if (r.get("format") or "").lower() == "rdf"]
if len(rdfs) != 1:
    sys.exit("rdf_links_check: expected one RDF resource, found %d" % len(rdfs))
data = must(rdfs[0]["url"], "the RDF resource")
if data is None:
    sys.exit("rdf_links_check: " + problems[0])
g = rdflib.Graph()
g.parse(data=data, format="xml")

catalogs = list(g.subjects(RDF.type, DCAT.Catalog))
datasets = list(g.subjects(RDF.type, DCAT.Dataset))
if len(catalogs) != 1 or len(datasets) != 1:
    problems.append("expected one catalog and one dataset, found %d and %d" % (len(catalogs), len(datasets)))
for c in catalogs:
    must(c, "the catalog IRI")
    for h in g.objects(c, FOAF.homepage):
        must(h, "the catalog's homepage")
for d in datasets:
    must(d, "the dataset IRI")
    pages = list(g.objects(d, DCAT.landingPage))
    if not pages:
        problems.append("the dataset has no dcat:landingPage")
    for p in pages:
        must(p, "the landing page")
downloads = set()
for dist in g.subjects(RDF.type, DCAT.Distribution):
    must(dist, "the distribution IRI")
    urls = list(g.objects(dist, DCAT.downloadURL))
    if len(urls) != 1:
        problems.append("distribution %s has %d download URLs" % (dist, len(urls)))
        continue
    body = must(urls[0], "the download URL")
    downloads.add(str(urls[0]))
    for acc in g.objects(dist, DCAT.accessURL):
        must(acc, "the access URL")
    if body is None:
        continue
    for ck in g.objects(dist, SPDX.checksum):
        want = str(g.value(ck, SPDX.checksumValue))
        if hashlib.sha256(body).hexdigest() != want:
            problems.append("%s: served SHA-256 %s, the RDF states %s" % (
                urls[0], hashlib.sha256(body).hexdigest(), want))
    size = g.value(dist, DCAT.byteSize)
    if size is not None and int(size) != len(body):
        problems.append("%s: served %d bytes, the RDF states %s" % (urls[0], len(body), size))
for r in pkg["resources"]:
    # a CSV's CSVW metadata describes the CSV; kplan's record does not list it
    if r.get("kplan_name") and r["url"] not in downloads and not r["url"].endswith("-metadata.json"):
        problems.append("resource %s (%s) is not a distribution of the record" % (r["kplan_name"], r["url"]))
for p in problems:
    print("rdf_links_check: " + p)
print("rdf_links_check: %d distributions, %d problems" % (len(downloads), len(problems)), file=sys.stderr)
sys.exit(1 if problems else 0)
