//! Writes a generated dump of both clusters of a vcluster, as
//! `kubectl get pv,pvc,storageclass -A -o yaml` (or `-o json`) prints them, for the audit
//! benchmark of BENCHMARKS.md.
//!
//! ```text
//! cargo run --release --example generate_dump -- --pairs 100000 --out /tmp/dump \
//!     [--format yaml|json] [--mode fake|sync] [--no-managed-fields]
//! ```
//!
//! It writes `OUT/virtual.yaml` and `OUT/host.yaml` (`.json` with `--format json`): `--pairs`
//! bound claims, each with its PV, in both clusters, with `managedFields`, labels, annotations
//! and status as a real cluster has them (V = `my-vcluster`, H = `vcluster-my-vcluster`; run the
//! audit with `--name my-vcluster --host-namespace vcluster-my-vcluster`). In fake mode
//! (vcluster's default) the virtual PVs are fake PVs; in sync mode they mirror the host PVs (pass
//! the audit a vcluster.yaml with `sync.toHost.persistentVolumes.enabled: true`). One claim in 7
//! uses a `Retain` class (a `TenantSeesDeleteHostRetains` finding in fake mode), and one host PV
//! in 97 is `Released` with no virtual PV (`ReleasedHostPvWithoutVirtual`). The output is the
//! same for the same arguments. `--no-managed-fields` leaves `managedFields` out, as kubectl 1.21
//! and later print objects unless given `--show-managed-fields`.

// A generator, not library code: its arithmetic is on small counters and its indexes are
// modulo the arrays' lengths.
#![allow(clippy::arithmetic_side_effects, clippy::indexing_slicing)]

use std::fs::File;
use std::io::{BufWriter, Write};
use std::process::ExitCode;

use serde_json::{Map, Value, json};

const V: &str = "my-vcluster";
const H: &str = "vcluster-my-vcluster";
const USAGE: &str = "usage: generate_dump --pairs N --out DIR [--format yaml|json] [--mode fake|sync] \
                     [--no-managed-fields]";

#[derive(Clone, Copy, PartialEq)]
enum Format {
    Yaml,
    Json,
}

struct Args {
    pairs: u64,
    out: String,
    format: Format,
    sync: bool,
    managed_fields: bool,
}

fn parse_args() -> Result<Args, String> {
    let (mut pairs, mut out, mut format, mut sync) = (None, None, Format::Yaml, false);
    let mut managed_fields = true;
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        if flag == "--no-managed-fields" {
            managed_fields = false;
            continue;
        }
        let value = it
            .next()
            .ok_or_else(|| format!("{flag} needs a value; {USAGE}"))?;
        match flag.as_str() {
            "--pairs" => pairs = Some(value.parse::<u64>().map_err(|e| format!("--pairs: {e}"))?),
            "--out" => out = Some(value),
            "--format" => {
                format = match value.as_str() {
                    "yaml" => Format::Yaml,
                    "json" => Format::Json,
                    other => return Err(format!("unknown format {other:?}; {USAGE}")),
                }
            }
            "--mode" => {
                sync = match value.as_str() {
                    "fake" => false,
                    "sync" => true,
                    other => return Err(format!("unknown mode {other:?}; {USAGE}")),
                }
            }
            other => return Err(format!("unknown argument {other:?}; {USAGE}")),
        }
    }
    match (pairs, out) {
        (Some(pairs), Some(out)) => Ok(Args {
            pairs,
            out,
            format,
            sync,
            managed_fields,
        }),
        _ => Err(USAGE.to_owned()),
    }
}

/// A deterministic UUID for object `n` of family `family`.
fn uid(family: u32, n: u64) -> String {
    let x = n.wrapping_mul(0x9e37_79b9_7f4a_7c15)
        ^ u64::from(family).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    format!(
        "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
        family,
        (x >> 48) & 0xffff,
        (x >> 36) & 0xfff,
        0x8000 | ((x >> 20) & 0x3fff),
        (n ^ (x << 8)) & 0xffff_ffff_ffff
    )
}

/// An RFC 3339 time `n` minutes after the cluster's start.
fn time(n: u64) -> String {
    let minutes = n % (60 * 24 * 28);
    format!(
        "2026-02-{:02}T{:02}:{:02}:{:02}Z",
        1 + minutes / (60 * 24),
        (minutes / 60) % 24,
        minutes % 60,
        n % 60
    )
}

