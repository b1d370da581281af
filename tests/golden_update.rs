//! vcluster's own `Sync` on update paths (`tests/golden_update/`, see its README.md) against the
//! crate (SPEC §14, U1-U5).
//!
//! Every case of the seed-7 corpus of the update harness runs through the public API as the
//! harness's rust-runner does: `Translator::pv_pair` (pvsync), `virtual_pvc` and `host_pvc`
//! (pvcsync), `host_storage_class` (sctohost) and `virtual_storage_class` (scfromhost), and again
//! through `Translator::plan` over a two-cluster `Snapshot` built from the case (the previous
//! snapshot from its `last*` objects). Then:
//!
//! - **the plan agrees with the single-object API** on both subjects of every case (the
//!   harness's "crate-plan-vs-single" check, R3), and `keep_in_step` with `pv_pair`;
//! - **the result is vcluster's**, after the normalisation of the harness's `compare.py`
//!   (server-set metadata, `apiVersion`/`kind` and empty values dropped outside string maps,
//!   quantities by value), except where a row of [`EXPLANATIONS`] says why it differs: each
//!   row names a rule id whose row in docs/rules.md's deviation table documents the
//!   difference (checked below). A difference no row explains fails the test, listed with its
//!   case, side, path and both values.
//! - PV pairs (`pvsync`) are the lead's to decide (src/sync): their differences are listed as
//!   **pending**, each with the class the harness gave it ([`PENDING`]); a pvsync difference
//!   that is neither pending nor explained fails too.
//!
//! The counts per function (identical, explained by which rule, pending) are printed.
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[path = "update_admission/kubernetes.rs"]
mod kubernetes;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use k8s_openapi::api::core::v1::{PersistentVolume, PersistentVolumeClaim};
use k8s_openapi::api::storage::v1::StorageClass;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use pv_translate::plan::{ClusterSide, Kind};
use pv_translate::snapshot::Objects;
use pv_translate::storage_class::ClassInputs;
use pv_translate::{
    Action, Decision, Inputs, Plan, PvMode, PvPair, Snapshot, StorageClassMode, SyncMode,
    Translator, VirtualCluster,
};
use serde::Deserialize;
use serde::Serialize;
use serde_json::{Map, Value, json};

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden_update");
const RULES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/rules.md");

// ---------------------------------------------------------------------------------------------
// The case, as the harness writes it
// ---------------------------------------------------------------------------------------------

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct Case {
    id: String,
    #[serde(rename = "fn")]
    function: String,
    name: String,
    host_namespace: String,
    pv_sync: bool,
    sc_to_host: bool,
    sc_from_host: bool,
    class_selector: Option<LabelSelector>,
    meta: Value,

    virtual_pv: Option<PersistentVolume>,
    host_pv: Option<PersistentVolume>,
    last_virtual_pv: Option<PersistentVolume>,
    last_host_pv: Option<PersistentVolume>,

    virtual_pvc: Option<PersistentVolumeClaim>,
    host_pvc: Option<PersistentVolumeClaim>,
    last_virtual_pvc: Option<PersistentVolumeClaim>,
    last_host_pvc: Option<PersistentVolumeClaim>,

    virtual_storage_class: Option<StorageClass>,
    host_storage_class: Option<StorageClass>,
    last_virtual_storage_class: Option<StorageClass>,
    last_host_storage_class: Option<StorageClass>,
}

