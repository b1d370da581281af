#!/usr/bin/env python3
"""An independent model of how vcluster (loft-sh/vcluster at 487667546) resolves the storage
sync mode of a configuration, written from its Go code rather than from this crate's Rust:

- parsing: sigs.k8s.io/yaml over go-yaml v2 (YAML 1.1 booleans, incl. y/Y/n/N), strict: an
  unknown key in a struct is an error (checked here only where SPEC M4 makes it one:
  sync.toHost, sync.fromHost, privateNodes), using chart/values.schema.json;
- pkg/config/validation.go ValidateConfigAndSetDefaults: `auto` promotion, the node-sync check,
  the class-direction check;
- pkg/controllers/register.go (private nodes: no syncers) and
  pkg/controllers/resources/register.go (host class syncer only for exactly "true");
- the v0.19 chart/syncer for legacy values (SPEC M3).

It prints the expectation of every file (and every document of a multi-document file) under a
directory, as rows for the table in tests/config_rules.rs, for review by hand.

Usage: python3 tests/configs/vcluster_oracle.py /path/to/values.schema.json tests/configs/vcluster
"""
import json
import os
import re
import sys

import yaml


class Loader(yaml.SafeLoader):
    """YAML 1.1 as go-yaml v2 reads it: PyYAML lacks y/Y/n/N as booleans."""


Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool",
    re.compile(r"^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$"),
    list("yYnNtTfFoO"),
)
Loader.add_constructor(
    "tag:yaml.org,2002:bool",
    lambda loader, node: loader.construct_scalar(node) in
    ("y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"),
)

LEGACY = ["persistentvolumes", "fake-persistentvolumes", "persistentvolumeclaims", "storageclasses",
          "hoststorageclasses", "legacy-storageclasses", "nodes", "fake-nodes", "services",
          "configmaps", "secrets", "endpoints", "pods", "events", "ingresses", "ingressclasses",
          "priorityclasses", "networkpolicies", "volumesnapshots", "poddisruptionbudgets",
          "serviceaccounts", "csinodes", "csidrivers", "csistoragecapacities", "namespaces",
          "generic"]


class Refused(Exception):
    def __init__(self, path):
        super().__init__(path)
        self.path = path


def get(doc, *path):
    for key in path:
        if not isinstance(doc, dict):
            return None
        doc = doc.get(key)
    return doc


def strict(defs, value, schema, path):
    if value is None:
        return
    if "$ref" in schema:
        d = defs[schema["$ref"].split("/")[-1]]
        if d.get("additionalProperties") is not False:
            return
        if not isinstance(value, dict):
            raise Refused(path)
        for key, child in value.items():
            props = d.get("properties", {})
            if key not in props:
                raise Refused(f"{path}.{key}")
            strict(defs, child, props[key], f"{path}.{key}")
        return
    inner = schema.get("additionalProperties")
    if isinstance(inner, dict) and "$ref" in inner:
        if not isinstance(value, dict):
            raise Refused(path)
        for key, child in value.items():
            strict(defs, child, inner, f"{path}.{key}")
    inner = schema.get("items")
    if isinstance(inner, dict) and "$ref" in inner:
        if not isinstance(value, list):
            raise Refused(path)
        for i, child in enumerate(value):
            strict(defs, child, inner, f"{path}[{i}]")


def boolean(doc, *path, default=False):
    value = get(doc, *path)
    if value is None:
        return default
    if not isinstance(value, bool):
        raise Refused(".".join(path))
    return value