struct Pair {
    namespace: String,
    claim: String,
    app: String,
    class: &'static str,
    size: String,
    virtual_uid: String,
    host_claim_uid: String,
    volume: String,
    zone: &'static str,
    created: String,
    bound: String,
    released: bool,
}

fn pair(i: u64) -> Pair {
    let apps = [
        "postgres",
        "kafka",
        "redis",
        "elasticsearch",
        "minio",
        "mysql",
        "prometheus",
    ];
    let app = apps[(i % 7) as usize];
    let host_claim_uid = uid(2, i);
    Pair {
        namespace: format!("team-{:03}", i % 211),
        claim: format!("data-{app}-{i}"),
        app: app.to_owned(),
        class: if i % 7 == 3 { "gp3-retain" } else { "gp3" },
        size: format!("{}Gi", [1, 5, 10, 20, 50, 100, 200][(i % 7) as usize]),
        virtual_uid: uid(1, i),
        volume: format!("pvc-{host_claim_uid}"),
        host_claim_uid,
        zone: ["us-east-1a", "us-east-1b", "us-east-1c"][(i % 3) as usize],
        created: time(i),
        bound: time(i + 1),
        released: i % 97 == 50,
    }
}

fn managed(
    manager: &str,
    operation: &str,
    at: &str,
    fields: Value,
    subresource: Option<&str>,
) -> Value {
    let mut entry = json!({
        "apiVersion": "v1",
        "fieldsType": "FieldsV1",
        "fieldsV1": fields,
        "manager": manager,
        "operation": operation,
        "time": at,
    });
    if let (Some(sub), Some(map)) = (subresource, entry.as_object_mut()) {
        map.insert("subresource".to_owned(), json!(sub));
    }
    entry
}

fn pvc_fields_controller() -> Value {
    json!({"f:metadata": {"f:annotations": {
        "f:pv.kubernetes.io/bind-completed": {},
        "f:pv.kubernetes.io/bound-by-controller": {},
        "f:volume.beta.kubernetes.io/storage-provisioner": {},
        "f:volume.kubernetes.io/storage-provisioner": {}}},
        "f:spec": {"f:volumeName": {}}})
}

fn pvc_status_fields() -> Value {
    json!({"f:status": {"f:accessModes": {}, "f:capacity": {".": {}, "f:storage": {}}, "f:phase": {}}})
}

fn pvc_spec(p: &Pair) -> Value {
    json!({
        "accessModes": ["ReadWriteOnce"],
        "resources": {"requests": {"storage": p.size}},
        "storageClassName": p.class,
        "volumeMode": "Filesystem",
        "volumeName": p.volume,
    })
}

fn pvc_status(p: &Pair) -> Value {
    json!({"accessModes": ["ReadWriteOnce"], "capacity": {"storage": p.size}, "phase": "Bound"})
}

fn virtual_pvc(i: u64, p: &Pair) -> Value {
    json!({
        "apiVersion": "v1",
        "kind": "PersistentVolumeClaim",
        "metadata": {
            "annotations": {
                "pv.kubernetes.io/bind-completed": "yes",
                "pv.kubernetes.io/bound-by-controller": "yes",
                "volume.beta.kubernetes.io/storage-provisioner": "ebs.csi.aws.com",
                "volume.kubernetes.io/storage-provisioner": "ebs.csi.aws.com",
            },
            "creationTimestamp": p.created,
            "finalizers": ["kubernetes.io/pvc-protection"],
            "labels": {
                "app.kubernetes.io/instance": format!("{}-{}", p.app, i % 13),
                "app.kubernetes.io/name": p.app,
            },
            "managedFields": [
                managed("kube-controller-manager", "Update", &p.bound, pvc_fields_controller(), None),
                managed("kube-controller-manager", "Update", &p.bound, pvc_status_fields(), Some("status")),
                managed("kube-controller-manager", "Update", &p.created, json!({"f:metadata": {"f:labels": {
                    ".": {}, "f:app.kubernetes.io/instance": {}, "f:app.kubernetes.io/name": {}}},
                    "f:spec": {"f:accessModes": {}, "f:resources": {"f:requests": {".": {}, "f:storage": {}}},
                    "f:storageClassName": {}, "f:volumeMode": {}}}), None),
            ],
            "name": p.claim,
            "namespace": p.namespace,
            "resourceVersion": format!("{}", 1000 + i * 3),
            "uid": p.virtual_uid,
        },
        "spec": pvc_spec(p),
        "status": pvc_status(p),
    })
}

fn host_claim_name(p: &Pair) -> String {
    format!("{}-x-{}-x-{V}", p.claim, p.namespace)
}