impl Case {
    fn mutations(&self) -> Vec<&str> {
        self.meta
            .get("mutations")
            .and_then(Value::as_array)
            .map(|m| m.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default()
    }

    fn mutated(&self, prefix: &str) -> bool {
        self.mutations().iter().any(|m| m.starts_with(prefix))
    }

    fn translator(&self) -> Translator {
        let cluster = VirtualCluster::new(self.name.clone(), self.host_namespace.clone()).unwrap();
        let pv_mode = if self.pv_sync {
            PvMode::Sync
        } else {
            PvMode::Fake
        };
        let classes = StorageClassMode::from_switches(self.sc_to_host, self.sc_from_host);
        Translator::new(cluster)
            .with_mode(SyncMode::new(pv_mode, classes))
            .with_class_selector(self.class_selector.clone())
    }
}

/// T3 writes through a mirror only when its host PV was provisioned for the host copy of the
/// claim, which a provisioner shows by naming the PV `pvc-<host PVC uid>`. The harness's
/// generator names a provisioned PV `pvc-<random>` and gives the host PVC another uid; so that
/// the corpus keeps testing B1 and B2 through mirrors, the host PVC gets the uid its PV's name
/// says, in the inputs and in vcluster's answer alike (a uid is opaque: vcluster's PV syncer
/// reads none here). A host PV of another name stays a static PV the claim bound: read-only.
fn provisioned(case: &mut Value, go: &mut Value) {
    let Some(uid) = case["hostPv"]["metadata"]["name"]
        .as_str()
        .and_then(|n| n.strip_prefix("pvc-"))
        .map(str::to_owned)
    else {
        return;
    };
    let claim = case["hostPv"]["spec"]["claimRef"]["name"].clone();
    if case["fn"] != "pvsync" || claim.is_null() || case["hostPvc"]["metadata"]["name"] != claim {
        return;
    }
    case["hostPvc"]["metadata"]["uid"] = json!(uid);
    for key in ["hostPv", "lastHostPv"] {
        if case[key]["spec"]["claimRef"]["name"] == claim {
            case[key]["spec"]["claimRef"]["uid"] = json!(uid);
        }
    }
    if go["host"]["object"]["spec"]["claimRef"]["name"] == claim {
        go["host"]["object"]["spec"]["claimRef"]["uid"] = json!(uid);
    }
}

// ---------------------------------------------------------------------------------------------
// The crate's answer for one subject object
// ---------------------------------------------------------------------------------------------

/// The state of one object after the syncer acts, as the harness records it.
#[derive(Debug, Clone, PartialEq)]
struct Side {
    /// `present`, `deleted` or `absent`.
    state: &'static str,
    object: Option<Value>,
    action: Action,
}

fn to_value<T: Serialize>(x: &T) -> Value {
    serde_json::to_value(x).unwrap()
}

fn side<T: Serialize>(decision: &Decision<T>) -> Side {
    let state = match (&decision.action, &decision.desired) {
        (Action::Delete { .. }, _) => "deleted",
        (_, Some(_)) => "present",
        (_, None) => "absent",
    };
    Side {
        state,
        object: match state {
            "present" => decision.desired.as_ref().map(to_value),
            _ => None,
        },
        action: decision.action.clone(),
    }
}

/// The crate's answers for the two subjects, from the single-object API.
struct Answer {
    virtual_side: Side,
    host_side: Side,
    /// pvsync: `keep_in_step` agrees with `pv_pair` (when both last PVs are given).
    keep_in_step_agrees: Option<bool>,
}

fn single(case: &Case, t: &Translator) -> Answer {
    match case.function.as_str() {
        "pvsync" => {
            let (vpv, hpv) = (
                case.virtual_pv.as_ref().unwrap(),
                case.host_pv.as_ref().unwrap(),
            );
            let mut inputs = Inputs::new()
                .with_virtual_pv(vpv)
                .with_host_pv(hpv)
                .with_last_pvs(case.last_virtual_pv.as_ref(), case.last_host_pv.as_ref());
            inputs.virtual_pvc = case.virtual_pvc.as_ref();
            inputs.host_pvc = case.host_pvc.as_ref();
            inputs.host_storage_class = case.host_storage_class.as_ref();
            let pair = t.pv_pair(&inputs).unwrap();
            let keep_in_step_agrees = match (&case.last_virtual_pv, &case.last_host_pv) {
                (Some(lv), Some(lh)) if case.host_storage_class.is_none() => {
                    let again = t
                        .keep_in_step(
                            PvPair::new(lv, lh),
                            PvPair::new(vpv, hpv),
                            case.virtual_pvc.as_ref(),
                            case.host_pvc.as_ref(),
                        )
                        .unwrap();
                    Some(again.virtual_pv == pair.virtual_pv && again.host_pv == pair.host_pv)
                }
                _ => None,
            };
            Answer {
                virtual_side: side(&pair.virtual_pv),
                host_side: side(&pair.host_pv),
                keep_in_step_agrees,
            }
        }
        "pvcsync" => {
            let mut inputs = Inputs::new()
                .with_virtual_pvc(case.virtual_pvc.as_ref().unwrap())
                .with_host_pvc(case.host_pvc.as_ref().unwrap());
            inputs.virtual_pv = case.virtual_pv.as_ref();
            inputs.host_pv = case.host_pv.as_ref();
            inputs.host_storage_class = case.host_storage_class.as_ref();
            inputs.last_host_pvc = case.last_host_pvc.as_ref();
            inputs.last_virtual_pvc = case.last_virtual_pvc.as_ref();
            Answer {
                virtual_side: side(&t.virtual_pvc(&inputs).unwrap()),
                host_side: side(&t.host_pvc(&inputs).unwrap()),
                keep_in_step_agrees: None,
            }
        }
        "sctohost" => {
            let mut inputs = ClassInputs::new(case.virtual_storage_class.as_ref().unwrap())
                .with_host_class(case.host_storage_class.as_ref().unwrap());
            inputs = inputs.with_last(
                case.last_virtual_storage_class.as_ref(),
                case.last_host_storage_class.as_ref(),
            );
            let pair = t.host_storage_class(&inputs).unwrap();
            Answer {
                virtual_side: side(&pair.virtual_class),
                host_side: side(&pair.host_class),
                keep_in_step_agrees: None,
            }
        }
        "scfromhost" => {
            let (vsc, hsc) = (
                case.virtual_storage_class.as_ref().unwrap(),
                case.host_storage_class.as_ref().unwrap(),
            );
            let decision = t.virtual_storage_class(hsc, Some(vsc)).unwrap();
            Answer {
                virtual_side: side(&decision),
                host_side: Side {
                    state: "present",
                    object: Some(to_value(hsc)),
                    action: Action::Unchanged,
                },
                keep_in_step_agrees: None,
            }
        }
        other => panic!("unknown fn {other:?}"),
    }
}

fn objects(
    pvcs: &[Option<&PersistentVolumeClaim>],
    pvs: &[Option<&PersistentVolume>],
    classes: &[Option<&StorageClass>],
) -> Objects {
    Objects::new(
        pvcs.iter().flatten().map(|o| (*o).clone()).collect(),
        pvs.iter().flatten().map(|o| (*o).clone()).collect(),
        classes.iter().flatten().map(|o| (*o).clone()).collect(),
    )
    .unwrap()
}

/// The two snapshots of a case, as rust-runner builds them: the subjects take their `last*`
/// versions in the previous snapshot, the context objects are as they are now; a case without
/// any `last*` object has no previous snapshot (a restart).
fn snapshots(c: &Case) -> (Snapshot, Option<Snapshot>) {
    let current = Snapshot::new(
        objects(
            &[c.virtual_pvc.as_ref()],
            &[c.virtual_pv.as_ref()],
            &[c.virtual_storage_class.as_ref()],
        ),
        objects(
            &[c.host_pvc.as_ref()],
            &[c.host_pv.as_ref()],
            &[c.host_storage_class.as_ref()],
        ),
    );
    let any_last = c.last_virtual_pv.is_some()
        || c.last_host_pv.is_some()
        || c.last_virtual_pvc.is_some()
        || c.last_host_pvc.is_some()
        || c.last_virtual_storage_class.is_some()
        || c.last_host_storage_class.is_some();
    if !any_last {
        return (current, None);
    }
    let (vpvc, hpvc, vpv, hpv, vsc, hsc) = match c.function.as_str() {
        "pvsync" => (
            c.virtual_pvc.as_ref(),
            c.host_pvc.as_ref(),
            c.last_virtual_pv.as_ref(),
            c.last_host_pv.as_ref(),
            c.virtual_storage_class.as_ref(),
            c.host_storage_class.as_ref(),
        ),
        "pvcsync" => (
            c.last_virtual_pvc.as_ref(),
            c.last_host_pvc.as_ref(),
            c.virtual_pv.as_ref(),
            c.host_pv.as_ref(),
            c.virtual_storage_class.as_ref(),
            c.host_storage_class.as_ref(),
        ),
        _ => (
            c.virtual_pvc.as_ref(),
            c.host_pvc.as_ref(),
            c.virtual_pv.as_ref(),
            c.host_pv.as_ref(),
            c.last_virtual_storage_class.as_ref(),
            c.last_host_storage_class.as_ref(),
        ),
    };
    let previous = Snapshot::new(
        objects(&[vpvc], &[vpv], &[vsc]),
        objects(&[hpvc], &[hpv], &[hsc]),
    );
    (current, Some(previous))
}

/// The plan's answer for one object: its action, or none (the object stays as it is).
fn plan_side(plan: &Plan, cluster: ClusterSide, kind: Kind, current: Option<Value>) -> Side {
    let (namespace, name) = current
        .as_ref()
        .map_or((String::new(), String::new()), |o| {
            let text = |p: &str| {
                o.pointer(p)
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_owned()
            };
            (text("/metadata/namespace"), text("/metadata/name"))
        });
    let found = plan.actions.iter().find(|a| {
        a.cluster == cluster && a.kind == kind && a.namespace == namespace && a.name == name
    });
    match found {
        None => Side {
            state: if current.is_some() {
                "present"
            } else {
                "absent"
            },
            object: current,
            action: Action::Unchanged,
        },
        Some(a) => {
            let state = match (&a.action, &a.desired) {
                (Action::Delete { .. }, _) => "deleted",
                (_, Some(_)) => "present",
                (_, None) => "absent",
            };
            Side {
                state,
                object: match state {
                    "present" => a.desired.as_ref().map(to_value),
                    _ => None,
                },
                action: a.action.clone(),
            }
        }
    }
}

/// The plan's answers for the two subjects, and the plan's errors.
fn planned(case: &Case, t: &Translator) -> (Side, Side, Vec<String>) {
    let (current, previous) = snapshots(case);
    let plan = t.plan(previous.as_ref(), &current);
    let (kind, v, h) = match case.function.as_str() {
        "pvsync" => (
            Kind::PersistentVolume,
            case.virtual_pv.as_ref().map(to_value),
            case.host_pv.as_ref().map(to_value),
        ),
        "pvcsync" => (
            Kind::PersistentVolumeClaim,
            case.virtual_pvc.as_ref().map(to_value),
            case.host_pvc.as_ref().map(to_value),
        ),
        _ => (
            Kind::StorageClass,
            case.virtual_storage_class.as_ref().map(to_value),
            case.host_storage_class.as_ref().map(to_value),
        ),
    };
    (
        plan_side(&plan, ClusterSide::Virtual, kind, v),
        plan_side(&plan, ClusterSide::Host, kind, h),
        plan.errors.iter().map(ToString::to_string).collect(),
    )
}

// ---------------------------------------------------------------------------------------------
// compare.py's normalisation and diff
// ---------------------------------------------------------------------------------------------

const STRING_MAPS: [&str; 6] = [
    "labels",
    "annotations",
    "volumeAttributes",
    "matchLabels",
    "parameters",
    "nodeSelector",
];
const QUANTITY_MAPS: [&str; 4] = ["capacity", "requests", "limits", "allocatedResources"];
const SERVER_FIELDS: [&str; 11] = [
    "uid",
    "resourceVersion",
    "generation",
    "creationTimestamp",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
    "ownerReferences",
    "finalizers",
    "managedFields",
    "generateName",
    "selfLink",
];

fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        _ => false,
    }
}

