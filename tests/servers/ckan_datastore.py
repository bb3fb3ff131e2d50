"""The CKAN DataStore for the CKAN test server (ckan_server.py), on sqlite3.

Follows shared/reference/ckan-datastore-quality.md section A, with the differences of
CKAN 2.9, 2.10 and 2.11 chosen by --ckan-version:
  * datastore_create: resource_id (alias id) xor resource (a DataStore-only resource,
    url_type "datastore"; a resource with a url needs the datapusher: refused); fields
    with PostgreSQL types, names checked as CKAN does (no leading _, no ", no control
    characters, at most 63 characters, no duplicates); a type is required unless
    records[0] lets it be guessed; on an existing table 2.9/2.10 want the existing
    fields first and in order ('Supplied field "X" not present or in wrong order');
    new fields are added, types of existing ones kept, data dictionary (info)
    replaced; primary_key replaced (uniqueness checked); records appended;
    unknown top-level keys refused (__junk);
  * datastore_upsert: method upsert|insert|update, by the primary key (2.9: a table
    without one is refused; 2.10+: records may carry _id instead); extra keys refused;
    the whole request one transaction; dry_run rolls back;
  * datastore_delete: no filters drops the table (datastore_active false); filters a
    dict of field → value or list of values; datastore_records_delete on 2.11 only;
  * datastore_search: filters, fields, sort, limit (default 100, at most 32000),
    offset, include_total; fields with PostgreSQL type names and info;
  * datastore_info: 2.9's {"schema", "meta": {"count"}} or 2.10+'s {"meta", "fields"};
  * values as PostgreSQL takes them: "" in a non-text column fails on 2.9/2.10 and is
    NULL on 2.11; a bad value fails the request with {"records": [...], "records_row"
    (2.11) or "_records_row" (2.9/2.10): N};
  * the read-only rule: a resource whose url_type is not "datastore" needs force;
  * GET /datastore/dump/{id} serves the table as CSV; package_show gives a DataStore
    resource's url as {site}/datastore/dump/{id} and, except on 2.9 (ckan/ckan#7834),
    datastore_active.
"""
import csv
import datetime
import decimal
import io
import json
import re
import sqlite3
import uuid

INT_TYPES = {"int": 32, "int4": 32, "integer": 32, "int2": 16, "smallint": 16, "int8": 64,
             "bigint": 64}
FLOAT_TYPES = {"float": "float8", "float8": "float8", "float4": "float4", "real": "float4",
               "double precision": "float8"}
OTHER_TYPES = {"text": "text", "varchar": "text", "numeric": "numeric", "decimal": "numeric",
               "bool": "bool", "boolean": "bool", "date": "date", "time": "time",
               "timestamp": "timestamp", "timestamptz": "timestamptz", "json": "json",
               "jsonb": "json", "interval": "interval", "_text": "_text", "text[]": "_text",
               "_int4": "_int4", "int[]": "_int4", "uuid": "uuid"}
SEARCH_MAX = 32000
SEARCH_DEFAULT = 100
READ_ONLY = {
    "2.9": "Cannot edit read-only resource. Either pass\"force=True\" or change url-type to \"datastore\"",
    "2.10": "Cannot edit read-only resource. Either pass\"force=True\" or change url_type to \"datastore\"",
    "2.11": "Cannot edit read-only resource because changes made may be lost. Use a resource created "
            "for editing e.g. with datastore_create or use \"force=True\" to ignore this warning.",
}
CREATE_KEYS = {"resource_id", "resource", "force", "fields", "records", "primary_key", "indexes",
               "aliases", "triggers", "calculate_record_count"}
UPSERT_KEYS = {"resource_id", "records", "method", "force", "dry_run", "calculate_record_count"}
DELETE_KEYS = {"resource_id", "filters", "force", "calculate_record_count"}
SEARCH_KEYS = {"resource_id", "filters", "q", "full_text", "fields", "sort", "limit", "offset",
               "distinct", "include_total", "records_format", "plain", "language",
               "total_estimation_threshold"}