fn host_pvc(i: u64, p: &Pair) -> Value {
    json!({
        "apiVersion": "v1",
        "kind": "PersistentVolumeClaim",
        "metadata": {
            "annotations": {
                "pv.kubernetes.io/bind-completed": "yes",
                "pv.kubernetes.io/bound-by-controller": "yes",
                "vcluster.loft.sh/object-host-name": host_claim_name(p),
                "vcluster.loft.sh/object-host-namespace": H,
                "vcluster.loft.sh/object-kind": "/v1, Kind=PersistentVolumeClaim",
                "vcluster.loft.sh/object-name": p.claim,
                "vcluster.loft.sh/object-namespace": p.namespace,
                "vcluster.loft.sh/object-uid": p.virtual_uid,
                "volume.beta.kubernetes.io/storage-provisioner": "ebs.csi.aws.com",
                "volume.kubernetes.io/selected-node": format!("ip-10-0-{}-{}.ec2.internal", i % 200, i % 250),
                "volume.kubernetes.io/storage-provisioner": "ebs.csi.aws.com",
            },
            "creationTimestamp": p.created,
            "finalizers": ["kubernetes.io/pvc-protection"],
            "labels": {
                "vcluster.loft.sh/label-my-vcluster-x-a172cedcae": p.app,
                "vcluster.loft.sh/managed-by": V,
                "vcluster.loft.sh/namespace": p.namespace,
            },
            "managedFields": [
                managed("kube-controller-manager", "Update", &p.bound, pvc_fields_controller(), None),
                managed("kube-controller-manager", "Update", &p.bound, pvc_status_fields(), Some("status")),
                managed("vcluster", "Update", &p.created, json!({"f:metadata": {"f:annotations": {".": {},
                    "f:vcluster.loft.sh/object-host-name": {}, "f:vcluster.loft.sh/object-host-namespace": {},
                    "f:vcluster.loft.sh/object-kind": {}, "f:vcluster.loft.sh/object-name": {},
                    "f:vcluster.loft.sh/object-namespace": {}, "f:vcluster.loft.sh/object-uid": {}},
                    "f:labels": {".": {}, "f:vcluster.loft.sh/managed-by": {}, "f:vcluster.loft.sh/namespace": {}}},
                    "f:spec": {"f:accessModes": {}, "f:resources": {"f:requests": {".": {}, "f:storage": {}}},
                    "f:storageClassName": {}, "f:volumeMode": {}}}), None),
            ],
            "name": host_claim_name(p),
            "namespace": H,
            "resourceVersion": format!("{}", 90_000_000 + i * 5),
            "uid": p.host_claim_uid,
        },
        "spec": pvc_spec(p),
        "status": pvc_status(p),
    })
}