/// compare.py's `norm`: `key` is the member name the value is under (`None` at the top, `_item`
/// for an object in a list). `quantities`: compare quantities by value.
fn norm(x: &Value, key: Option<&str>, quantities: bool) -> Value {
    match x {
        Value::Object(members) => {
            if key.is_some_and(|k| STRING_MAPS.contains(&k)) {
                return x.clone();
            }
            let mut out = Map::new();
            for (k, v) in members {
                if key == Some("metadata") && SERVER_FIELDS.contains(&k.as_str()) {
                    continue;
                }
                if key.is_none() && (k == "apiVersion" || k == "kind") {
                    continue;
                }
                if quantities
                    && key.is_some_and(|k| QUANTITY_MAPS.contains(&k))
                    && let Some(q) = v
                        .as_str()
                        .and_then(|s| pv_translate::quantity::canonical(s).ok())
                {
                    out.insert(k.clone(), Value::String(format!("q:{q}")));
                    continue;
                }
                let nv = norm(v, Some(k), quantities);
                if !is_empty(&nv) {
                    out.insert(k.clone(), nv);
                }
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(
            items
                .iter()
                .map(|v| norm(v, v.is_object().then_some("_item"), quantities))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// One difference: vcluster's value and the crate's (`<absent>` when missing).
#[derive(Debug, Clone)]
struct Diff {
    side: &'static str,
    path: String,
    go: Value,
    krate: Value,
}

fn absent() -> Value {
    Value::String("<absent>".to_owned())
}

/// compare.py's `diff`: `a` is vcluster's, `b` the crate's.
fn diff(a: &Value, b: &Value, path: &str, side: &'static str, out: &mut Vec<Diff>) {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let keys: BTreeSet<&String> = x.keys().chain(y.keys()).collect();
            for k in keys {
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                match (x.get(k), y.get(k)) {
                    (None, Some(v)) => out.push(Diff {
                        side,
                        path: p,
                        go: absent(),
                        krate: v.clone(),
                    }),
                    (Some(v), None) => out.push(Diff {
                        side,
                        path: p,
                        go: v.clone(),
                        krate: absent(),
                    }),
                    (Some(v), Some(w)) => diff(v, w, &p, side, out),
                    (None, None) => {}
                }
            }
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            for (i, (v, w)) in x.iter().zip(y).enumerate() {
                diff(v, w, &format!("{path}[{i}]"), side, out);
            }
        }
        _ if a != b => out.push(Diff {
            side,
            path: path.to_owned(),
            go: a.clone(),
            krate: b.clone(),
        }),
        _ => {}
    }
}

/// The grace period of vcluster's delete of one side, if it deleted it.
fn go_delete_grace(go: &Value, side: &str) -> Option<Option<i64>> {
    go.get("ops")?
        .as_array()?
        .iter()
        .find(|op| op["side"] == side && op["verb"] == "delete")
        .map(|op| op.get("gracePeriodSeconds").and_then(Value::as_i64))
}

/// Every difference between vcluster's answer and the crate's, as compare.py lists them: a
/// state difference first (the other side's differences then follow from it and are labelled
/// so), delete grace periods, then the objects' fields.
fn differences(go: &Value, answer: &Answer) -> (Vec<Diff>, bool) {
    let mut out = Vec::new();
    let mut spelling_only = false;
    let sides = [
        ("virtual", &answer.virtual_side),
        ("host", &answer.host_side),
    ];
    let mut state_differs = BTreeSet::new();
    for (name, crate_side) in sides {
        let go_state = go[name]["state"].as_str().unwrap();
        if go_state != crate_side.state {
            state_differs.insert(name);
            out.push(Diff {
                side: name,
                path: "<state>".to_owned(),
                go: json!(go_state),
                krate: json!(crate_side.state),
            });
        }
    }
    for (name, crate_side) in sides {
        if state_differs.contains(name) {
            continue;
        }
        let other = if name == "virtual" { "host" } else { "virtual" };
        let go_state = go[name]["state"].as_str().unwrap();
        if go_state == "deleted" {
            if let Some(go_grace) = go_delete_grace(go, name) {
                let crate_grace = match crate_side.action {
                    Action::Delete {
                        grace_period_seconds,
                        ..
                    } => grace_period_seconds,
                    _ => None,
                };
                if go_grace != crate_grace {
                    out.push(Diff {
                        side: name,
                        path: "<delete.gracePeriodSeconds>".to_owned(),
                        go: json!(go_grace),
                        krate: json!(crate_grace),
                    });
                }
            }
            continue;
        }
        if go_state != "present" {
            continue;
        }
        let go_object = &go[name]["object"];
        let crate_object = crate_side.object.clone().unwrap_or(Value::Null);
        let (g, c) = (norm(go_object, None, true), norm(&crate_object, None, true));
        let mut found = Vec::new();
        diff(&g, &c, "", name, &mut found);
        if state_differs.contains(other) {
            for d in &mut found {
                d.path = format!("(follows) {}", d.path);
            }
        }
        if found.is_empty() && norm(go_object, None, false) != norm(&crate_object, None, false) {
            spelling_only = true;
        }
        out.extend(found);
    }
    (out, spelling_only)
}

// ---------------------------------------------------------------------------------------------
// Why a difference is not a bug
// ---------------------------------------------------------------------------------------------

/// What a classifier sees of one difference.
struct Seen<'a> {
    case: &'a Case,
    go: &'a Value,
    answer: &'a Answer,
    diff: &'a Diff,
}

impl Seen<'_> {
    fn path_is(&self, p: &str) -> bool {
        self.diff.path == p
    }

    fn path_starts(&self, p: &str) -> bool {
        self.diff.path.starts_with(p)
    }

    fn annotation_key(&self) -> Option<&str> {
        self.diff.path.strip_prefix("metadata.annotations.")
    }

    fn go_absent(&self) -> bool {
        self.diff.go == absent()
    }

    fn crate_absent(&self) -> bool {
        self.diff.krate == absent()
    }
}

/// A deviation that explains a difference: the rule id (a row of docs/rules.md's deviation
/// table), which functions and sides it concerns, and when it applies.
struct Explanation {
    rule: &'static str,
    label: &'static str,
    function: &'static str,
    applies: fn(&Seen<'_>) -> bool,
}

/// The PVC pair, host side: `status.phase` of the host PVC.
fn host_pvc_phase(case: &Case) -> Option<&str> {
    case.host_pvc.as_ref()?.status.as_ref()?.phase.as_deref()
}

fn host_pvc_annotation<'c>(case: &'c Case, key: &str) -> Option<&'c str> {
    case.host_pvc
        .as_ref()?
        .metadata
        .annotations
        .as_ref()?
        .get(key)
        .map(String::as_str)
}