def resolve(defs, doc):
    """("Fake"|"Sync"|"None", "Off"|"FromHost"|"ToHost", "V020"|"Legacy") or Refused(path)."""
    if doc is None:
        doc = {}
    if not isinstance(doc, dict):
        raise Refused("(document)")
    sync = doc.get("sync") or {}
    new = any(doc.get(k) is not None for k in ("controlPlane", "privateNodes")) or any(
        sync.get(k) is not None for k in ("toHost", "fromHost"))
    old = [k for k in LEGACY if sync.get(k) is not None]
    if new and old:
        raise Refused(f"sync.{old[0]}")
    if old:
        real = boolean(doc, "sync", "persistentvolumes", "enabled")
        fake = boolean(doc, "sync", "fake-persistentvolumes", "enabled", default=True)
        pvc = boolean(doc, "sync", "persistentvolumeclaims", "enabled", default=True)
        to_host = boolean(doc, "sync", "storageclasses", "enabled")
        from_host = boolean(doc, "sync", "hoststorageclasses", "enabled") or boolean(
            doc, "sync", "legacy-storageclasses", "enabled")
        scheduler = boolean(doc, "sync", "nodes", "enableScheduler")
        if to_host and from_host:
            raise Refused("sync.hoststorageclasses.enabled")
        pv = "Sync" if real else ("Fake" if fake else "None")
        from_host = from_host or (scheduler and pvc and not to_host)
        return pv, "ToHost" if to_host else ("FromHost" if from_host else "Off"), "Legacy"
    for path, name in ((("sync", "toHost"), "SyncToHost"), (("sync", "fromHost"), "SyncFromHost"),
                       (("privateNodes",), "PrivateNodes")):
        strict(defs, get(doc, *path), {"$ref": f"#/$defs/{name}"}, ".".join(path))
    pvs = boolean(doc, "sync", "toHost", "persistentVolumes", "enabled")
    pvc = boolean(doc, "sync", "toHost", "persistentVolumeClaims", "enabled", default=True)
    to_host = boolean(doc, "sync", "toHost", "storageClasses", "enabled")
    nodes = boolean(doc, "sync", "fromHost", "nodes", "enabled")
    private = boolean(doc, "privateNodes", "enabled")
    scheduler = any([
        boolean(doc, "controlPlane", "advanced", "virtualScheduler", "enabled"),
        boolean(doc, "controlPlane", "distro", "k8s", "scheduler", "enabled"),
        boolean(doc, "sync", "toHost", "pods", "hybridScheduling", "enabled"),
    ])
    # StrBool.UnmarshalJSON: a bool becomes "true"/"false", a string stays as it is.
    from_host = get(doc, "sync", "fromHost", "storageClasses", "enabled")
    if from_host is None:
        from_host = "auto"
    elif isinstance(from_host, bool):
        from_host = "true" if from_host else "false"
    elif not isinstance(from_host, str):
        raise Refused("sync.fromHost.storageClasses.enabled")
    if scheduler and pvc and from_host == "auto" and not to_host:
        from_host = "true"
    if scheduler and not nodes:
        raise Refused("sync.fromHost.nodes.enabled")
    if from_host == "true" and to_host:
        raise Refused("sync.fromHost.storageClasses.enabled")
    if private:
        return "None", "Off", "V020"
    classes = "ToHost" if to_host else ("FromHost" if from_host == "true" else "Off")
    return "Sync" if pvs else "Fake", classes, "V020"


def main():
    defs = json.load(open(sys.argv[1]))["$defs"]
    directory = sys.argv[2]
    for name in sorted(os.listdir(directory)):
        text = open(os.path.join(directory, name)).read()
        documents = text.split("\n---\n") if name.startswith("chart-tests-") else [text]
        source = re.match(r"# Source: loft-sh/vcluster (.*) at commit ", text).group(1)
        for index, doc_text in enumerate(documents, start=1):
            case = re.search(r"^# it: (.*)$", doc_text, re.M)
            label = f"{source}#{index} {case.group(1)}" if case else source
            try:
                pv, classes, generation = resolve(defs, yaml.load(doc_text, Loader=Loader))
                print(f'("{label}", ok({pv}, {classes}, {generation})),')
            except Refused as refused:
                print(f'("{label}", refused("{refused.path}")),')


if __name__ == "__main__":
    main()