fn host_pv(i: u64, p: &Pair) -> Value {
    let policy = if p.class == "gp3-retain" || p.released {
        "Retain"
    } else {
        "Delete"
    };
    let (claim_name, phase) = if p.released {
        (format!("{}-gone", host_claim_name(p)), "Released")
    } else {
        (host_claim_name(p), "Bound")
    };
    json!({
        "apiVersion": "v1",
        "kind": "PersistentVolume",
        "metadata": {
            "annotations": {
                "pv.kubernetes.io/provisioned-by": "ebs.csi.aws.com",
                "volume.kubernetes.io/provisioner-deletion-secret-name": "",
                "volume.kubernetes.io/provisioner-deletion-secret-namespace": "",
            },
            "creationTimestamp": p.bound,
            "finalizers": ["external-provisioner.volume.kubernetes.io/finalizer", "kubernetes.io/pv-protection",
                "external-attacher/ebs-csi-aws-com"],
            "managedFields": [
                managed("csi-provisioner", "Update", &p.bound, json!({"f:metadata": {"f:annotations": {".": {},
                    "f:pv.kubernetes.io/provisioned-by": {},
                    "f:volume.kubernetes.io/provisioner-deletion-secret-name": {},
                    "f:volume.kubernetes.io/provisioner-deletion-secret-namespace": {}},
                    "f:finalizers": {".": {}, "v:\"external-provisioner.volume.kubernetes.io/finalizer\"": {}}},
                    "f:spec": {"f:accessModes": {}, "f:capacity": {".": {}, "f:storage": {}},
                    "f:claimRef": {".": {}, "f:apiVersion": {}, "f:kind": {}, "f:name": {}, "f:namespace": {},
                    "f:resourceVersion": {}, "f:uid": {}},
                    "f:csi": {".": {}, "f:driver": {}, "f:fsType": {}, "f:volumeAttributes": {".": {},
                    "f:storage.kubernetes.io/csiProvisionerIdentity": {}}, "f:volumeHandle": {}},
                    "f:nodeAffinity": {".": {}, "f:required": {}}, "f:persistentVolumeReclaimPolicy": {},
                    "f:storageClassName": {}, "f:volumeMode": {}}}), None),
                managed("kube-controller-manager", "Update", &p.bound, json!({"f:status": {"f:phase": {}}}), Some("status")),
                managed("csi-attacher", "Update", &p.bound, json!({"f:metadata": {"f:finalizers":
                    {"v:\"external-attacher/ebs-csi-aws-com\"": {}}}}), None),
            ],
            "name": p.volume,
            "resourceVersion": format!("{}", 90_000_001 + i * 5),
            "uid": uid(3, i),
        },
        "spec": {
            "accessModes": ["ReadWriteOnce"],
            "capacity": {"storage": p.size},
            "claimRef": {
                "apiVersion": "v1",
                "kind": "PersistentVolumeClaim",
                "name": claim_name,
                "namespace": H,
                "resourceVersion": format!("{}", 90_000_000 + i * 5),
                "uid": p.host_claim_uid,
            },
            "csi": {
                "driver": "ebs.csi.aws.com",
                "fsType": "ext4",
                "volumeAttributes": {"storage.kubernetes.io/csiProvisionerIdentity": "1767322800000-8081-ebs.csi.aws.com"},
                "volumeHandle": format!("vol-{:017x}", i.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 4),
            },
            "nodeAffinity": {"required": {"nodeSelectorTerms": [{"matchExpressions": [
                {"key": "topology.kubernetes.io/zone", "operator": "In", "values": [p.zone]}]}]}},
            "persistentVolumeReclaimPolicy": policy,
            "storageClassName": p.class,
            "volumeMode": "Filesystem",
        },
        "status": {"lastPhaseTransitionTime": p.bound, "phase": phase},
    })
}

fn fake_pv(i: u64, p: &Pair) -> Value {
    json!({
        "apiVersion": "v1",
        "kind": "PersistentVolume",
        "metadata": {
            "annotations": {
                "kubernetes.io/createdby": "fake-pv-provisioner",
                "pv.kubernetes.io/bound-by-controller": "true",
                "pv.kubernetes.io/provisioned-by": "fake-pv-provisioner",
            },
            "creationTimestamp": p.bound,
            "finalizers": ["kubernetes.io/pv-protection"],
            "labels": {"vcluster.loft.sh/fake-pv": "true"},
            "managedFields": [
                managed("vcluster", "Update", &p.bound, json!({"f:metadata": {"f:annotations": {".": {},
                    "f:kubernetes.io/createdby": {}, "f:pv.kubernetes.io/bound-by-controller": {},
                    "f:pv.kubernetes.io/provisioned-by": {}}, "f:labels": {".": {}, "f:vcluster.loft.sh/fake-pv": {}}},
                    "f:spec": {"f:accessModes": {}, "f:capacity": {".": {}, "f:storage": {}},
                    "f:claimRef": {".": {}, "f:apiVersion": {}, "f:kind": {}, "f:name": {}, "f:namespace": {},
                    "f:resourceVersion": {}, "f:uid": {}}, "f:flexVolume": {".": {}, "f:driver": {}},
                    "f:persistentVolumeReclaimPolicy": {}, "f:storageClassName": {}, "f:volumeMode": {}}}), None),
                managed("vcluster", "Update", &p.bound, json!({"f:status": {"f:phase": {}}}), Some("status")),
            ],
            "name": p.volume,
            "resourceVersion": format!("{}", 1001 + i * 3),
            "uid": uid(4, i),
        },
        "spec": {
            "accessModes": ["ReadWriteOnce"],
            "capacity": {"storage": p.size},
            "claimRef": {
                "apiVersion": "v1",
                "kind": "PersistentVolumeClaim",
                "name": p.claim,
                "namespace": p.namespace,
                "resourceVersion": format!("{}", 1000 + i * 3),
                "uid": p.virtual_uid,
            },
            "flexVolume": {"driver": "fake"},
            "persistentVolumeReclaimPolicy": "Delete",
            "storageClassName": p.class,
            "volumeMode": "Filesystem",
        },
        "status": {"lastPhaseTransitionTime": p.bound, "phase": "Bound"},
    })
}