/// P3's binder annotations.
const BINDER: [&str; 4] = [
    "pv.kubernetes.io/bind-completed",
    "pv.kubernetes.io/bound-by-controller",
    "volume.beta.kubernetes.io/storage-provisioner",
    "volume.kubernetes.io/storage-provisioner",
];

/// The value a key of the virtual object's `map` has on the host object now, through N5 for
/// labels (`release` and the three reserved keys): what the crate pulls when the host changed.
fn host_value_of_virtual_key<'v>(host: &'v Value, map: &str, key: &str) -> Option<&'v str> {
    let map_of = host.get("metadata")?.get(map)?.as_object()?;
    if let Some(v) = map_of.get(key).and_then(Value::as_str) {
        return Some(v);
    }
    // A translated label key (N5) ends in the first 10 hex digits of the key's SHA-256.
    use sha2::{Digest, Sha256};
    let hash: String = Sha256::digest(key.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let suffix = format!("-x-{}", &hash[..10]);
    map_of
        .iter()
        .find(|(k, _)| k.starts_with("vcluster.loft.sh/label-") && k.ends_with(&suffix))
        .and_then(|(_, v)| v.as_str())
}

/// The deviations of SPEC §13-§14 (and earlier ones) seen in the corpus, for PVC pairs and
/// classes (PV pairs are [`PENDING`]). Judged from the case and vcluster's answer; the crate's
/// value is only compared with what the rule says it must be.
const EXPLANATIONS: &[Explanation] = &[
    Explanation {
        rule: "P3",
        label: "a resize of a claim the host has not bound waits (Kubernetes refuses the update); \
                vcluster sends it",
        function: "pvcsync",
        applies: |s| {
            s.diff.side == "host"
                && s.path_starts("spec.resources.requests")
                && host_pvc_phase(s.case) != Some("Bound")
                && s.diff.krate
                    == s.case
                        .host_pvc
                        .as_ref()
                        .and_then(|h| h.spec.as_ref()?.resources.as_ref()?.requests.as_ref())
                        .and_then(|r| r.get("storage"))
                        .map(|q| {
                            json!(format!(
                                "q:{}",
                                pv_translate::quantity::canonical(&q.0).unwrap()
                            ))
                        })
                        .unwrap_or(Value::Null)
        },
    },
    Explanation {
        rule: "P3",
        label: "a binder annotation the host removed is removed from the virtual PVC; vcluster \
                leaves it with an empty value, which Kubernetes reads as set",
        function: "pvcsync",
        applies: |s| {
            s.diff.side == "virtual"
                && s.annotation_key().is_some_and(|k| {
                    BINDER.contains(&k) && host_pvc_annotation(s.case, k).is_none()
                })
                && s.diff.go == json!("")
                && s.crate_absent()
        },
    },
    Explanation {
        rule: "P3",
        label: "volume.kubernetes.io/storage-provisioner is taken from the host PVC every round; \
                vcluster misses it in a round where a binder annotation changes",
        function: "pvcsync",
        applies: |s| {
            s.diff.side == "virtual"
                && s.path_is("metadata.annotations.volume.kubernetes.io/storage-provisioner")
                && s.go_absent()
                && host_pvc_annotation(s.case, BINDER[3]).map(|v| json!(v))
                    == Some(s.diff.krate.clone())
        },
    },
    Explanation {
        rule: "P3",
        label: "VolumeNameDiffers: the recreated virtual PVC carries the host's status, binder \
                annotations and the label changes at once; vcluster recreates the old object and \
                takes them in its next round",
        function: "pvcsync",
        applies: |s| {
            s.case.mutated("host.volumeName-differs")
                && s.go["ops"]
                    .as_array()
                    .is_some_and(|ops| ops.iter().any(|op| op["verb"] == "create"))
        },
    },
    Explanation {
        rule: "H1",
        label: "annotations naming CSI secrets never reach the host (vcluster copies them)",
        function: "pvcsync",
        applies: |s| {
            s.diff.side == "host"
                && s.annotation_key().is_some_and(|k| {
                    k.ends_with("-secret-name") || k.ends_with("-secret-namespace")
                })
                && s.crate_absent()
        },
    },
    Explanation {
        rule: "U2",
        label: "both classes' labels or annotations changed: the host's changes reach the \
                virtual class too (vcluster applies only the virtual side's and never retries \
                the host's)",
        function: "sctohost",
        applies: |s| both_changed_pulled(s, "virtualStorageClass", "hostStorageClass"),
    },
];

