#!/usr/bin/env python3
"""A CKAN Action API test server (Python standard library only).

Follows the contract written down in shared/reference/ckan-dcat.md sections 1-2:
  * routes /api/3/action/<name> and /api/action/<name>, GET only for read actions
    (GET on a write action: 400 with a bare JSON string), unknown action: 400 bare string;
  * envelope {"help", "success", "result"} / {"help", "success": false, "error": {...}}
    with the status table of ckan/views/api.py: 403 Authorization Error, 404 Not Found
    Error, 409 Validation Error (field errors at top level of "error"), 500;
  * token in `Authorization` (raw, no "Bearer") or `X-CKAN-API-Key`; a wrong token is
    anonymous, so writes fail with 403 "Access denied: User  not authorized to ...";
  * package_show / organization_show / package_create / package_patch / resource_create /
    resource_patch / resource_show; tags, extras and name validation as CKAN does;
  * multipart uploads (part "upload"): munged filename, server-measured size, url
    rewritten to {site}/dataset/{pkg}/resource/{res}/download/{file}, mimetype guessed,
    format normalised; a body over --max-resource-size MiB gives 409
    {"upload": ["File upload too large"]} after the body was read; a body over
    --proxy-max-body bytes gives an nginx-style HTML 413 before it is read.

Web pages: GET / , /dataset/{name or id} and /dataset/{id}/resource/{rid} answer 200 HTML
when they exist (404 otherwise); /dataset/{id}/resource/{rid}/download/{file} serves the
stored bytes when file is the stored (munged) name.

The DataStore (datastore_create/upsert/delete/search/info, /datastore/dump/{id}) as
ckan_datastore.py describes it, on sqlite3, with the differences of --ckan-version
2.9|2.10|2.11 (default 2.11).

Test hooks (no auth):
  GET  /_test/state   {"packages": [...package_show dicts...], "files": {res_id: sha256},
                       "datastore": {res_id: {fields, primary_key, count}},
                       "log": [{n, method, action, status, write, fault}], "writes": N}
  POST /_test/faults  JSON list of {"action": NAME or "*", "nth": K (K-th call of that
                       action from now, default 1) | "at": N (N-th request after reset),
                       "kind": KIND, "seconds": S}
  POST /_test/reset   clears the log and the faults (data kept); {"data": true} clears data too
Fault kinds: "500", "503", "html502" (before any work); "500_after_write",
"search_index_error", "html504_after_write", "drop_after_write" (connection closed
without an answer after the write was committed), "slow_after_write" (answer delayed
by S seconds, default 5, after the write), "hang_before_write" / "hang_after_write"
(wait S seconds, default 120, for a test to kill the client), "slow_read_body" (the body
is read at 2.5 MiB/s; the entry's status is "reading" meanwhile), "redirect" (301 to
another host), "html413", "trickle_after_write" (the answer, after the write, sent 2
bytes every 0.5 s for at most S seconds, default 30), "echo_token_403" (before any work:
a 403 whose error message quotes the Authorization header, as a careless proxy might).
"""
import argparse
import datetime
import email.parser
import email.policy
import hashlib
import json
import mimetypes
import os
import re
import socket
import ssl
import sys
import threading
import time
import unicodedata
import urllib.parse
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ckan_datastore import DataStore, DataStoreActions  # noqa: E402

READ_ACTIONS = {"package_show", "organization_show", "resource_show", "status_show",
                "package_list", "organization_list", "license_list", "datastore_search",
                "datastore_info"}
WRITE_ACTIONS = {"package_create", "package_patch", "resource_create", "resource_patch",
                 "package_delete", "resource_delete", "datastore_create", "datastore_upsert",
                 "datastore_delete", "datastore_records_delete"}
CORE_PACKAGE_KEYS = {"id", "name", "title", "author", "author_email", "maintainer",
                     "maintainer_email", "license_id", "notes", "url", "version", "state",
                     "type", "owner_org", "private", "tags", "extras", "resources", "groups",
                     "metadata_created", "metadata_modified", "creator_user_id",
                     "relationships_as_subject", "relationships_as_object", "tag_string",
                     "plugin_data"}