def pg_type(t):
    """The canonical PostgreSQL name of a type as CKAN reports it, or None if invalid."""
    if not isinstance(t, str):
        return None
    t = t.strip().lower()
    if t in INT_TYPES:
        return {16: "int2", 32: "int4", 64: "int8"}[INT_TYPES[t]]
    return FLOAT_TYPES.get(t) or OTHER_TYPES.get(t)


class ValueProblem(Exception):
    pass


def convert(value, typ, version):
    """A JSON value for a column of type typ → what is stored (text, int, float or JSON
    text), as PostgreSQL would take the parameter; raises ValueProblem."""
    if value is None:
        return None
    if typ == "text":
        return value if isinstance(value, str) else json.dumps(value) if isinstance(value, (dict, list)) else str(value)
    if typ == "json":
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, str) and value == "":
        if version == "2.11":
            return None  # [#7358] lenient datastore API
        raise ValueProblem("invalid input syntax for type %s: \"\"" % {
            "int4": "integer", "int8": "bigint", "int2": "smallint", "numeric": "numeric",
            "float8": "double precision", "bool": "boolean"}.get(typ, typ))
    bad = ValueProblem("invalid input syntax for type %s: \"%s\"" % (
        {"int4": "integer", "int8": "bigint", "int2": "smallint", "float8": "double precision",
         "bool": "boolean"}.get(typ, typ), value))
    if typ in ("int2", "int4", "int8"):
        if isinstance(value, bool):
            raise bad
        if isinstance(value, int):
            n = value
        elif isinstance(value, str) and re.fullmatch(r"\s*[+-]?\d+\s*", value):
            n = int(value)
        elif isinstance(value, float) and value.is_integer():
            n = int(value)
        else:
            raise bad
        bits = {"int2": 16, "int4": 32, "int8": 64}[typ]
        if not -(1 << (bits - 1)) <= n < (1 << (bits - 1)):
            raise ValueProblem("value \"%s\" is out of range for type %s" % (value, typ))
        return n
    if typ in ("numeric", "float8", "float4"):
        if isinstance(value, bool):
            raise bad
        if isinstance(value, (int, float)):
            return str(value) if typ == "numeric" else float(value)
        try:
            d = decimal.Decimal(value.strip())
        except (decimal.InvalidOperation, AttributeError):
            raise bad
        return str(d) if typ == "numeric" else float(d)
    if typ == "bool":
        if isinstance(value, bool):
            return int(value)
        v = str(value).strip().lower()
        if v in ("t", "true", "y", "yes", "on", "1"):
            return 1
        if v in ("f", "false", "n", "no", "off", "0"):
            return 0
        raise bad
    if typ == "date":
        try:
            return datetime.date.fromisoformat(str(value).strip()).isoformat()
        except ValueError:
            raise ValueProblem("invalid input syntax for type date: \"%s\"" % value)
    if typ in ("timestamp", "timestamptz"):
        v = str(value).strip().replace("Z", "+00:00")
        try:
            t = datetime.datetime.fromisoformat(v)
        except ValueError:
            try:
                t = datetime.datetime.combine(datetime.date.fromisoformat(v), datetime.time())
            except ValueError:
                raise ValueProblem("invalid input syntax for type timestamp: \"%s\"" % value)
        if typ == "timestamp":
            t = t.replace(tzinfo=None)
        return t.isoformat()
    if typ == "time":
        try:
            return datetime.time.fromisoformat(str(value).strip()).isoformat()
        except ValueError:
            raise ValueProblem("invalid input syntax for type time: \"%s\"" % value)
    if typ in ("_text", "_int4"):
        if not isinstance(value, list):
            raise ValueProblem("malformed array literal: \"%s\"" % value)
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def out_value(v, typ):
    """A stored value as datastore_search gives it."""
    if v is None:
        return None
    if typ == "bool":
        return bool(v)
    if typ == "numeric":
        d = decimal.Decimal(v)
        return int(d) if d == d.to_integral_value() and "." not in v and "e" not in v.lower() else float(d)
    if typ in ("json", "_text", "_int4"):
        return json.loads(v)
    return v