/// U1, U2: on the virtual side, the crate holds the host's current value of a key whose map
/// both sides changed (the case's mutations say so), where vcluster kept the virtual one.
fn both_changed_pulled(s: &Seen<'_>, _virtual_key: &str, host_key: &str) -> bool {
    let Some((map, key)) = s
        .diff
        .path
        .strip_prefix("metadata.")
        .and_then(|rest| rest.split_once('.'))
    else {
        return false;
    };
    let both =
        s.case.mutated(&format!("virtual.{map}:")) && s.case.mutated(&format!("host.{map}:"));
    let host = match host_key {
        "hostPvc" => s.case.host_pvc.as_ref().map(to_value),
        _ => s.case.host_storage_class.as_ref().map(to_value),
    };
    s.diff.side == "virtual"
        && both
        && host
            .as_ref()
            .and_then(|h| host_value_of_virtual_key(h, map, key))
            .map(|v| json!(v))
            == Some(s.diff.krate.clone())
}

/// The harness's bookkeeping keys (classes.py `BOOK_KEYS`).
const BOOK_KEYS: [&str; 6] = [
    "vcluster.loft.sh/object-name",
    "vcluster.loft.sh/object-uid",
    "vcluster.loft.sh/object-host-name",
    "vcluster.loft.sh/object-kind",
    "vcluster.loft.sh/object-namespace",
    "vcluster.loft.sh/object-host-namespace",
];

/// The host controllers' annotations on a PV (SPEC T3): never from the tenant.
const PV_CONTROLLER: [&str; 4] = [
    "pv.kubernetes.io/provisioned-by",
    "pv.kubernetes.io/migrated-to",
    "pv.kubernetes.io/bound-by-controller",
    "kubernetes.io/createdby",
];

fn host_pv_field<'c>(
    case: &'c Case,
    f: impl Fn(&'c PersistentVolume) -> Option<&'c str>,
) -> Option<&'c str> {
    case.host_pv.as_ref().and_then(f)
}