/// The virtual PV of sync mode: the host PV mirrored, annotated with its host PV.
fn mirrored_pv(i: u64, p: &Pair) -> Value {
    let mut pv = host_pv(i, p);
    if let Some(meta) = pv.get_mut("metadata").and_then(Value::as_object_mut) {
        meta.insert("uid".to_owned(), json!(uid(4, i)));
        meta.insert(
            "resourceVersion".to_owned(),
            json!(format!("{}", 1001 + i * 3)),
        );
        if let Some(Value::Object(annotations)) = meta.get_mut("annotations") {
            annotations.insert("vcluster.loft.sh/host-pv".to_owned(), json!(p.volume));
        }
    }
    if let Some(claim) = pv
        .pointer_mut("/spec/claimRef")
        .and_then(Value::as_object_mut)
    {
        claim.insert("name".to_owned(), json!(p.claim));
        claim.insert("namespace".to_owned(), json!(p.namespace));
        claim.insert("uid".to_owned(), json!(p.virtual_uid));
        claim.insert(
            "resourceVersion".to_owned(),
            json!(format!("{}", 1000 + i * 3)),
        );
    }
    pv
}

fn classes() -> Vec<Value> {
    ["gp3", "gp3-retain"]
        .iter()
        .map(|name| {
            json!({
                "allowVolumeExpansion": true,
                "apiVersion": "storage.k8s.io/v1",
                "kind": "StorageClass",
                "metadata": {
                    "annotations": if *name == "gp3" {
                        json!({"storageclass.kubernetes.io/is-default-class": "true"})
                    } else {
                        json!({})
                    },
                    "creationTimestamp": "2026-01-10T09:00:00Z",
                    "name": name,
                    "resourceVersion": "412",
                    "uid": uid(5, name.len() as u64),
                },
                "parameters": {"fsType": "ext4", "type": "gp3"},
                "provisioner": "ebs.csi.aws.com",
                "reclaimPolicy": if *name == "gp3" { "Delete" } else { "Retain" },
                "volumeBindingMode": "WaitForFirstConsumer",
            })
        })
        .collect()
}

/// Writes a `List` item by item, as kubectl does: YAML block style with sorted keys (go-yaml's
/// output), or JSON indented by four spaces.
struct ListWriter<W: Write> {
    out: W,
    format: Format,
    first: bool,
}

impl<W: Write> ListWriter<W> {
    fn new(mut out: W, format: Format) -> std::io::Result<Self> {
        match format {
            Format::Yaml => out.write_all(b"apiVersion: v1\nitems:\n")?,
            Format::Json => out.write_all(b"{\n    \"apiVersion\": \"v1\",\n    \"items\": [")?,
        }
        Ok(Self {
            out,
            format,
            first: true,
        })
    }

    fn item(&mut self, value: &Value) -> std::io::Result<()> {
        match self.format {
            Format::Yaml => {
                let mut text = String::new();
                yaml_map(value.as_object().unwrap_or(&Map::new()), 2, &mut text);
                // The first line of the item carries the dash.
                self.out.write_all(b"- ")?;
                self.out
                    .write_all(text.get(2..).unwrap_or_default().as_bytes())?;
            }
            Format::Json => {
                self.out
                    .write_all(if self.first { b"\n" } else { b",\n" })?;
                let mut text = Vec::new();
                let formatter = serde_json::ser::PrettyFormatter::with_indent(b"    ");
                let mut ser = serde_json::Serializer::with_formatter(&mut text, formatter);
                serde::Serialize::serialize(value, &mut ser).map_err(std::io::Error::other)?;
                // Indent the item by two levels, as it sits in `items`.
                for (n, line) in text.split(|b| *b == b'\n').enumerate() {
                    if n > 0 {
                        self.out.write_all(b"\n")?;
                    }
                    self.out.write_all(b"        ")?;
                    self.out.write_all(line)?;
                }
            }
        }
        self.first = false;
        Ok(())
    }

    fn finish(mut self) -> std::io::Result<()> {
        match self.format {
            Format::Yaml => self.out.write_all(b"kind: List\nmetadata:\n  resourceVersion: \"\"\n")?,
            Format::Json => self.out.write_all(
                b"\n    ],\n    \"kind\": \"List\",\n    \"metadata\": {\n        \"resourceVersion\": \"\"\n    }\n}\n",
            )?,
        }
        self.out.flush()
    }
}