def valid_field_name(name):
    """ckanext/datastore/helpers.py is_valid_field_name."""
    return (isinstance(name, str) and name and name.strip() == name and not name.startswith("_")
            and '"' not in name and not any(ord(c) < 32 for c in name))


def q(name):
    return '"' + name.replace('"', '""') + '"'


class DataStore:
    """The tables, one per resource id, in one sqlite database (used under the server's lock)."""

    def __init__(self, path, version):
        self.db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=MEMORY")
        self.db.execute("PRAGMA synchronous=OFF")
        self.version = version
        self.tables = {}  # rid -> {"fields": [{id, type, info}], "pk": [..]}

    def table(self, rid):
        return "t_" + rid.replace("-", "_")

    def count(self, rid):
        return self.db.execute("SELECT count(*) FROM %s" % self.table(rid)).fetchone()[0]

    def drop(self, rid):
        if rid in self.tables:
            self.db.execute("DROP TABLE IF EXISTS %s" % self.table(rid))
            del self.tables[rid]


class DataStoreActions:
    """Mixed into the request handler, which gives self.st (the state, lock held),
    self.server.args.ckan_version, self.require_user and the errors self.invalid(errors),
    self.not_found(detail) and self.action_error(status, error)."""

    @property
    def ds(self):
        return self.st.datastore

    @property
    def version(self):
        return self.server.args.ckan_version

    def ds_junk(self, params, allowed):
        junk = [k for k in params if k not in allowed]
        if junk:
            raise self.invalid({"__junk": ["The input field %s was not expected." % junk]})

    def ds_resource(self, params, force_ok=True, need_table=True):
        rid = params.pop("id", None) or params.get("resource_id")
        params["resource_id"] = rid
        if not rid:
            raise self.invalid({"resource_id": ["Missing value"]})
        p, res = self.st.resource(rid)
        if not res:
            raise self.not_found('Resource "%s" was not found.' % rid)
        force = params.get("force") in (True, "true", "True")
        if force_ok and res.get("url_type") != "datastore" and not force:
            raise self.invalid({"read-only": [READ_ONLY[self.version]]})
        if need_table and rid not in self.ds.tables:
            raise self.not_found('Resource "%s" was not found.' % rid)
        return p, res, rid

    def ds_fields_check(self, fields):
        if not isinstance(fields, list):
            raise self.invalid({"fields": ["Not a list"]})
        seen = set()
        for f in fields:
            if not isinstance(f, dict) or "id" not in f:
                raise self.invalid({"fields": [{"id": ["Missing value"]}]})
            name = f["id"]
            if not valid_field_name(name):
                raise self.invalid({"fields": ['"%s" is not a valid field name' % name]})
            if len(name) > 63:
                raise self.invalid({"fields": ['Column heading "%s" exceeds limit of 63 characters.' % name]})
            if name in seen:
                raise self.invalid({"field": ["Duplicate column names are not supported"]})
            seen.add(name)
            if "type" in f and pg_type(f["type"]) is None:
                raise self.invalid({"fields": ['"%s" is not a valid field type' % f["type"]]})
            if "info" in f and not isinstance(f["info"], dict):
                raise self.invalid({"fields": [{"info": ["Not a dict"]}]})

    def ds_guess(self, value):
        if isinstance(value, bool):
            return "bool"
        if isinstance(value, int):
            return "int4"
        if isinstance(value, float):
            return "float8"
        if isinstance(value, (dict, list)):
            return "json"
        if isinstance(value, str):
            if re.fullmatch(r"[+-]?\d+", value):
                return "int4"
            try:
                float(value)
                return "numeric"
            except ValueError:
                pass
            try:
                datetime.datetime.fromisoformat(value)
                return "timestamp"
            except ValueError:
                pass
        return "text"

    def ds_store_rows(self, rid, records, method):
        """Writes records (inside the caller's transaction); raises ActionError."""
        t = self.ds.tables[rid]
        types = {f["id"]: f["type"] for f in t["fields"]}
        pk = t["pk"]
        row_key = "records_row" if self.version == "2.11" else "_records_row"
        if not isinstance(records, list):
            raise self.invalid({"records": ["Not a list"]})
        if method in ("upsert", "update") and not pk:
            if self.version == "2.9" or not all(isinstance(r, dict) and "_id" in r for r in records):
                raise self.invalid({"table": ["table does not have a unique key defined"]})
        name = self.ds.table(rid)
        for n, rec in enumerate(records):
            if not isinstance(rec, dict):
                raise self.invalid({"records": ["row \"%d\" is not a json object" % n]})
            extra = [k for k in rec if k not in types and k != "_id"]
            if extra:
                raise self.invalid({"records": ['row "%d" has extra keys "%s"' % (n + 1, ", ".join(extra))]})
            try:
                vals = {k: convert(v, types[k], self.version) for k, v in rec.items() if k != "_id"}
            except ValueProblem as e:
                raise self.invalid({"records": [str(e)], row_key: n})
            try:
                if method == "insert":
                    cols = list(vals)
                    self.ds.db.execute("INSERT INTO %s (%s) VALUES (%s)" % (
                        name, ",".join(q(c) for c in cols), ",".join("?" * len(cols))),
                        [vals[c] for c in cols])
                    continue
                if pk:
                    missing = [k for k in pk if vals.get(k) is None]
                    if missing:
                        raise self.invalid({"key": ['fields "%s" are missing but needed as key' % ", ".join(missing)]})
                    where = " AND ".join("%s = ?" % q(k) for k in pk)
                    key = [vals[k] for k in pk]
                else:
                    where, key = "_id = ?", [rec["_id"]]
                setcols = [c for c in vals if c not in pk]
                found = self.ds.db.execute("SELECT _id FROM %s WHERE %s" % (name, where), key).fetchone()
                if found:
                    if setcols:
                        self.ds.db.execute("UPDATE %s SET %s WHERE _id = ?" % (
                            name, ",".join("%s = ?" % q(c) for c in setcols)),
                            [vals[c] for c in setcols] + [found[0]])
                elif method == "update":
                    raise self.invalid({"key": ['key "%s" not found' % key]})
                else:
                    cols = list(vals)
                    self.ds.db.execute("INSERT INTO %s (%s) VALUES (%s)" % (
                        name, ",".join(q(c) for c in cols), ",".join("?" * len(cols))),
                        [vals[c] for c in cols])
            except sqlite3.IntegrityError as e:
                if "NOT NULL" in str(e):
                    raise self.invalid({"records": ['null value in column violates not-null constraint'], row_key: n})
                raise self.invalid({"constraints": ["Cannot insert records or create index because of "
                                               "uniqueness constraint"],
                               "info": {"orig": str(e), "pgcode": "23505"}})

    def ds_transaction(self, fn):
        db = self.ds.db
        db.execute("SAVEPOINT ds")
        try:
            out = fn()
        except BaseException:
            db.execute("ROLLBACK TO ds")
            db.execute("RELEASE ds")
            raise
        db.execute("RELEASE ds")
        return out

    def ds_result_fields(self, rid):
        t = self.ds.tables[rid]
        out = [{"id": "_id", "type": "int"}]
        for f in t["fields"]:
            d = {"id": f["id"], "type": f["type"]}
            if f.get("info"):
                d["info"] = f["info"]
            out.append(d)
        return out

    # --- actions ----------------------------------------------------------------------
    def act_datastore_create(self, params, upload, user):
        self.require_user(user, "create datastore")
        params = dict(params)
        if "id" in params:
            params["resource_id"] = params.pop("id")
        keys = CREATE_KEYS | ({"delete_fields"} if self.version == "2.11" else set())
        self.ds_junk(params, keys)
        if params.get("resource") is not None and params.get("resource_id"):
            raise self.invalid({"resource": ["resource cannot be used with resource_id"]})
        if params.get("resource") is None and not params.get("resource_id"):
            raise self.invalid({"resource_id": ["resource_id or resource required"]})
        fields = params.get("fields") or []
        records = params.get("records")
        self.ds_fields_check(fields)
        pk = params.get("primary_key")
        if isinstance(pk, str):
            pk = [k.strip() for k in pk.split(",") if k.strip()]

        def work():
            if params.get("resource") is not None:
                r = params["resource"]
                if not isinstance(r, dict) or not r.get("package_id"):
                    raise self.invalid({"resource": [{"package_id": ["Missing value"]}]})
                if r.get("url"):
                    raise self.invalid({"resource": ["The datapusher has to be enabled."]})
                p = self.st.package(r["package_id"])
                if not p:
                    raise self.not_found("Dataset was not found.")
                res = {k: v for k, v in r.items() if k != "package_id"}
                rid = str(uuid.uuid4())
                res.update({"id": rid, "package_id": p["id"], "state": "active", "created": now(),
                            "metadata_modified": now(), "url": "_datastore_only_resource",
                            "url_type": "datastore", "format": (r.get("format") or "").upper()})
                res.setdefault("name", None)
                res.setdefault("description", "")
                res["position"] = len(p["resources"])
                p["resources"].append(res)
            else:
                p, res, rid = self.ds_resource(params, need_table=False)
            name = self.ds.table(rid)
            t = self.ds.tables.get(rid)
            if t is None:
                cols = []
                for f in fields:
                    typ = f.get("type")
                    if not typ:
                        if not records or f["id"] not in records[0]:
                            raise self.invalid({"fields": ['"%s" type not guessable' % f["id"]]})
                        typ = self.ds_guess(records[0][f["id"]])
                    cols.append({"id": f["id"], "type": pg_type(typ), "info": f.get("info") or {}})
                for k in pk or []:
                    if k not in [c["id"] for c in cols]:
                        raise self.invalid({"primary_key": ['field "%s" not in table' % k]})
                self.ds.db.execute("CREATE TABLE %s (_id INTEGER PRIMARY KEY AUTOINCREMENT%s%s)" % (
                    name, "".join(", %s%s" % (q(c["id"]), " NOT NULL" if c["id"] in (pk or []) else "")
                                  for c in cols),
                    (", UNIQUE (%s)" % ",".join(q(k) for k in pk)) if pk else ""))
                t = {"fields": cols, "pk": list(pk or [])}
                self.ds.tables[rid] = t
            else:
                have = [f["id"] for f in t["fields"]]
                given = [f["id"] for f in fields]
                if self.version in ("2.9", "2.10"):
                    for i, fid in enumerate(have):
                        if i >= len(given) or given[i] != fid:
                            if given:
                                raise self.invalid({"fields": ['Supplied field "%s" not present or in wrong order' % fid]})
                byid = {f["id"]: f for f in t["fields"]}
                for f in fields:
                    if f["id"] in byid:
                        if "info" in f:
                            byid[f["id"]]["info"] = f["info"] or {}
                    else:
                        typ = f.get("type") or (records and f["id"] in records[0] and self.ds_guess(records[0][f["id"]]))
                        if not typ:
                            raise self.invalid({"fields": ['"%s" type not guessable' % f["id"]]})
                        self.ds.db.execute("ALTER TABLE %s ADD COLUMN %s" % (name, q(f["id"])))
                        t["fields"].append({"id": f["id"], "type": pg_type(typ), "info": f.get("info") or {}})
                if pk is not None and list(pk) != t["pk"]:
                    # replacing the unique key: rebuild the table with the new constraint
                    cols = ",".join(q(c["id"]) for c in t["fields"])
                    self.ds.db.execute("CREATE TABLE %s_new (_id INTEGER PRIMARY KEY AUTOINCREMENT%s%s)" % (
                        name, "".join(", %s%s" % (q(c["id"]), " NOT NULL" if c["id"] in pk else "")
                                      for c in t["fields"]),
                        (", UNIQUE (%s)" % ",".join(q(k) for k in pk)) if pk else ""))
                    try:
                        self.ds.db.execute("INSERT INTO %s_new (_id,%s) SELECT _id,%s FROM %s" % (name, cols, cols, name))
                    except sqlite3.IntegrityError as e:
                        raise self.invalid({"constraints": ["Cannot insert records or create index because of "
                                                       "uniqueness constraint"], "info": {"orig": str(e), "pgcode": "23505"}})
                    self.ds.db.execute("DROP TABLE %s" % name)
                    self.ds.db.execute("ALTER TABLE %s_new RENAME TO %s" % (name, name))
                    t["pk"] = list(pk)
            if records:
                self.ds_store_rows(rid, records, "insert")
            res["datastore_active"] = True
            p["metadata_modified"] = now()
            out = {"resource_id": rid, "fields": [{"id": f["id"], "type": f["type"], "info": f["info"]}
                                                  for f in t["fields"]],
                   "method": "insert"}
            if t["pk"]:
                out["primary_key"] = t["pk"]
            if records is not None:
                out["records"] = records
            return out
        return self.ds_transaction_state(work)

    def ds_transaction_state(self, work):
        """The sqlite transaction, and the package state restored on failure too."""
        snapshot = json.dumps(self.st.packages)
        tables = json.dumps(self.ds.tables)
        try:
            return self.ds_transaction(work)
        except BaseException:
            self.st.packages.clear()
            self.st.packages.update(json.loads(snapshot))
            self.ds.tables.clear()
            self.ds.tables.update(json.loads(tables))
            raise

    def act_datastore_upsert(self, params, upload, user):
        self.require_user(user, "update datastore")
        params = dict(params)
        self.ds_junk(params, UPSERT_KEYS | {"id"})
        p, res, rid = self.ds_resource(params)
        method = params.get("method") or "upsert"
        if method not in ("upsert", "insert", "update"):
            raise self.invalid({"method": ['"%s" is not a valid method' % method]})
        records = params.get("records") or []

        def work():
            self.ds_store_rows(rid, records, method)
            if params.get("dry_run") in (True, "true"):
                raise DryRun()
            return {"resource_id": rid, "method": method, "records": records}
        try:
            return self.ds_transaction(work)
        except DryRun:
            return {"resource_id": rid, "method": method, "records": records}

    def ds_where(self, rid, filters):
        if filters is None:
            return "", []
        if not isinstance(filters, dict):
            raise self.invalid({"filters": ["filters must be either a dict or null."]})
        t = self.ds.tables[rid]
        types = {f["id"]: f["type"] for f in t["fields"]}
        types["_id"] = "int4"
        clauses, args = [], []
        for k, v in filters.items():
            if k not in types:
                raise self.invalid({"filters": ['field "%s" not in table' % k]})
            vals = v if isinstance(v, list) else [v]
            try:
                vals = [convert(x, types[k], "2.11") for x in vals]
            except ValueProblem as e:
                raise self.invalid({"filters": [str(e)]})
            clauses.append("%s IN (%s)" % (q(k), ",".join("?" * len(vals))))
            args.extend(vals)
        return (" WHERE " + " AND ".join(clauses)) if clauses else "", args

    def act_datastore_delete(self, params, upload, user):
        self.require_user(user, "delete datastore")
        params = dict(params)
        self.ds_junk(params, DELETE_KEYS | {"id"})
        p, res, rid = self.ds_resource(params)
        if "filters" not in params:
            self.ds.drop(rid)
            res["datastore_active"] = False
            return {"resource_id": rid}
        where, args = self.ds_where(rid, params["filters"])
        self.ds_transaction(lambda: self.ds.db.execute(
            "DELETE FROM %s%s" % (self.ds.table(rid), where), args))
        return {"resource_id": rid, "filters": params["filters"]}

    def act_datastore_records_delete(self, params, upload, user):
        if self.version != "2.11":
            raise self.action_error(400, "Bad request: Action name not known: datastore_records_delete")
        if "filters" not in params:
            raise self.invalid({"filters": ["Missing value"]})
        return self.act_datastore_delete(params, upload, user)

    def act_datastore_search(self, params, upload, user):
        params = dict(params)
        self.ds_junk(params, SEARCH_KEYS | {"id"})
        p, res, rid = self.ds_resource(params, force_ok=False)
        t = self.ds.tables[rid]
        fields = self.ds_result_fields(rid)
        want = params.get("fields")
        if isinstance(want, str):
            want = [w.strip() for w in want.split(",") if w.strip()]
        if want:
            known = {f["id"] for f in fields}
            bad = [w for w in want if w not in known]
            if bad:
                raise self.invalid({"fields": ['field "%s" not in table' % bad[0]]})
            fields = [f for f in fields if f["id"] in want]
        try:
            limit = int(params.get("limit", SEARCH_DEFAULT))
            offset = int(params.get("offset", 0))
        except (TypeError, ValueError):
            raise self.invalid({"limit": ["Invalid integer"]})
        limit = min(max(limit, 0), SEARCH_MAX)
        filters = params.get("filters")
        if isinstance(filters, str):
            filters = json.loads(filters)
        where, args = self.ds_where(rid, filters)
        order = ""
        sort = params.get("sort")
        if sort:
            parts = []
            for s in (sort.split(",") if isinstance(sort, str) else sort):
                m = re.fullmatch(r"\s*\"?([^\"]+?)\"?(?:\s+(asc|desc))?\s*", s, re.I)
                if not m or m.group(1) not in {f["id"] for f in self.ds_result_fields(rid)}:
                    raise self.invalid({"sort": ['field "%s" not in table' % s]})
                parts.append("%s %s" % (q(m.group(1)), (m.group(2) or "asc").upper()))
            order = " ORDER BY " + ", ".join(parts)
        else:
            order = " ORDER BY _id"
        cols = ",".join(q(f["id"]) for f in fields)
        rows = self.ds.db.execute("SELECT %s FROM %s%s%s LIMIT ? OFFSET ?" % (
            cols, self.ds.table(rid), where, order), args + [limit, offset]).fetchall()
        types = {f["id"]: f["type"] for f in fields}
        recs = [{f["id"]: out_value(v, types[f["id"]]) for f, v in zip(fields, row)} for row in rows]
        out = {"resource_id": rid, "fields": fields, "records": recs, "limit": limit,
               "_links": {"start": "/api/3/action/datastore_search", "next": ""}}
        if offset:
            out["offset"] = offset
        if params.get("include_total", True) not in (False, "false", "False"):
            out["total"] = self.ds.db.execute("SELECT count(*) FROM %s%s" % (
                self.ds.table(rid), where), args).fetchone()[0]
            out["total_was_estimated"] = False
        return out

    def act_datastore_info(self, params, upload, user):
        params = dict(params)
        if self.version == "2.9" and not params.get("id"):
            raise self.invalid({"id": ["Missing value"]})
        p, res, rid = self.ds_resource(params, force_ok=False)
        t = self.ds.tables[rid]
        n = self.ds.count(rid)
        if self.version == "2.9":
            return {"schema": {f["id"]: f["type"] for f in t["fields"]}, "meta": {"count": n}}
        return {"meta": {"count": n, "id": rid, "table_type": "BASE TABLE", "aliases": []},
                "fields": [{"id": f["id"], "type": f["type"], "info": f["info"],
                            "schema": {"native_type": f["type"], "is_index": f["id"] in t["pk"],
                                       "notnull": f["id"] in t["pk"], "uniquekey": f["id"] in t["pk"]}}
                           for f in t["fields"]]}

    def ds_dump(self, rid):
        """GET /datastore/dump/{id}: the table as CSV (header of ids, _id first)."""
        if rid not in self.ds.tables:
            return None
        t = self.ds.tables[rid]
        out = io.StringIO()
        w = csv.writer(out, lineterminator="\r\n")
        ids = ["_id"] + [f["id"] for f in t["fields"]]
        w.writerow(ids)
        for row in self.ds.db.execute("SELECT %s FROM %s ORDER BY _id" % (
                ",".join(q(i) for i in ids), self.ds.table(rid))):
            w.writerow(["" if v is None else v for v in row])
        return out.getvalue().encode("utf-8")


class DryRun(Exception):
    pass


def now():
    return datetime.datetime.utcnow().isoformat()