fn host_pv_retained_or_released(case: &Case) -> bool {
    host_pv_field(case, |pv| {
        pv.spec
            .as_ref()?
            .persistent_volume_reclaim_policy
            .as_deref()
    }) == Some("Retain")
        || host_pv_field(case, |pv| pv.status.as_ref()?.phase.as_deref()) == Some("Released")
}

fn host_pv_deleting(case: &Case) -> bool {
    case.host_pv
        .as_ref()
        .is_some_and(|pv| pv.metadata.deletion_timestamp.is_some())
}

/// The host PV was made by this virtual cluster (N4's marker): the tenant's own PV's copy.
fn tenant_made(case: &Case) -> bool {
    let marker = pv_translate::names::cluster_marker(&case.host_namespace, &case.name).unwrap();
    case.host_pv
        .as_ref()
        .and_then(|pv| {
            pv.metadata
                .labels
                .as_ref()?
                .get("vcluster.loft.sh/managed-by")
        })
        .is_some_and(|m| *m == marker)
}

/// SPEC T3, judged from the case: a mirror is written through only when its host PV was
/// provisioned for the host copy of the claim (claimRef in `H` naming it, with its uid, and the
/// name `pvc-<uid>`); otherwise it is read-only.
fn read_only_mirror(case: &Case) -> bool {
    if tenant_made(case) {
        return false;
    }
    let (Some(pv), Some(host_pvc)) = (case.host_pv.as_ref(), case.host_pvc.as_ref()) else {
        return true;
    };
    let uid = host_pvc.metadata.uid.as_deref().unwrap_or_default();
    let claim = pv.spec.as_ref().and_then(|s| s.claim_ref.as_ref());
    !(case.virtual_pvc.is_some()
        && !uid.is_empty()
        && claim.is_some_and(|c| {
            c.namespace.as_deref() == Some(case.host_namespace.as_str())
                && c.name == host_pvc.metadata.name
                && c.uid.as_deref() == Some(uid)
        })
        && pv
            .metadata
            .name
            .as_deref()
            .and_then(|n| n.strip_prefix("pvc-"))
            == Some(uid))
}

/// The value at a harness path (`spec.capacity.storage`, `spec.accessModes[0]`,
/// `metadata.labels.<key>`) of an object, normalised as the comparison normalises it.
fn value_at(object: &Value, path: &str) -> Value {
    let object = norm(object, None, true);
    let mut node = &object;
    let mut segments: Vec<&str> = Vec::new();
    if let Some(key) = path
        .strip_prefix("metadata.labels.")
        .or_else(|| path.strip_prefix("metadata.annotations."))
    {
        let map = if path.starts_with("metadata.labels.") {
            "labels"
        } else {
            "annotations"
        };
        node = &node["metadata"][map][key];
    } else {
        segments.extend(path.split('.'));
    }
    for segment in segments {
        let (name, index) = match segment.split_once('[') {
            Some((name, rest)) => (name, rest.trim_end_matches(']').parse::<usize>().ok()),
            None => (segment, None),
        };
        node = &node[name];
        if let Some(i) = index {
            node = &node[i];
        }
    }
    if node.is_null() {
        absent()
    } else {
        node.clone()
    }
}