fn yaml_map(map: &Map<String, Value>, indent: usize, out: &mut String) {
    for (key, value) in map {
        out.extend(std::iter::repeat_n(' ', indent));
        out.push_str(&yaml_scalar(key));
        out.push(':');
        yaml_value(value, indent, out);
    }
}

/// A value after its key (or dash): inline when it is a scalar or empty, else on the next lines.
fn yaml_value(value: &Value, indent: usize, out: &mut String) {
    match value {
        Value::Object(map) if !map.is_empty() => {
            out.push('\n');
            yaml_map(map, indent + 2, out);
        }
        Value::Array(items) if !items.is_empty() => {
            out.push('\n');
            for item in items {
                out.extend(std::iter::repeat_n(' ', indent));
                out.push('-');
                match item {
                    Value::Object(map) if !map.is_empty() => {
                        let mut text = String::new();
                        yaml_map(map, indent + 2, &mut text);
                        out.push(' ');
                        out.push_str(text.get(indent + 2..).unwrap_or_default());
                    }
                    other => yaml_value(other, indent + 2, out),
                }
            }
        }
        Value::Object(_) => out.push_str(" {}\n"),
        Value::Array(_) => out.push_str(" []\n"),
        Value::String(s) => {
            out.push(' ');
            out.push_str(&yaml_scalar(s));
            out.push('\n');
        }
        other => {
            out.push(' ');
            out.push_str(&other.to_string());
            out.push('\n');
        }
    }
}

/// A string plain when YAML reads it back as the same string, else double-quoted.
fn yaml_scalar(s: &str) -> String {
    let plain = !s.is_empty()
        && !s.starts_with(|c: char| "-?:,[]{}#&*!|>'\"%@` ".contains(c) || c.is_ascii_digit())
        && !s.ends_with(' ')
        && !s.contains(": ")
        && !s.contains(" #")
        && !s.ends_with(':')
        && s.chars().all(|c| c.is_ascii_graphic() || c == ' ')
        && !matches!(
            s.to_ascii_lowercase().as_str(),
            "true"
                | "false"
                | "yes"
                | "no"
                | "on"
                | "off"
                | "y"
                | "n"
                | "null"
                | "~"
                | ".inf"
                | ".nan"
        );
    if plain {
        s.to_owned()
    } else {
        Value::String(s.to_owned()).to_string()
    }
}

fn write_cluster(
    path: &str,
    format: Format,
    managed_fields: bool,
    items: impl Iterator<Item = Value>,
) -> Result<(), String> {
    let file = File::create(path).map_err(|e| format!("{path}: {e}"))?;
    let mut list = ListWriter::new(BufWriter::with_capacity(1 << 20, file), format)
        .map_err(|e| format!("{path}: {e}"))?;
    for mut item in items {
        if !managed_fields
            && let Some(meta) = item.get_mut("metadata").and_then(Value::as_object_mut)
        {
            meta.remove("managedFields");
        }
        list.item(&item).map_err(|e| format!("{path}: {e}"))?;
    }
    list.finish().map_err(|e| format!("{path}: {e}"))
}

fn run(args: &Args) -> Result<(), String> {
    std::fs::create_dir_all(&args.out).map_err(|e| format!("{}: {e}", args.out))?;
    let ext = if args.format == Format::Json {
        "json"
    } else {
        "yaml"
    };
    let n = args.pairs;
    let sync = args.sync;
    let virtual_path = format!("{}/virtual.{ext}", args.out);
    let pvcs = (0..n)
        .filter(|i| !pair(*i).released)
        .map(|i| virtual_pvc(i, &pair(i)));
    let pvs = (0..n).filter(|i| !pair(*i).released).map(move |i| {
        let p = pair(i);
        if sync {
            mirrored_pv(i, &p)
        } else {
            fake_pv(i, &p)
        }
    });
    write_cluster(
        &virtual_path,
        args.format,
        args.managed_fields,
        classes().into_iter().chain(pvcs).chain(pvs),
    )?;
    let host_path = format!("{}/host.{ext}", args.out);
    let pvcs = (0..n)
        .filter(|i| !pair(*i).released)
        .map(|i| host_pvc(i, &pair(i)));
    let pvs = (0..n).map(|i| host_pv(i, &pair(i)));
    write_cluster(
        &host_path,
        args.format,
        args.managed_fields,
        classes().into_iter().chain(pvcs).chain(pvs),
    )?;
    println!("{virtual_path}\n{host_path}");
    Ok(())
}

fn main() -> ExitCode {
    match parse_args().and_then(|args| run(&args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}