CORE_RESOURCE_KEYS = {"id", "package_id", "url", "name", "description", "format", "hash",
                      "resource_type", "mimetype", "mimetype_inner", "size", "created",
                      "last_modified", "cache_url", "cache_last_updated", "url_type",
                      "state", "position", "metadata_modified", "upload"}
NAME_RE = re.compile(r"^[a-z0-9_-]*$")
TAG_RE = re.compile(r"^[\w \-.]*$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MB = 1 << 20


class ActionError(Exception):
    def __init__(self, status, error):
        super().__init__(error)
        self.status = status
        self.error = error


class Truncated(Exception):
    pass


def not_found(detail=None):
    return ActionError(404, {"__type": "Not Found Error",
                             "message": "Not found" + (": " + detail if detail else "")})


def denied(detail):
    return ActionError(403, {"__type": "Authorization Error", "message": "Access denied: " + detail})


def invalid(errors):
    e = dict(errors)
    e["__type"] = "Validation Error"
    return ActionError(409, e)


def now():
    return datetime.datetime.utcnow().isoformat()


def munge_filename(name):
    """ckan/lib/munge.py munge_filename: basename, ASCII, [a-zA-Z0-9_. -], spaces to -."""
    name = os.path.basename(name)
    name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    name = re.sub(r"[^a-zA-Z0-9_. -]", "", name).replace(" ", "-").lower()
    return name[:100] or "file"


class State:
    def __init__(self, args):
        self.lock = threading.Lock()
        self.args = args
        self.orgs = {}
        for o in args.org:
            oid = str(uuid.uuid4())
            self.orgs[oid] = {"id": oid, "name": o, "title": o.capitalize(), "type": "organization",
                              "is_organization": True, "state": "active", "package_count": 0}
        self.packages = {}   # id -> package dict (resources inside)
        self.files = {}      # resource id -> (sha256, size)
        self.storage = args.storage
        self.datastore = DataStore(os.path.join(args.storage, "datastore.sqlite3"), args.ckan_version)
        self.reset_log()
        self.hung = []

    def reset_log(self):
        self.log = []
        self.faults = []
        self.counts = {}
        self.writes = 0

    def org(self, key):
        for o in self.orgs.values():
            if key in (o["id"], o["name"]):
                return o
        return None

    def package(self, key, include_deleted=True):
        for p in self.packages.values():
            if key == p["id"] or (key == p["name"]):
                if include_deleted or p["state"] != "deleted":
                    return p
        return None

    def resource(self, rid):
        for p in self.packages.values():
            for r in p["resources"]:
                if r["id"] == rid:
                    return p, r
        return None, None


class Handler(DataStoreActions, BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "ckan-test"
    invalid = staticmethod(invalid)
    not_found = staticmethod(not_found)
    action_error = staticmethod(ActionError)

    def log_message(self, fmt, *args):  # quiet; tests read /_test/state
        if self.server.args.verbose:
            sys.stderr.write("ckan-test: " + (fmt % args) + "\n")

    # --- plumbing ------------------------------------------------------------------
    @property
    def st(self):
        return self.server.state

    def site(self):
        return self.server.site_url

    def send(self, status, body, ctype="application/json;charset=utf-8", extra=None):
        data = body if isinstance(body, bytes) else body.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def send_json(self, status, obj):
        self.send(status, json.dumps(obj))

    def envelope(self, action, status, result=None, error=None):
        env = {"help": "%s/api/3/action/help_show?name=%s" % (self.site(), action)}
        if error is None:
            env["success"] = True
            env["result"] = result
        else:
            env["success"] = False
            env["error"] = error
        self.send_json(status, env)

    def html(self, status, title):
        body = ("<html>\r\n<head><title>%d %s</title></head>\r\n<body>\r\n<center><h1>%d %s</h1>"
                "</center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
                % (status, title, status, title))
        self.send(status, body, "text/html")

    def drop(self):
        self.close_connection = True
        try:
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def handle_expect_100(self):
        limit = self.server.args.proxy_max_body
        length = int(self.headers.get("Content-Length") or 0)
        if limit and length > limit:
            with self.st.lock:
                self.st.log.append({"n": len(self.st.log) + 1, "method": self.command,
                                    "action": self.path.rsplit("/", 1)[-1], "status": 413,
                                    "write": False, "fault": "proxy-limit"})
            self.html(413, "Request Entity Too Large")
            self.close_connection = True
            return False
        return super().handle_expect_100()

    def user(self):
        tok = self.headers.get("Authorization") or ""
        if " " in tok:  # "Bearer x" does not decode as a token
            tok = ""
        tok = tok or self.headers.get("X-CKAN-API-Key") or ""
        return "kplan-bot" if tok and tok == self.server.token else ""

    # --- routing -------------------------------------------------------------------
    def do_GET(self):
        self.route("GET")

    def do_POST(self):
        self.route("POST")

    def do_HEAD(self):
        self.route("HEAD")

    def route(self, method):
        url = urllib.parse.urlsplit(self.path)
        path = url.path
        if path.startswith("/_test/"):
            return self.test_hook(method, path)
        m = re.match(r"^/dataset/([^/]+)/resource/([^/]+)/download/([^/]+)$", path)
        if m and method in ("GET", "HEAD"):
            return self.download(m.group(1), m.group(2), urllib.parse.unquote(m.group(3)))
        m = re.match(r"^/datastore/dump/([^/]+)$", path)
        if m and method in ("GET", "HEAD"):
            with self.st.lock:
                data = self.ds_dump(m.group(1))
            if data is None:
                return self.html(404, "Not Found")
            return self.send(200, data, "text/csv; charset=utf-8")
        m = re.match(r"^/(?:dataset/([^/]+)(?:/resource/([^/]+))?/?)?$", path)
        if m and method in ("GET", "HEAD"):
            return self.page(m.group(1), m.group(2))
        m = re.match(r"^/api/(?:3/)?action/([A-Za-z0-9_]+)$", path)
        if not m:
            self.discard_body()
            return self.html(404, "Not Found")
        action = m.group(1)
        limit = self.server.args.proxy_max_body
        if limit and int(self.headers.get("Content-Length") or 0) > limit:
            # What nginx's client_max_body_size does in front of CKAN: the body never
            # reaches the application.  (With "Expect: 100-continue" the answer comes
            # before the body is sent: handle_expect_100.)
            self.discard_body()
            with self.st.lock:
                self.st.log.append({"n": len(self.st.log) + 1, "method": method, "action": action,
                                    "status": 413, "write": False, "fault": "proxy-limit"})
            self.html(413, "Request Entity Too Large")
            self.close_connection = True
            return
        with self.st.lock:
            n = len(self.st.log) + 1
            entry = {"n": n, "method": method, "action": action, "status": None,
                     "write": False, "fault": None}
            self.st.log.append(entry)
            self.st.counts[action] = self.st.counts.get(action, 0) + 1
            fault = self.pick_fault(action, n, self.st.counts[action])
            entry["fault"] = fault and fault["kind"]
        self.run_action(method, action, url, entry, fault)

    def pick_fault(self, action, n, count):
        for f in self.st.faults:
            if f.get("used"):
                continue
            if "at" in f:
                hit = f["at"] == n
            else:
                if f.get("action", "*") not in ("*", action):
                    continue
                f["seen"] = f.get("seen", 0) + 1
                hit = f["seen"] == f.get("nth", 1)
            if hit:
                f["used"] = True
                return f
        return None

    def discard_body(self):
        length = int(self.headers.get("Content-Length") or 0)
        while length > 0:
            chunk = self.rfile.read(min(length, 1 << 16))
            if not chunk:
                break
            length -= len(chunk)

    def read_params(self, method, url):
        """Request data as CKAN's _get_request_data sees it: (params, upload) where upload is
        (filename, bytes) or None.  Raises ActionError(400, bare string)."""
        if method in ("GET", "HEAD"):
            q = urllib.parse.parse_qs(url.query)
            return {k: (v[0] if len(v) == 1 else v) for k, v in q.items()}, None
        length = int(self.headers.get("Content-Length") or 0)
        if getattr(self, "slow_read", False):
            # fault "slow_read_body": 256 KiB every 0.1 s, so a test can kill the client
            # while its upload is under way
            parts = []
            got = 0
            while got < length:
                chunk = self.rfile.read(min(262144, length - got))
                if not chunk:
                    break
                parts.append(chunk)
                got += len(chunk)
                time.sleep(0.1)
            body = b"".join(parts)
        else:
            body = self.rfile.read(length) if length else b""
        if len(body) != length:
            # The client went away mid-body: like werkzeug, nothing is acted upon.
            raise Truncated()
        ctype = self.headers.get("Content-Type") or ""
        if ctype.startswith("application/json"):
            try:
                data = json.loads(body.decode("utf-8")) if body else {}
            except ValueError as e:
                raise ActionError(400, "Bad request: JSON Error: %s" % e)
            if not isinstance(data, dict):
                raise ActionError(400, "Bad request: JSON Error: Request data JSON decoded to %r but "
                                       "it needs to be a dictionary." % data)
            return data, None
        if ctype.startswith("multipart/form-data"):
            msg = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
                b"Content-Type: " + ctype.encode() + b"\r\n\r\n" + body)
            params, upload = {}, None
            for part in msg.iter_parts():
                name = part.get_param("name", header="content-disposition")
                fname = part.get_param("filename", header="content-disposition")
                payload = part.get_payload(decode=True) or b""
                if fname is not None:
                    if name == "upload":
                        upload = (fname, payload)
                else:
                    params[name] = payload.decode("utf-8")
            return params, upload
        raise ActionError(400, "Bad request: JSON Error: Invalid request. Please use the POST "
                               "method with a JSON body")

    def run_action(self, method, action, url, entry, fault):
        kind = fault and fault["kind"]
        secs = fault.get("seconds") if fault else None
        if kind == "html413":
            self.discard_body()
            entry["status"] = 413
            return self.html(413, "Request Entity Too Large")
        if kind == "redirect":
            self.discard_body()
            entry["status"] = 301
            return self.send(301, "", "text/html",
                             {"Location": "https://elsewhere.invalid" + self.path})
        if action not in READ_ACTIONS and action not in WRITE_ACTIONS:
            self.discard_body()
            entry["status"] = 400
            return self.send_json(400, "Bad request: Action name not known: %s" % action)
        if action in WRITE_ACTIONS and method != "POST":
            entry["status"] = 400
            return self.send_json(400, "Bad request: JSON Error: Invalid request. Please use POST "
                                       "method for your request")
        if kind == "slow_read_body":
            self.slow_read = True
            entry["status"] = "reading"
        try:
            params, upload = self.read_params(method, url)
        except Truncated:
            entry["status"] = "truncated"
            return self.drop()
        except ActionError as e:
            entry["status"] = e.status
            return self.send_json(e.status, e.error)
        if kind == "echo_token_403":
            entry["status"] = 403
            return self.envelope(action, 403, error={
                "__type": "Authorization Error",
                "message": "Access denied: token %s is not valid here" %
                           self.headers.get("Authorization", "")})
        if kind in ("500", "503", "html502"):
            entry["status"] = int(kind[-3:])
            if kind == "500":
                return self.envelope(action, 500, error={"__type": "Internal Server Error",
                                                         "message": "Internal Server Error"})
            return self.html(entry["status"], "Service Temporarily Unavailable" if kind == "503"
                             else "Bad Gateway")
        if kind == "hang_before_write":
            self.hang(entry, secs or 120)
            return self.drop()
        user = self.user()
        if action.startswith("datastore_") and isinstance(params.get("records"), list):
            entry["rows"] = len(params["records"])
        try:
            with self.st.lock:
                result = getattr(self, "act_" + action)(params, upload, user)
                if action in WRITE_ACTIONS:
                    entry["write"] = True
                    self.st.writes += 1
            status, error = 200, None
        except ActionError as e:
            result, status, error = None, e.status, e.error
        entry["status"] = status
        if kind == "drop_after_write":
            entry["status"] = "dropped"
            return self.drop()
        if kind == "hang_after_write":
            self.hang(entry, secs or 120)
            return self.drop()
        if kind == "slow_after_write":
            time.sleep(secs or 5)
        if kind == "trickle_after_write":
            return self.trickle(entry, action, status, result, error, secs or 30)
        if kind == "500_after_write":
            entry["status"] = 500
            return self.envelope(action, 500, error={"__type": "Internal Server Error",
                                                     "message": "Internal Server Error"})
        if kind == "search_index_error":
            entry["status"] = 500
            return self.envelope(action, 500, error={
                "__type": "Search Index Error",
                "message": "Unable to add package to search index: test"})
        if kind == "html504_after_write":
            entry["status"] = 504
            return self.html(504, "Gateway Time-out")
        self.envelope(action, status, result=result, error=error)

    def trickle(self, entry, action, status, result, error, secs):
        """The real answer, 2 bytes every 0.5 s, until it is sent, the client goes
        away or secs pass."""
        env = {"help": "%s/api/3/action/help_show?name=%s" % (self.site(), action),
               "success": error is None}
        env["result" if error is None else "error"] = result if error is None else error
        data = json.dumps(env).encode("utf-8")
        entry["status"] = "trickling"
        self.send_response(status)
        self.send_header("Content-Type", "application/json;charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        deadline = time.time() + secs
        try:
            for i in range(0, len(data), 2):
                if time.time() > deadline or self.server.stopping:
                    break
                self.wfile.write(data[i:i + 2])
                self.wfile.flush()
                time.sleep(0.5)
        except OSError:
            entry["status"] = "client-gone"
            return self.drop()
        return self.drop()

    def hang(self, entry, secs):
        entry["status"] = "hung"
        deadline = time.time() + secs
        while time.time() < deadline and not self.server.stopping:
            time.sleep(0.05)

    # --- test hooks ------------------------------------------------------------------
    def test_hook(self, method, path):
        if method == "POST":
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length) or b"null") if length else None
        with self.st.lock:
            if path == "/_test/state":
                pkgs = [self.package_dict(p) for p in self.st.packages.values()]
                files = {rid: v[0] for rid, v in self.st.files.items()}
                ds = {rid: {"fields": t["fields"], "primary_key": t["pk"],
                            "count": self.st.datastore.count(rid)}
                      for rid, t in self.st.datastore.tables.items()}
                return self.send_json(200, {"packages": pkgs, "files": files, "log": self.st.log,
                                            "writes": self.st.writes, "datastore": ds})
            if path == "/_test/faults" and method == "POST":
                self.st.faults.extend(body or [])
                return self.send_json(200, {"ok": True})
            if path == "/_test/reset" and method == "POST":
                self.st.reset_log()
                if body and body.get("data"):
                    self.st.packages.clear()
                    self.st.files.clear()
                    for rid in list(self.st.datastore.tables):
                        self.st.datastore.drop(rid)
                return self.send_json(200, {"ok": True})
        self.send_json(404, {"error": "no such test hook"})

    def page(self, pkg_key, rid):
        """The web pages a published link may name: the site, a dataset (by name or id),
        a resource of that dataset.  Deleted datasets are 404, as for an anonymous visitor."""
        with self.st.lock:
            pkg = self.st.package(pkg_key, include_deleted=False) if pkg_key else None
            res = [r for r in pkg["resources"] if r["id"] == rid] if pkg and rid else []
            title = (res[0].get("name") if res else pkg and pkg.get("title")) or "CKAN"
        if (pkg_key and not pkg) or (rid and not res):
            return self.html(404, "Not Found")
        self.send(200, "<!DOCTYPE html>\n<html><head><title>%s - CKAN</title></head>"
                  "<body></body></html>\n" % title, "text/html;charset=utf-8")

    def download(self, pkg_key, rid, filename):
        """CKAN serves an upload at the URL resource_show gives: the resource of that
        dataset (by id or name), under the stored (munged) file name."""
        with self.st.lock:
            pkg, res = self.st.resource(rid)
            path = os.path.join(self.st.storage, rid) if res else None
            ok = res and pkg_key in (pkg["id"], pkg["name"]) and pkg["state"] != "deleted" \
                and res.get("url_type") == "upload" and res.get("url") == filename
        if not ok or not os.path.exists(path):
            return self.html(404, "Not Found")
        with open(path, "rb") as f:
            data = f.read()
        self.send(200, data, res.get("mimetype") or "application/octet-stream")

    # --- actions (called with the state lock held) -------------------------------------
    def require_user(self, user, what):
        if not user:
            raise denied("User  not authorized to %s" % what)

    def package_dict(self, p):
        d = json.loads(json.dumps(p))
        d["num_resources"] = len(d["resources"])
        d["num_tags"] = len(d["tags"])
        org = self.st.orgs.get(d.get("owner_org"))
        d["organization"] = dict(org) if org else None
        for r in d["resources"]:
            if r.get("url_type") == "upload" and r.get("url") and "://" not in r["url"]:
                r["url"] = "%s/dataset/%s/resource/%s/download/%s" % (
                    self.site(), d["id"], r["id"], r["url"])
            if r.get("url_type") == "datastore":  # datastore plugin's before_resource_show
                r["url"] = "%s/datastore/dump/%s" % (self.site(), r["id"])
            if self.server.args.ckan_version == "2.9":
                r.pop("datastore_active", None)  # shown only after a reindex (ckan/ckan#7834)
        return d

    def act_status_show(self, params, upload, user):
        return {"ckan_version": self.server.args.ckan_version + ".0", "site_url": self.site()}

    def act_organization_show(self, params, upload, user):
        o = self.st.org(params.get("id") or params.get("name_or_id") or "")
        if not o:
            raise not_found()
        d = dict(o)
        d["package_count"] = sum(1 for p in self.st.packages.values()
                                 if p["owner_org"] == o["id"] and p["state"] == "active")
        return d

    def act_package_show(self, params, upload, user):
        key = params.get("id") or params.get("name_or_id")
        if not key:
            raise invalid({"id": ["Missing value"]})
        p = self.st.package(key)
        if not p:
            raise not_found()
        if p.get("private") and not user:
            raise denied("User  not authorized to read package %s" % p["id"])
        return self.package_dict(p)

    def act_resource_show(self, params, upload, user):
        pkg, res = self.st.resource(params.get("id") or "")
        if not res:
            raise not_found("Resource was not found.")
        return self.package_dict(pkg)["resources"][res["position"]]

    def validate_package(self, d, current_id=None):
        errors = {}
        name = d.get("name")
        if not name:
            errors["name"] = ["Missing value"]
        elif not isinstance(name, str) or not NAME_RE.match(name):
            errors["name"] = ["Must be purely lowercase alphanumeric (ascii) characters and these "
                              "symbols: -_"]
        elif len(name) < 2:
            errors["name"] = ["Must be at least 2 characters long"]
        elif len(name) > 100:
            errors["name"] = ["Name must be a maximum of 100 characters long"]
        elif name in ("new", "edit", "search"):
            errors["name"] = ["That name cannot be used"]
        else:
            other = self.st.package(name, include_deleted=False)
            if other and other["id"] != current_id:
                errors["name"] = ["That URL is already in use."]
        if not d.get("owner_org"):
            errors["owner_org"] = ["An organization must be provided"]
        elif not self.st.org(d["owner_org"]):
            errors["owner_org"] = ["Organization does not exist"]
        for key in ("author_email", "maintainer_email"):
            v = d.get(key)
            if v and not EMAIL_RE.match(v):
                errors[key] = ["Email %s is not a valid format" % v]
        if d.get("version") and len(d["version"]) > 100:
            errors["version"] = ["Version must be a maximum of 100 characters long"]
        tags = d.get("tags") or []
        tag_errors = []
        for t in tags:
            n = t.get("name", "") if isinstance(t, dict) else ""
            if len(n) < 2:
                tag_errors.append('Tag "%s" length is less than minimum 2' % n)
            elif len(n) > 100:
                tag_errors.append('Tag "%s" length is more than maximum 100' % n)
            elif not TAG_RE.match(n):
                tag_errors.append('Tag "%s" must be alphanumeric characters or symbols: -_.' % n)
        if tag_errors:
            errors["tags"] = tag_errors
        keys = set()
        for e in d.get("extras") or []:
            k = e.get("key")
            if k in keys:
                errors["extras_validation"] = ['Duplicate key "%s"' % k]
            if k in CORE_PACKAGE_KEYS:
                errors.setdefault("extras", []).append({"key": ["There is a schema field with the same name"]})
            if not isinstance(e.get("value", ""), str):
                errors.setdefault("extras", []).append({"value": ["Must be a string"]})
            keys.add(k)
        if errors:
            raise invalid(errors)

    def normalise_package(self, d):
        d["owner_org"] = self.st.org(d["owner_org"])["id"]
        d["tags"] = [{"id": str(uuid.uuid5(uuid.NAMESPACE_URL, "tag:" + t["name"])),
                      "name": t["name"], "display_name": t["name"], "state": "active",
                      "vocabulary_id": t.get("vocabulary_id")} for t in (d.get("tags") or [])]
        d["extras"] = [{"key": e["key"], "value": e.get("value", "")} for e in (d.get("extras") or [])]
        d.setdefault("title", d["name"])
        for k in ("notes", "url", "version", "author", "author_email", "maintainer",
                  "maintainer_email", "license_id"):
            d.setdefault(k, None)
        d["license_title"] = d.get("license_id")
        return d

    def act_package_create(self, params, upload, user):
        self.require_user(user, "create packages")
        d = dict(params)
        d.pop("id", None)
        self.validate_package(d)
        # A deleted dataset with this name is renamed to its id (CKAN behaviour).
        old = self.st.package(d["name"])
        if old and old["state"] == "deleted":
            old["name"] = old["id"]
        d = self.normalise_package(d)
        pid = str(uuid.uuid4())
        t = now()
        d.update({"id": pid, "state": "active", "type": "dataset", "private": bool(d.get("private")),
                  "metadata_created": t, "metadata_modified": t, "creator_user_id": user,
                  "resources": [], "groups": []})
        self.st.packages[pid] = d
        return self.package_dict(d)

    def act_package_patch(self, params, upload, user):
        self.require_user(user, "edit package")
        key = params.get("id")
        if not key:
            raise invalid({"id": ["Missing value"]})
        p = self.st.package(key)
        if not p:
            raise not_found()
        d = json.loads(json.dumps(p))
        d.update({k: v for k, v in params.items() if k != "id"})
        self.validate_package(d, current_id=p["id"])
        d = self.normalise_package(d)
        d["metadata_modified"] = now()
        self.st.packages[p["id"]] = d
        return self.package_dict(d)

    def act_package_delete(self, params, upload, user):
        self.require_user(user, "delete package")
        p = self.st.package(params.get("id") or "")
        if not p:
            raise not_found()
        p["state"] = "deleted"
        p["metadata_modified"] = now()
        return None

    def act_resource_delete(self, params, upload, user):
        """CKAN removes the resource from the dataset (package_update without it)."""
        self.require_user(user, "delete resource")
        p, res = self.st.resource(params.get("id") or "")
        if not res:
            raise not_found("Resource was not found.")
        p["resources"] = [r for r in p["resources"] if r["id"] != res["id"]]
        self.st.datastore.drop(res["id"])  # the datastore plugin's after_resource_delete
        for i, r in enumerate(p["resources"]):
            r["position"] = i
        p["metadata_modified"] = now()
        return None

    def store_upload(self, res, upload):
        fname, data = upload
        if len(data) > self.server.args.max_resource_size * MB:
            raise invalid({"upload": ["File upload too large"]})
        with open(os.path.join(self.st.storage, res["id"]), "wb") as f:
            f.write(data)
        self.st.files[res["id"]] = (hashlib.sha256(data).hexdigest(), len(data))
        munged = munge_filename(fname)
        res["url"] = munged
        res["url_type"] = "upload"
        res["size"] = len(data)  # the measured size wins over anything sent
        res["last_modified"] = now()
        if not res.get("mimetype"):
            res["mimetype"] = mimetypes.guess_type(munged)[0]

    def clean_format(self, res):
        fmt = res.get("format")
        if not fmt and res.get("url"):
            ext = os.path.splitext(res["url"])[1].lstrip(".")
            fmt = ext
        res["format"] = (fmt or "").upper()

    def act_resource_create(self, params, upload, user):
        self.require_user(user, "create resources")  # CKAN says "edit package"
        pid = params.get("package_id")
        if not pid:
            raise invalid({"package_id": ["Missing value"]})
        p = self.st.package(pid)
        if not p:
            raise not_found("Dataset was not found.")
        res = {k: v for k, v in params.items() if k not in ("upload", "package_id")}
        rid = res.get("id") or str(uuid.uuid4())
        res.update({"id": rid, "package_id": p["id"], "state": "active", "created": now(),
                    "metadata_modified": now(), "url_type": None, "url": res.get("url", "")})
        res.setdefault("name", None)
        res.setdefault("description", "")
        if upload:
            self.store_upload(res, upload)
        self.clean_format(res)
        res["position"] = len(p["resources"])
        p["resources"].append(res)
        p["metadata_modified"] = now()
        return self.package_dict(p)["resources"][res["position"]]

    def act_resource_patch(self, params, upload, user):
        self.require_user(user, "edit package")
        rid = params.get("id")
        if not rid:
            raise invalid({"id": ["Missing value"]})
        p, res = self.st.resource(rid)
        if not res:
            raise not_found("Resource was not found.")
        new = dict(res)
        new.update({k: v for k, v in params.items() if k not in ("upload", "id")})
        if upload:
            self.store_upload(new, upload)
        self.clean_format(new)
        new["metadata_modified"] = now()
        p["resources"][res["position"]] = new
        p["metadata_modified"] = now()
        return self.package_dict(p)["resources"][new["position"]]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--port-file", help="write the listening port here once ready")
    ap.add_argument("--token-file", help="file holding the one valid API token")
    ap.add_argument("--org", action="append", default=[], help="organization name (repeatable)")
    ap.add_argument("--storage", required=True, help="folder for uploaded files")
    ap.add_argument("--max-resource-size", type=float, default=10, help="MiB (ckan.max_resource_size)")
    ap.add_argument("--proxy-max-body", type=int, default=0, help="bytes; larger bodies get HTML 413")
    ap.add_argument("--ckan-version", choices=("2.9", "2.10", "2.11"), default="2.11",
                    help="the DataStore's behaviour (see ckan_datastore.py)")
    ap.add_argument("--tls-cert")
    ap.add_argument("--tls-key")
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args()
    srv = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    srv.daemon_threads = True
    srv.args = args
    srv.stopping = False
    srv.token = None
    if args.token_file:
        with open(args.token_file) as f:
            srv.token = f.read().strip()
    scheme = "http"
    if args.tls_cert:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(args.tls_cert, args.tls_key)
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
        scheme = "https"
    port = srv.server_address[1]
    srv.site_url = "%s://127.0.0.1:%d" % (scheme, port)
    os.makedirs(args.storage, exist_ok=True)
    srv.state = State(args)
    if args.port_file:
        tmp = args.port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write("%d\n" % port)
        os.rename(tmp, args.port_file)
    try:
        srv.serve_forever(poll_interval=0.1)
    except KeyboardInterrupt:
        pass
    finally:
        srv.stopping = True


if __name__ == "__main__":
    main()