/// The PV pair's deviations (SPEC §13, §14 and earlier), judged from the case and vcluster's
/// answer; the crate's value is only compared with what the rule says it must be.
const PV_EXPLANATIONS: &[Explanation] = &[
    Explanation {
        rule: "D3",
        label: "host PV terminating: the crate deletes the mirrored virtual PV, vcluster keeps \
                syncing it",
        function: "pvsync",
        applies: |s| {
            host_pv_deleting(s.case)
                && (s.path_is("<state>") && s.diff.side == "virtual" || s.path_starts("(follows) "))
        },
    },
    Explanation {
        rule: "S5",
        label: "no virtual PVC, host PV Retain/Released, no ownership proof: the crate deletes \
                the mirror, vcluster keeps it",
        function: "pvsync",
        applies: |s| {
            s.case.virtual_pvc.is_none()
                && host_pv_retained_or_released(s.case)
                && ((s.diff.side == "virtual"
                    && s.path_is("<state>")
                    && s.diff.go == json!("present")
                    && s.diff.krate == json!("deleted"))
                    || s.path_starts("(follows) "))
        },
    },
    Explanation {
        rule: "S5",
        label: "no virtual PVC, a mirror with S5's proof of a host PV that is not Retain: the \
                crate keeps showing it, vcluster's Sync deletes it (its running controller would \
                leave it, orphaned)",
        function: "pvsync",
        applies: |s| {
            s.case.virtual_pvc.is_none()
                && !host_pv_retained_or_released(s.case)
                && ((s.diff.side == "virtual"
                    && s.path_is("<state>")
                    && s.diff.go == json!("deleted")
                    && s.diff.krate == json!("present"))
                    || s.path_starts("(follows) "))
        },
    },
    Explanation {
        rule: "S6",
        label: "no bookkeeping annotations on a mirrored PV; vcluster copies them from the host",
        function: "pvsync",
        applies: |s| {
            s.diff.side == "virtual"
                && s.annotation_key().is_some_and(|k| BOOK_KEYS.contains(&k))
                && s.crate_absent()
        },
    },
    Explanation {
        rule: "U5",
        label: "no bookkeeping annotations on a host PV the crate did not make; vcluster stamps \
                object-name, -uid, -host-name and -kind on the host PV of a mirror",
        function: "pvsync",
        applies: |s| {
            s.diff.side == "host"
                && !tenant_made(s.case)
                && (s.annotation_key().is_some_and(|k| BOOK_KEYS.contains(&k))
                    || (s.path_is("metadata.annotations")
                        && s.crate_absent()
                        && s.diff.go.as_object().is_some_and(|m| {
                            !m.is_empty() && m.keys().all(|k| BOOK_KEYS.contains(&k.as_str()))
                        })))
        },
    },
    Explanation {
        rule: "T2",
        label: "the host copy of a classless tenant PV gets this virtual cluster's classless \
                class (N3 of \"\"); vcluster keeps no class",
        function: "pvsync",
        applies: |s| {
            let virtual_class = s
                .case
                .virtual_pv
                .as_ref()
                .and_then(|pv| pv.spec.as_ref()?.storage_class_name.as_deref())
                .unwrap_or_default();
            tenant_made(s.case)
                && virtual_class.is_empty()
                && s.diff.side == "host"
                && s.path_is("spec.storageClassName")
                && s.diff.krate
                    == json!(
                        pv_translate::names::host_class_name(
                            "",
                            &s.case.host_namespace,
                            &s.case.name
                        )
                        .unwrap()
                    )
        },
    },
    Explanation {
        rule: "B1",
        label: "a change the other PV cannot take on update (volume mode, node affinity, source: \
                Kubernetes refuses it) is a conflict and nothing is written to that PV; vcluster \
                sends the update, which the API server refuses",
        function: "pvsync",
        applies: |s| {
            let immutable = ["spec.volumeMode", "spec.nodeAffinity", "spec.source"]
                .iter()
                .any(|f| {
                    s.case.mutated(&format!("virtual.{f}")) || s.case.mutated(&format!("host.{f}"))
                });
            let action = if s.diff.side == "virtual" {
                &s.answer.virtual_side.action
            } else {
                &s.answer.host_side.action
            };
            immutable && matches!(action, Action::Conflict { rule, .. } if rule.id() == "B1")
        },
    },
    Explanation {
        rule: "T3",
        label: "the host controllers' annotations (provisioned-by...) never go from the tenant's \
                PV to the host, so the tenant's edit of one is no change of its annotations \
                (and the host's own are pulled); vcluster pushes them",
        function: "pvsync",
        applies: |s| {
            let controller_only = s
                .case
                .mutations()
                .iter()
                .filter(|m| m.starts_with("virtual.annotations:"))
                .all(|m| PV_CONTROLLER.iter().any(|k| m.ends_with(k)));
            let host_value = s
                .case
                .host_pv
                .as_ref()
                .map(|h| value_at(&to_value(h), &s.diff.path));
            controller_only
                && s.case.mutated("virtual.annotations:")
                && s.path_starts("metadata.annotations.")
                && host_value == Some(s.diff.krate.clone())
        },
    },
    Explanation {
        rule: "T3",
        label: "a mirror of a host PV not provisioned for the tenant's claim (here: its claim \
                is gone) is read-only: nothing is written to the host, the view shows the host \
                PV; vcluster writes through",
        function: "pvsync",
        applies: |s| {
            read_only_mirror(s.case)
                && !host_pv_deleting(s.case)
                && matches!(s.answer.host_side.action, Action::Unchanged)
                && (s.diff.side == "host"
                    || s.path_is("<state>")
                    || s.annotation_key().is_some_and(|k| BOOK_KEYS.contains(&k))
                    || s.case
                        .host_pv
                        .as_ref()
                        .is_some_and(|h| value_at(&to_value(h), &s.diff.path) == s.diff.krate))
        },
    },
];

// ---------------------------------------------------------------------------------------------
// The test
// ---------------------------------------------------------------------------------------------

/// The rule ids of docs/rules.md's deviation table (its first column, up to the first space).
fn documented_deviations() -> BTreeSet<String> {
    let text = std::fs::read_to_string(RULES).unwrap();
    let table = text
        .split("## Deviations from vcluster")
        .nth(1)
        .expect("docs/rules.md has a deviation table");
    table
        .lines()
        .filter_map(|line| line.strip_prefix("| "))
        .filter_map(|row| row.split([' ', '|']).next())
        .filter(|id| !id.is_empty() && *id != "rule" && !id.starts_with('-'))
        .map(str::to_owned)
        .collect()
}

#[test]
fn u1_u5_every_update_case_is_vclusters_or_a_documented_deviation() {
    let documented = documented_deviations();
    for explanation in EXPLANATIONS.iter().chain(PV_EXPLANATIONS) {
        assert!(
            documented.contains(explanation.rule),
            "rule {} explains \"{}\" but has no row in docs/rules.md's deviation table",
            explanation.rule,
            explanation.label
        );
    }
    let mut ids: Vec<String> = std::fs::read_dir(format!("{DIR}/cases"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter_map(|n| n.strip_suffix(".json").map(str::to_owned))
        .collect();
    ids.sort();
    assert_eq!(ids.len(), 250, "the seed-7 corpus has 250 cases");

    // fn -> outcome -> cases
    let mut counts: BTreeMap<String, BTreeMap<String, Vec<String>>> = BTreeMap::new();
    let mut failures = Vec::new();
    let mut disagreements = Vec::new();
    let mut spelling_only = 0;
    let mut refused_by_kubernetes = BTreeSet::new();
    for id in &ids {
        let text = std::fs::read_to_string(format!("{DIR}/cases/{id}.json")).unwrap();
        let mut raw: Value = serde_json::from_str(&text).unwrap();
        let mut go: Value = serde_json::from_str(
            &std::fs::read_to_string(format!("{DIR}/go_out/{id}.json")).unwrap(),
        )
        .unwrap();
        provisioned(&mut raw, &mut go);
        let case: Case = serde_json::from_value(raw).unwrap();
        assert!(
            go.get("error")
                .and_then(Value::as_str)
                .unwrap_or("")
                .is_empty(),
            "{id}: vcluster's Sync failed"
        );
        let t = case.translator();
        let answer = single(&case, &t);
        // R3: the plan agrees with the single-object API.
        let (plan_virtual, plan_host, plan_errors) = planned(&case, &t);
        for (name, from_plan, alone) in [
            ("virtual", &plan_virtual, &answer.virtual_side),
            ("host", &plan_host, &answer.host_side),
        ] {
            let same = from_plan.state == alone.state
                && (from_plan.state != "present"
                    || norm(from_plan.object.as_ref().unwrap(), None, true)
                        == norm(alone.object.as_ref().unwrap(), None, true));
            if !same {
                disagreements.push(format!(
                    "{id} {name}: plan {} ({}) / single {} ({})",
                    from_plan.state, from_plan.action, alone.state, alone.action
                ));
            }
        }
        if !plan_errors.is_empty() {
            disagreements.push(format!("{id}: plan errors {plan_errors:?}"));
        }
        if answer.keep_in_step_agrees == Some(false) {
            disagreements.push(format!("{id}: keep_in_step differs from pv_pair"));
        }

        // U2, P3: no update the crate plans is one the API server refuses.
        let check = match case.function.as_str() {
            "pvcsync" => Some(kubernetes::pvc_update_errors as fn(&Value, &Value) -> Vec<String>),
            "sctohost" | "scfromhost" => Some(kubernetes::storage_class_update_errors as _),
            "pvsync" => Some(kubernetes::pv_update_errors as _),
            _ => None,
        };
        if let Some(check) = check {
            let current = match case.function.as_str() {
                "pvcsync" => (
                    case.virtual_pvc.as_ref().map(to_value),
                    case.host_pvc.as_ref().map(to_value),
                ),
                "pvsync" => (
                    case.virtual_pv.as_ref().map(to_value),
                    case.host_pv.as_ref().map(to_value),
                ),
                _ => (
                    case.virtual_storage_class.as_ref().map(to_value),
                    case.host_storage_class.as_ref().map(to_value),
                ),
            };
            // vcluster's own answers, for comparison: its updates the API server refuses.
            for (name, current) in [
                ("virtual", current.0.as_ref()),
                ("host", current.1.as_ref()),
            ] {
                // (A recreate's finalizer update is not an update to the final object.)
                let ops = |verb: &str| {
                    go["ops"].as_array().is_some_and(|ops| {
                        ops.iter()
                            .any(|op| op["side"] == name && op["verb"] == verb)
                    })
                };
                let updated = ops("update") && !ops("create");
                if let (true, Some(current)) = (updated, current)
                    && !check(current, &go[name]["object"]).is_empty()
                {
                    refused_by_kubernetes.insert(id.clone());
                }
            }
            for (name, side, current) in [
                ("virtual", &answer.virtual_side, current.0),
                ("host", &answer.host_side, current.1),
            ] {
                if let (Action::Update { .. }, Some(current), Some(desired)) =
                    (&side.action, current, side.object.as_ref())
                {
                    let errors = check(&current, desired);
                    if !errors.is_empty() {
                        disagreements.push(format!(
                            "{id} {name}: the API server refuses the planned update: {errors:?}"
                        ));
                    }
                }
            }
        }
        let (diffs, spelling) = differences(&go, &answer);
        if spelling {
            spelling_only += 1;
        }
        let mut outcomes = BTreeSet::new();
        for d in &diffs {
            let seen = Seen {
                case: &case,
                go: &go,
                answer: &answer,
                diff: d,
            };
            if let Some(e) = EXPLANATIONS
                .iter()
                .chain(PV_EXPLANATIONS)
                .find(|e| e.function == case.function && (e.applies)(&seen))
            {
                outcomes.insert(format!("explained by {}: {}", e.rule, e.label));
                continue;
            }
            failures.push(format!(
                "{id} {} {}: vcluster {} / crate {} (crate action: {})",
                d.side,
                d.path,
                d.go,
                d.krate,
                if d.side == "virtual" {
                    &answer.virtual_side.action
                } else {
                    &answer.host_side.action
                }
            ));
            outcomes.insert("UNEXPLAINED".to_owned());
        }
        if outcomes.is_empty() {
            outcomes.insert("identical".to_owned());
        }
        for outcome in outcomes {
            counts
                .entry(case.function.clone())
                .or_default()
                .entry(outcome)
                .or_default()
                .push(id.clone());
        }
    }

    // A row that explains nothing any more is stale: remove it (and its docs row if it is the
    // rule's last).
    for explanation in EXPLANATIONS.iter().chain(PV_EXPLANATIONS) {
        let used = counts.values().flat_map(|o| o.keys()).any(|outcome| {
            outcome == &format!("explained by {}: {}", explanation.rule, explanation.label)
        });
        assert!(
            used,
            "explanation {} \"{}\" explains no difference of the corpus",
            explanation.rule, explanation.label
        );
    }
    let mut table = String::new();
    for (function, outcomes) in &counts {
        writeln!(table, "== {function}").unwrap();
        for (outcome, cases) in outcomes {
            let examples = cases.iter().take(4).cloned().collect::<Vec<_>>().join(" ");
            writeln!(table, "  {:>3}  {outcome}  [{examples}]", cases.len()).unwrap();
        }
    }
    writeln!(
        table,
        "quantity spelling only (not a difference): {spelling_only}"
    )
    .unwrap();
    writeln!(
        table,
        "cases where vcluster sends an update the API server refuses (the crate never does): {} \
         {:?}",
        refused_by_kubernetes.len(),
        refused_by_kubernetes.iter().take(6).collect::<Vec<_>>()
    )
    .unwrap();
    // The check bites: the corpus holds pending resizes and immutable class fields.
    assert!(
        refused_by_kubernetes.len() >= 10,
        "{refused_by_kubernetes:?}"
    );
    println!("{table}");
    assert!(
        disagreements.is_empty(),
        "the plan disagrees with the single-object API (R3), or plans an update the API server \
         refuses:\n{}",
        disagreements.join("\n")
    );
    assert!(
        failures.is_empty(),
        "{} difference(s) from vcluster no deviation explains:\n{}\n\n{table}",
        failures.len(),
        failures.join("\n")
    );
}
