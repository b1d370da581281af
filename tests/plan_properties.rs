//! SPEC R1-R5 (with P3, P4) over generated whole snapshots: the plan is the union of the
//! single-object decisions, and it is deterministic.
//!
//! A generated *world* is a translator setup (identity `V`/`H`, PV mode `Fake` or `Sync`, every
//! StorageClass mode, every option value, sometimes a class selector) and both clusters,
//! assembled from tens of the shared generators' consistent scenarios of every kind (bound
//! pairs, mirrors, released PVs, tenant PVs and their host copies, forged `host-pv` annotations,
//! foreign claims, fake PVs, classes), plus host PVCs made as P1 does (bound, pending, bound to
//! another volume, resized, without the marker), host copies of virtual classes (edited, forged,
//! orphaned), creation timestamps (F5's oldest claim), PV names shared between scenarios
//! (several claims on one volume, two virtual PVs on one host PV, a tenant PV named like a
//! mirrored host PV), and a few broken or garbled objects (errors). The previous snapshot is
//! absent (a restart) or an edited copy: the last synced versions of the PVs, more edits,
//! objects deleted since, objects not there yet. Duplicate names are skipped.
//!
//! - `r1_r3_plan_equals_the_union_of_single_object_decisions`: the plan's actions (cluster,
//!   kind, namespace, name, action, desired object) are exactly the decisions of the public
//!   single-object API (`virtual_pv` in fake mode, `pv_pair` in sync mode, `host_pvc`,
//!   `virtual_pvc`, `virtual_storage_class`, `host_storage_class`), each object paired with the
//!   inputs R1 pairs it with (restated below from `src/plan/`), plus what only a whole snapshot
//!   sees (C1 and C2 orphan classes, P4 orphan host PVCs, R5 on a host class, S6 on a mirror
//!   over a tenant's PV), merged by R3's precedence: a conflict, then a delete, a recreate, a
//!   create or update, a wait; two different writes of one object are a conflict; an unchanged
//!   object has no action. The actions are in R3's
//!   order, one per object, each desiring the object it names; the plan's errors are the
//!   single-object errors. Explained, the plan has the same actions, each with an explanation;
//!   unexplained, none has one.
//! - `r3_plan_is_deterministic`: planning twice, over clones of the snapshots, and over
//!   snapshots whose objects were inserted in reverse order gives identical plans, explained or
//!   not.
//!
//! Every property counts how often it reached its real assertion and fails when that is less
//! than the share its goal states (see `generators::run`). A case plans some fifty objects
//! (up to a hundred and fifty) several times: the default 256 cases of each property take
//! 10-20 s in a debug build.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    missing_docs
)]

mod generators;

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use generators::{
    Edit, FAKE_KINDS, FAKE_PV, HOST_PV, Kind as ScenarioKind, MANAGED_BY, Material, Mutation,
    OBJECT_KIND, OBJECT_NAME, OBJECT_NAMESPACE, SYNC_KINDS, Scenario, Setup, build, edit, edited,
    from_json, kinds, material, mutated, mutation, options, run, setup_with, with_json,
};
use k8s_openapi::api::core::v1::{PersistentVolume, PersistentVolumeClaim};
use k8s_openapi::api::storage::v1::StorageClass;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use proptest::prelude::*;
use proptest::sample::{Index, select};
use pv_translate::plan::{ClusterSide, Kind, Object, PlannedAction};
use pv_translate::snapshot::Objects;
use pv_translate::storage_class::ClassInputs;
use pv_translate::sync::VolumeIdentity;
use pv_translate::{
    Action, Decision, Error, Inputs, ObjectRef, Plan, PvMode, Rule, Snapshot, StorageClassMode,
    Translator,
};
use serde_json::json;

const BETA_CLASS: &str = "volume.beta.kubernetes.io/storage-class";

// ---------------------------------------------------------------------------------------------
// Worlds: a setup and both clusters, before and now.

/// What happened to a scenario's objects between the previous snapshot and the current one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum History {
    /// As they were (the PVs at their last synced versions, when the scenario has them).
    Same,
    /// Not in the previous snapshot: new since.
    New,
    /// The virtual PVC was deleted since (P4: its host PVC goes).
    VirtualPvcGone,
    /// The host PVC was deleted since (P4: the virtual PVC goes, at once).
    HostPvcGone,
    /// The virtual PV was deleted since (D4).
    VirtualPvGone,
    /// The host PV was deleted since (D3).
    HostPvGone,
    /// The previous PVs differ from the current ones by more edits (B1, B2).
    Edited,
}

fn history() -> BoxedStrategy<History> {
    prop_oneof![
        6 => Just(History::Same),
        2 => Just(History::New),
        1 => Just(History::VirtualPvcGone),
        1 => Just(History::HostPvcGone),
        1 => Just(History::VirtualPvGone),
        1 => Just(History::HostPvGone),
        2 => Just(History::Edited),
    ]
    .boxed()
}

/// One instance of a part's scenario, and what the world adds to it.
#[derive(Debug, Clone)]
struct Instance {
    kind: ScenarioKind,
    /// Use the PV name of an earlier scenario: several claims on one volume, a second host PV
    /// of that name (skipped), a forged `host-pv` naming another scenario's host PV.
    share_pv: Option<Index>,
    /// Name the tenant PV like an earlier scenario's PV: a mirror that would replace it (S6).
    share_tenant: Option<Index>,
    /// The virtual PVC's creation timestamp (F5's oldest claim).
    created: Option<&'static str>,
    /// A host PVC for a virtual PVC that has none: 0-2 none, 3 bound to the PV, 4 pending,
    /// 5 bound to another volume (P3's recreate), 6 asking for less (P3's resize), 7 without
    /// the marker (R5).
    host_pvc: u8,
    /// A host class made from the virtual class (C2): 0-3 none, 4 as made, 5 edited since,
    /// 6 without the marker (R5), 7 its virtual class gone.
    class_copy: u8,
    history: History,
    /// One object broken on purpose (see [`broken`]): the plan reports it as an error.
    broken: Option<u8>,
}

/// The random material of scenarios, built as one to five instances (of any kinds, under names
/// of their own): generating material is what costs, building it again is cheap.
#[derive(Debug, Clone)]
struct Part {
    material: Material,
    instances: Vec<Instance>,
    /// More edits of the previous PVs ([`History::Edited`]).
    previous_edits: Vec<Edit>,
    /// One object of the first instance garbled (which one, and how): invalid objects are errors
    /// of the plan, and the rest of the plan stands (R1).
    garbage: Option<(usize, Vec<Mutation>)>,
}

fn instance() -> BoxedStrategy<Instance> {
    let all_kinds: Vec<(u32, ScenarioKind)> = FAKE_KINDS
        .iter()
        .chain(SYNC_KINDS.iter())
        .copied()
        .collect();
    (
        kinds(&all_kinds),
        prop::option::weighted(0.3, any::<Index>()),
        prop::option::weighted(0.3, any::<Index>()),
        prop::option::weighted(
            0.4,
            select(vec![
                "2024-01-01T00:00:00Z",
                "2024-01-01T00:00:00Z",
                "2024-02-01T00:00:00Z",
                "2023-06-30T12:00:00Z",
            ]),
        ),
        0u8..8,
        0u8..8,
        history(),
        prop::option::weighted(0.06, 0u8..7),
    )
        .prop_map(
            |(kind, share_pv, share_tenant, created, host_pvc, class_copy, history, broken)| {
                Instance {
                    kind,
                    share_pv,
                    share_tenant,
                    created,
                    host_pvc,
                    class_copy,
                    history,
                    broken,
                }
            },
        )
        .boxed()
}

fn part() -> BoxedStrategy<Part> {
    (
        material(),
        prop::collection::vec(instance(), 1..=5),
        prop::collection::vec(edit(1), 0..3),
        prop::option::weighted(0.2, (0usize..6, prop::collection::vec(mutation(), 1..4))),
    )
        .prop_map(|(material, instances, previous_edits, garbage)| Part {
            material,
            instances,
            previous_edits,
            garbage,
        })
        .boxed()
}

/// The objects of both clusters, each at most once per kind and name (a duplicate is skipped
/// when added), in the order they were added.
#[derive(Debug, Clone, Default)]
struct Clusters {
    virtual_pvcs: Vec<PersistentVolumeClaim>,
    virtual_pvs: Vec<PersistentVolume>,
    virtual_classes: Vec<StorageClass>,
    host_pvcs: Vec<PersistentVolumeClaim>,
    host_pvs: Vec<PersistentVolume>,
    host_classes: Vec<StorageClass>,
    seen: HashSet<(bool, &'static str, String, String)>,
}

fn meta_key(meta: &ObjectMeta) -> (String, String) {
    (
        meta.namespace.clone().unwrap_or_default(),
        meta.name.clone().unwrap_or_default(),
    )
}

impl Clusters {
    /// Whether an object is the first of its kind and name (and namespace, for a PVC) on its
    /// side, and the snapshot takes it (named; a PVC in a namespace).
    fn first(&mut self, on_host: bool, kind: &'static str, meta: &ObjectMeta) -> bool {
        let (namespace, name) = meta_key(meta);
        let namespace = if kind == "pvc" {
            namespace
        } else {
            String::new()
        };
        !name.is_empty()
            && (kind != "pvc" || !namespace.is_empty())
            && self.seen.insert((on_host, kind, namespace, name))
    }

    fn pvc(&mut self, on_host: bool, pvc: Option<&PersistentVolumeClaim>) {
        if let Some(pvc) = pvc
            && self.first(on_host, "pvc", &pvc.metadata)
        {
            let list = if on_host {
                &mut self.host_pvcs
            } else {
                &mut self.virtual_pvcs
            };
            list.push(pvc.clone());
        }
    }

    fn pv(&mut self, on_host: bool, pv: Option<&PersistentVolume>) {
        if let Some(pv) = pv
            && self.first(on_host, "pv", &pv.metadata)
        {
            let list = if on_host {
                &mut self.host_pvs
            } else {
                &mut self.virtual_pvs
            };
            list.push(pv.clone());
        }
    }

    fn class(&mut self, on_host: bool, class: Option<&StorageClass>) {
        if let Some(class) = class
            && self.first(on_host, "class", &class.metadata)
        {
            let list = if on_host {
                &mut self.host_classes
            } else {
                &mut self.virtual_classes
            };
            list.push(class.clone());
        }
    }

    fn len(&self) -> usize {
        self.virtual_pvcs.len()
            + self.virtual_pvs.len()
            + self.virtual_classes.len()
            + self.host_pvcs.len()
            + self.host_pvs.len()
            + self.host_classes.len()
    }

    /// The snapshot, built with `Objects::new` (objects in the order added).
    fn snapshot(&self) -> Snapshot {
        Snapshot::new(
            Objects::new(
                self.virtual_pvcs.clone(),
                self.virtual_pvs.clone(),
                self.virtual_classes.clone(),
            )
            .expect("no duplicates"),
            Objects::new(
                self.host_pvcs.clone(),
                self.host_pvs.clone(),
                self.host_classes.clone(),
            )
            .expect("no duplicates"),
        )
    }

    /// The same snapshot, its objects inserted one by one in reverse order, classes first.
    fn reversed_snapshot(&self) -> Snapshot {
        let side =
            |pvcs: &[PersistentVolumeClaim], pvs: &[PersistentVolume], classes: &[StorageClass]| {
                let mut objects = Objects::default();
                for class in classes.iter().rev() {
                    assert!(
                        objects
                            .insert_storage_class(class.clone())
                            .unwrap()
                            .is_none()
                    );
                }
                for pv in pvs.iter().rev() {
                    assert!(objects.insert_pv(pv.clone()).unwrap().is_none());
                }
                for pvc in pvcs.iter().rev() {
                    assert!(objects.insert_pvc(pvc.clone()).unwrap().is_none());
                }
                objects
            };
        Snapshot::new(
            side(&self.virtual_pvcs, &self.virtual_pvs, &self.virtual_classes),
            side(&self.host_pvcs, &self.host_pvs, &self.host_classes),
        )
    }
}

/// A setup, both clusters now, and the previous snapshot's objects (absent after a restart).
#[derive(Debug, Clone)]
struct World {
    setup: Setup,
    current: Clusters,
    previous: Option<Clusters>,
}

/// The host copy of `pvc` as P1 made it (marker, bookkeeping) and the host's binder left it.
fn host_pvc_of(
    setup: &Setup,
    pvc: &PersistentVolumeClaim,
    choice: u8,
    pv_name: &str,
) -> PersistentVolumeClaim {
    let cluster = &setup.cluster;
    let (namespace, name) = meta_key(&pvc.metadata);
    let host_name = cluster.host_name(&name, &namespace).unwrap();
    let spec = pvc.spec.clone().unwrap_or_default();
    let request = spec
        .resources
        .as_ref()
        .and_then(|r| r.requests.as_ref())
        .and_then(|r| r.get("storage"))
        .map_or_else(|| "1Gi".to_owned(), |q| q.0.clone());
    let volume = spec
        .volume_name
        .clone()
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| pv_name.to_owned());
    let mut host = json!({
        "metadata": {
            "name": host_name,
            "namespace": cluster.host_namespace(),
            "labels": {MANAGED_BY: cluster.name(), "vcluster.loft.sh/namespace": namespace},
            "annotations": {
                OBJECT_NAME: name,
                OBJECT_NAMESPACE: namespace,
                OBJECT_KIND: "/v1, Kind=PersistentVolumeClaim",
                "pv.kubernetes.io/bind-completed": "yes",
            },
            "uid": "host-pvc-uid",
            "resourceVersion": "5",
        },
        "spec": {
            "accessModes": spec.access_modes,
            "resources": {"requests": {"storage": request}},
            "volumeName": volume,
        },
        "status": {"phase": "Bound", "capacity": {"storage": request}},
    });
    match choice {
        4 => {
            host["spec"]["volumeName"] = json!(null);
            host["status"] = json!({"phase": "Pending"});
        }
        5 => host["spec"]["volumeName"] = json!(format!("{volume}-moved")),
        6 => host["spec"]["resources"]["requests"]["storage"] = json!("1Mi"),
        7 => host["metadata"]["labels"] = json!({MANAGED_BY: "another-vcluster"}),
        _ => {}
    }
    from_json(host)
}

/// The host copy of virtual class `class` as C2 makes it (by the crate: the test's input).
fn host_class_copy(setup: &Setup, class: &StorageClass, choice: u8) -> Option<StorageClass> {
    let made = Translator::new(setup.cluster.clone())
        .host_storage_class(&pv_translate::storage_class::ClassInputs::new(class))
        .ok()?
        .host_class
        .desired?;
    Some(match choice {
        5 => with_json(&made, |v| {
            v["reclaimPolicy"] = json!("Retain");
            v["metadata"]["labels"]["team"] = json!("edited");
        }),
        6 => with_json(&made, |v| {
            v["metadata"]["labels"][MANAGED_BY] = json!("someone-else");
        }),
        _ => made,
    })
}

/// A world of `parts` parts (each one to five scenarios).
fn world(parts: std::ops::Range<usize>) -> BoxedStrategy<World> {
    (
        setup_with(vec![PvMode::Fake, PvMode::Sync], options()),
        prop::collection::vec(part(), parts),
        prop::bool::weighted(0.7),
    )
        .prop_map(|(setup, parts, with_previous)| assemble(setup, &parts, with_previous))
        .boxed()
}

/// `name` made distinct for instance `instance` (still a DNS label or subdomain).
fn renamed(name: &str, instance: usize) -> String {
    if instance == 0 {
        return name.to_owned();
    }
    let base = name.get(..name.len().min(56)).unwrap_or(name);
    format!("{}-c{instance}", base.trim_end_matches(['-', '.']))
}

/// `object` with `mutations` applied to its JSON, when the result still deserialises.
fn garbled<T: serde::Serialize + serde::de::DeserializeOwned + Clone>(
    object: Option<T>,
    mutations: &[Mutation],
) -> Option<T> {
    object.map(|o| mutated(&o, mutations).0)
}

/// Breaks one object of `s` as no rule accepts: a PVC without access modes or with an invalid
/// request (F7), a non-ASCII PVC, PV or class name (N1), a PV without spec, a host PV with an
/// invalid capacity.
fn broken(s: &mut Scenario, which: u8) {
    fn edit_pvc(pvc: &mut Option<PersistentVolumeClaim>, f: impl FnOnce(&mut serde_json::Value)) {
        *pvc = pvc.as_ref().map(|pvc| with_json(pvc, f));
    }
    fn edit_pv(pv: &mut Option<PersistentVolume>, f: impl FnOnce(&mut serde_json::Value)) {
        *pv = pv.as_ref().map(|pv| with_json(pv, f));
    }
    match which {
        0 => edit_pvc(&mut s.virtual_pvc, |v| {
            v["spec"]["accessModes"] = json!([]);
        }),
        1 => edit_pvc(&mut s.virtual_pvc, |v| {
            v["spec"]["resources"]["requests"]["storage"] = json!("1Gib");
        }),
        2 => edit_pvc(&mut s.virtual_pvc, |v| {
            v["metadata"]["name"] = json!("daté");
        }),
        3 => edit_pv(&mut s.virtual_pv, |v| v["spec"] = json!({})),
        4 => edit_pv(&mut s.virtual_pv, |v| {
            v["metadata"]["name"] = json!("volumé");
            v["metadata"]["annotations"] = json!({});
            v["metadata"]["labels"] = json!({});
        }),
        5 => {
            s.virtual_class = s
                .virtual_class
                .as_ref()
                .map(|c| with_json(c, |v| v["metadata"]["name"] = json!("classé")));
        }
        _ => edit_pv(&mut s.host_pv, |v| {
            v["spec"]["capacity"]["storage"] = json!("lots");
        }),
    }
}

fn assemble(setup: Setup, parts: &[Part], with_previous: bool) -> World {
    let mut current = Clusters::default();
    let mut previous = Clusters::default();
    let mut pv_names: Vec<String> = Vec::new();
    for part in parts {
        for (index, instance) in part.instances.iter().enumerate() {
            let mut m = part.material.clone();
            m.pvc.name = renamed(&m.pvc.name, index);
            m.pv_name = renamed(&m.pv_name, index);
            m.tenant_name = renamed(&m.tenant_name, index);
            m.other_name = renamed(&m.other_name, index);
            if let Some(shared) = instance.share_pv.filter(|_| !pv_names.is_empty()) {
                m.pv_name = shared.get(&pv_names).clone();
            }
            if let Some(shared) = instance.share_tenant.filter(|_| !pv_names.is_empty()) {
                m.tenant_name = shared.get(&pv_names).clone();
            }
            pv_names.push(m.pv_name.clone());
            let mut s = build(instance.kind, &m, &setup);
            if let Some(created) = instance.created {
                s.virtual_pvc = s.virtual_pvc.map(|pvc| {
                    with_json(&pvc, |v| {
                        v["metadata"]["creationTimestamp"] = json!(created)
                    })
                });
            }
            if s.host_pvc.is_none()
                && instance.host_pvc >= 3
                && let Some(pvc) = &s.virtual_pvc
            {
                s.host_pvc = Some(host_pvc_of(&setup, pvc, instance.host_pvc, &m.pv_name));
            }
            let mut class_copy = if instance.class_copy >= 4 {
                s.virtual_class
                    .as_ref()
                    .and_then(|class| host_class_copy(&setup, class, instance.class_copy))
            } else {
                None
            };
            if let Some((object, mutations)) = part.garbage.as_ref().filter(|_| index == 0) {
                match object {
                    0 => s.virtual_pvc = garbled(s.virtual_pvc, mutations),
                    1 => s.virtual_pv = garbled(s.virtual_pv, mutations),
                    2 => s.host_pv = garbled(s.host_pv, mutations),
                    3 => s.host_pvc = garbled(s.host_pvc, mutations),
                    4 => s.host_class = garbled(s.host_class, mutations),
                    _ => class_copy = garbled(class_copy, mutations),
                }
            }
            if let Some(which) = instance.broken {
                broken(&mut s, which);
            }
            let h = instance.history;
            current.pvc(
                false,
                s.virtual_pvc
                    .as_ref()
                    .filter(|_| h != History::VirtualPvcGone),
            );
            current.pv(
                false,
                s.virtual_pv
                    .as_ref()
                    .filter(|_| h != History::VirtualPvGone),
            );
            current.class(
                false,
                s.virtual_class
                    .as_ref()
                    .filter(|_| instance.class_copy != 7),
            );
            current.pvc(
                true,
                s.host_pvc.as_ref().filter(|_| h != History::HostPvcGone),
            );
            current.pv(
                true,
                s.host_pv.as_ref().filter(|_| h != History::HostPvGone),
            );
            current.class(true, s.host_class.as_ref());
            current.class(true, class_copy.as_ref());
            if h == History::New {
                continue;
            }
            let last = |pv: Option<PersistentVolume>| {
                pv.map(|pv| {
                    if h == History::Edited {
                        edited(&pv, &part.previous_edits)
                    } else {
                        pv
                    }
                })
            };
            let last_virtual = last(s.last_virtual_pv.clone().or(s.virtual_pv.clone()));
            let last_host = last(s.last_host_pv.clone().or(s.host_pv.clone()));
            previous.pvc(false, s.virtual_pvc.as_ref());
            previous.pv(false, last_virtual.as_ref());
            previous.class(false, s.virtual_class.as_ref());
            previous.pvc(true, s.last_host_pvc.as_ref().or(s.host_pvc.as_ref()));
            previous.pv(true, last_host.as_ref());
            previous.class(true, s.host_class.as_ref());
            previous.class(true, class_copy.as_ref());
        }
    }
    World {
        setup,
        current,
        previous: with_previous.then_some(previous),
    }
}

// ---------------------------------------------------------------------------------------------
// The union of the single-object decisions (R1, R3), computed through the public API.

type Key = (ClusterSide, Kind, String, String);

/// An expected action; `any_reason`: a conflict only a whole snapshot sees, whose wording is
/// not the test's business (its rule is).
#[derive(Debug, Clone, PartialEq)]
struct Expected {
    action: Action,
    desired: Option<Object>,
    any_reason: bool,
}

/// R3's precedence.
fn rank(action: &Action) -> u8 {
    match action {
        Action::Conflict { .. } => 5,
        Action::Delete { .. } => 4,
        Action::Recreate => 3,
        Action::Create | Action::Update { .. } => 2,
        Action::Wait { .. } => 1,
        Action::Unchanged => 0,
        other => panic!("an action R3 does not rank: {other}"),
    }
}

fn name(meta: &ObjectMeta) -> &str {
    meta.name.as_deref().unwrap_or_default()
}

fn namespace(meta: &ObjectMeta) -> &str {
    meta.namespace.as_deref().unwrap_or_default()
}

fn label<'m>(meta: &'m ObjectMeta, key: &str) -> Option<&'m str> {
    meta.labels.as_ref()?.get(key).map(String::as_str)
}

fn annotation<'m>(meta: &'m ObjectMeta, key: &str) -> Option<&'m str> {
    meta.annotations.as_ref()?.get(key).map(String::as_str)
}

/// F1: the PV a PVC names.
fn volume_of(pvc: &PersistentVolumeClaim) -> Option<&str> {
    pvc.spec
        .as_ref()?
        .volume_name
        .as_deref()
        .filter(|v| !v.is_empty())
}

/// S6: the host PV a virtual PV mirrors (a non-empty `host-pv`).
fn mirrored_host_pv(pv: &PersistentVolume) -> Option<&str> {
    annotation(&pv.metadata, HOST_PV).filter(|h| !h.is_empty())
}

/// A PV as a conflict keeps it: without the metadata the API server sets (name, namespace,
/// and non-empty labels and annotations only).
fn as_it_is(pv: &PersistentVolume) -> Object {
    let non_empty = |map: &Option<BTreeMap<String, String>>| map.clone().filter(|m| !m.is_empty());
    wrap_pv(PersistentVolume {
        metadata: ObjectMeta {
            name: pv.metadata.name.clone(),
            namespace: pv.metadata.namespace.clone(),
            labels: non_empty(&pv.metadata.labels),
            annotations: non_empty(&pv.metadata.annotations),
            ..ObjectMeta::default()
        },
        ..pv.clone()
    })
}

fn wrap_pv(pv: PersistentVolume) -> Object {
    Object::PersistentVolume(Box::new(pv))
}

fn wrap_pvc(pvc: PersistentVolumeClaim) -> Object {
    Object::PersistentVolumeClaim(Box::new(pvc))
}

fn wrap_class(class: StorageClass) -> Object {
    Object::StorageClass(Box::new(class))
}

const fn removed() -> Action {
    Action::Delete {
        remove_finalizers: false,
        grace_period_seconds: None,
    }
}

/// A conflict only the whole snapshot sees (any wording).
fn conflict(rule: Rule) -> Action {
    Action::Conflict {
        rule,
        reason: String::new(),
    }
}

/// The union, filed as the decisions come.
struct Union<'a> {
    t: &'a Translator,
    setup: &'a Setup,
    actions: BTreeMap<Key, Expected>,
    errors: Vec<Error>,
    /// How many decisions met one already filed for their object (R3's precedence at work).
    met: usize,
}

impl<'a> Union<'a> {
    fn file(
        &mut self,
        at: (ClusterSide, Kind, &str, &str),
        action: Action,
        desired: Option<Object>,
        any_reason: bool,
    ) {
        self.file_about(at, None, action, desired, any_reason);
    }

    /// Files a decision about `current` (the object as it is, which a conflict between two
    /// decisions keeps).
    fn file_about(
        &mut self,
        (cluster, kind, namespace, name): (ClusterSide, Kind, &str, &str),
        current: Option<Object>,
        action: Action,
        desired: Option<Object>,
        any_reason: bool,
    ) {
        if action == Action::Unchanged {
            return;
        }
        let key = (cluster, kind, namespace.to_owned(), name.to_owned());
        let expected = Expected {
            action,
            desired,
            any_reason,
        };
        // R3: the higher rank wins; two writes of equal rank that differ are rules that
        // disagree, and a conflict wins (nothing written, the object as it is).
        self.met += usize::from(self.actions.contains_key(&key));
        match self.actions.get(&key) {
            None => {
                self.actions.insert(key, expected);
            }
            Some(filed) if rank(&filed.action) < rank(&expected.action) => {
                self.actions.insert(key, expected);
            }
            Some(filed)
                if rank(&filed.action) == rank(&expected.action)
                    && (2..=4).contains(&rank(&expected.action))
                    && (filed.action != expected.action || filed.desired != expected.desired) =>
            {
                self.actions.insert(
                    key,
                    Expected {
                        action: conflict(Rule::R3),
                        desired: current,
                        any_reason: true,
                    },
                );
            }
            Some(_) => {}
        }
    }

    fn decision<T>(
        &mut self,
        at: (ClusterSide, Kind, &str, &str),
        result: Result<Decision<T>, Error>,
        wrap: fn(T) -> Object,
    ) {
        match result {
            Ok(decision) => self.file(at, decision.action, decision.desired.map(wrap), false),
            Err(error) => self.errors.push(error),
        }
    }

    /// C1 (`FromHost`) or C2 (`ToHost`) for every class.
    fn classes(&mut self, previous: Option<&Snapshot>, current: &Snapshot) {
        let (virtual_objects, host) = (&current.virtual_cluster, &current.host_cluster);
        let cluster = &self.setup.cluster;
        match self.setup.mode.storage_classes {
            StorageClassMode::Off => {}
            StorageClassMode::FromHost => {
                for class in host.storage_classes() {
                    let class_name = name(&class.metadata);
                    let decision = self
                        .t
                        .virtual_storage_class(class, virtual_objects.storage_class(class_name));
                    self.decision(
                        (ClusterSide::Virtual, Kind::StorageClass, "", class_name),
                        decision,
                        wrap_class,
                    );
                }
                // C1: a virtual class without its host class goes.
                for class in virtual_objects.storage_classes() {
                    let class_name = name(&class.metadata);
                    if host.storage_class(class_name).is_none() {
                        self.file(
                            (ClusterSide::Virtual, Kind::StorageClass, "", class_name),
                            removed(),
                            None,
                            false,
                        );
                    }
                }
            }
            StorageClassMode::ToHost => {
                for class in virtual_objects.storage_classes() {
                    let virtual_name = name(&class.metadata);
                    // C2's host name (N3); R5 and T5 are the pair decision's.
                    let host_name = match cluster.host_name_cluster(virtual_name) {
                        Ok(host_name) if !virtual_name.is_empty() => host_name,
                        _ => {
                            // The same input error as the plan's.
                            if let Err(error) = self.t.host_storage_class(&ClassInputs::new(class))
                            {
                                self.errors.push(error);
                            }
                            continue;
                        }
                    };
                    let mut inputs = ClassInputs::new(class).with_last(
                        previous.and_then(|p| p.virtual_cluster.storage_class(virtual_name)),
                        previous.and_then(|p| p.host_cluster.storage_class(&host_name)),
                    );
                    inputs.host_class = host.storage_class(&host_name);
                    match self.t.host_storage_class(&inputs) {
                        Ok(pair) => {
                            self.decision(
                                (ClusterSide::Host, Kind::StorageClass, "", &host_name),
                                Ok(pair.host_class),
                                wrap_class,
                            );
                            self.decision(
                                (ClusterSide::Virtual, Kind::StorageClass, "", virtual_name),
                                Ok(pair.virtual_class),
                                wrap_class,
                            );
                        }
                        Err(error) => self.errors.push(error),
                    }
                }
                // C2: a host class this cluster made from a virtual class that is gone.
                for class in host.storage_classes() {
                    let class_name = name(&class.metadata);
                    if label(&class.metadata, MANAGED_BY) != Some(cluster.cluster_marker()) {
                        continue;
                    }
                    let Some(source) = annotation(&class.metadata, OBJECT_NAME) else {
                        continue;
                    };
                    if cluster.host_name_cluster(source).ok().as_deref() == Some(class_name)
                        && virtual_objects.storage_class(source).is_none()
                    {
                        self.file(
                            (ClusterSide::Host, Kind::StorageClass, "", class_name),
                            removed(),
                            None,
                            false,
                        );
                    }
                }
            }
        }
    }

    /// F5 for every PV name a virtual PV or PVC has: `virtual_pv` with the oldest claim naming
    /// it, the host PV of that name and the claim's host class.
    fn fake_pvs(&mut self, current: &Snapshot) {
        let (virtual_objects, host) = (&current.virtual_cluster, &current.host_cluster);
        let mut oldest: BTreeMap<&str, &PersistentVolumeClaim> = BTreeMap::new();
        for pvc in virtual_objects.pvcs() {
            if let Some(volume) = volume_of(pvc) {
                let entry = oldest.entry(volume).or_insert(pvc);
                if claim_order(pvc) < claim_order(entry) {
                    *entry = pvc;
                }
            }
        }
        let names: BTreeSet<&str> = virtual_objects
            .pvs()
            .map(|pv| name(&pv.metadata))
            .chain(oldest.keys().copied())
            .collect();
        for pv_name in names {
            let claim = oldest.get(pv_name).copied();
            let mut inputs = Inputs::new();
            inputs.virtual_pvc = claim;
            inputs.virtual_pv = virtual_objects.pv(pv_name);
            inputs.host_pv = host.pv(pv_name);
            inputs.host_storage_class = claim.and_then(|c| self.claim_host_class(c, host));
            let decision = self.t.virtual_pv(&inputs);
            self.decision(
                (ClusterSide::Virtual, Kind::PersistentVolume, "", pv_name),
                decision,
                wrap_pv,
            );
        }
    }

    /// The host class fake mode's options read for a claim: its class (N3 of it with
    /// `ToHost`), or the host's default class when it names none.
    fn claim_host_class<'o>(
        &self,
        claim: &PersistentVolumeClaim,
        host: &'o Objects,
    ) -> Option<&'o StorageClass> {
        match claim.spec.as_ref()?.storage_class_name.as_deref() {
            None => host.default_storage_class(),
            Some("") => None,
            Some(class) if self.setup.mode.storage_classes == StorageClassMode::ToHost => {
                let translated = self.setup.cluster.host_name_cluster(class).ok()?;
                host.storage_class(&translated)
            }
            Some(class) => host.storage_class(class),
        }
    }

    /// Sync mode: every virtual PV with its host PV (the one it mirrors, its own name for a
    /// fake PV, N3 of its name for a tenant's), then every host PV left, with the virtual PV of
    /// its name (its `object-name` when it carries the marker); `pv_pair` for each.
    fn sync_pvs(&mut self, previous: Option<&Snapshot>, current: &Snapshot) {
        let (virtual_objects, host) = (&current.virtual_cluster, &current.host_cluster);
        let cluster = &self.setup.cluster;
        // S4: the virtual PVC of a host claim in `H`, by its N2 name (the last one wins).
        let mut pvc_by_host_name: HashMap<String, &PersistentVolumeClaim> = HashMap::new();
        for pvc in virtual_objects.pvcs() {
            if let Ok(host_name) = cluster.host_name(name(&pvc.metadata), namespace(&pvc.metadata))
            {
                pvc_by_host_name.insert(host_name, pvc);
            }
        }
        let claim_of = |host_pv: Option<&PersistentVolume>| {
            let claim = host_pv?.spec.as_ref()?.claim_ref.as_ref()?;
            if claim.namespace.as_deref() != Some(cluster.host_namespace()) {
                return None;
            }
            pvc_by_host_name.get(claim.name.as_deref()?).copied()
        };
        // T3: the host PVC a host PV's claim names in H.
        let host_pvc_of = |host_pv: Option<&PersistentVolume>| {
            let claim = host_pv?.spec.as_ref()?.claim_ref.as_ref()?;
            if claim.namespace.as_deref() != Some(cluster.host_namespace()) {
                return None;
            }
            host.pvc(cluster.host_namespace(), claim.name.as_deref()?)
        };
        // T2: a tenant PV named like a host PV mirrored for this virtual cluster is that mirror.
        let t = &self.t;
        let namesake = |virtual_name: &str| {
            host.pv(virtual_name).filter(|host_pv| {
                label(&host_pv.metadata, MANAGED_BY) != Some(cluster.cluster_marker())
                    && t.mirror_decision(host_pv, claim_of(Some(host_pv)), None)
                        .is_ok_and(|d| d.is_mirrored())
            })
        };
        // T2: one disk, one PV: a host PV other than the tenant PV's copy naming its storage,
        // else (while it has no copy) another tenant PV of a smaller name naming it.
        let tenant_made = |pv: &PersistentVolume| {
            mirrored_host_pv(pv).is_none() && label(&pv.metadata, FAKE_PV) != Some("true")
        };
        let same_storage = |virtual_pv: &PersistentVolume, copy: &str| -> Option<String> {
            let identity = VolumeIdentity::of(virtual_pv.spec.as_ref()?)?;
            let overlaps = |pv: &PersistentVolume| {
                pv.spec
                    .as_ref()
                    .and_then(VolumeIdentity::of)
                    .is_some_and(|other| other.overlaps(&identity))
            };
            let virtual_name = name(&virtual_pv.metadata);
            host.pvs()
                .find(|h| name(&h.metadata) != copy && overlaps(h))
                .or_else(|| {
                    if host.pv(copy).is_some() {
                        return None;
                    }
                    virtual_objects.pvs().find(|other| {
                        tenant_made(other)
                            && name(&other.metadata) < virtual_name
                            && overlaps(other)
                    })
                })
                .map(|pv| name(&pv.metadata).to_owned())
        };
        let mut paired: HashSet<String> = HashSet::new();
        for virtual_pv in virtual_objects.pvs() {
            let virtual_name = name(&virtual_pv.metadata);
            let host_name = match mirrored_host_pv(virtual_pv) {
                Some(host_name) => host_name.to_owned(),
                None if label(&virtual_pv.metadata, FAKE_PV) == Some("true") => {
                    virtual_name.to_owned()
                }
                None if namesake(virtual_name).is_some() => virtual_name.to_owned(),
                None => match cluster.host_name_cluster(virtual_name) {
                    Ok(host_name) => host_name,
                    Err(error) => {
                        self.errors.push(Error::InvalidField {
                            object: ObjectRef::new("PersistentVolume", &virtual_pv.metadata),
                            field: "metadata.name".to_owned(),
                            reason: error.to_string(),
                        });
                        continue;
                    }
                },
            };
            let host_pv = host.pv(&host_name);
            let mut inputs = Inputs::new();
            inputs.virtual_pv = Some(virtual_pv);
            inputs.host_pv = host_pv;
            inputs.last_virtual_pv = previous.and_then(|p| p.virtual_cluster.pv(virtual_name));
            inputs.last_host_pv = previous.and_then(|p| p.host_cluster.pv(&host_name));
            inputs.virtual_pvc = claim_of(host_pv);
            inputs.host_pvc = host_pvc_of(host_pv);
            let storage = (tenant_made(virtual_pv) && namesake(virtual_name).is_none())
                .then(|| same_storage(virtual_pv, &host_name))
                .flatten();
            inputs.same_storage = storage.as_deref();
            inputs.host_storage_class = host.storage_class(
                virtual_pv
                    .spec
                    .as_ref()
                    .and_then(|s| s.storage_class_name.as_deref())
                    .unwrap_or_default(),
            );
            self.pair(virtual_objects, &inputs, virtual_name, &host_name);
            paired.insert(host_name);
        }
        for host_pv in host.pvs() {
            let host_name = name(&host_pv.metadata);
            if paired.contains(host_name) {
                continue;
            }
            let virtual_name =
                if label(&host_pv.metadata, MANAGED_BY) == Some(cluster.cluster_marker()) {
                    annotation(&host_pv.metadata, OBJECT_NAME).unwrap_or(host_name)
                } else {
                    host_name
                };
            let mut inputs = Inputs::new();
            inputs.host_pv = Some(host_pv);
            inputs.last_virtual_pv = previous.and_then(|p| p.virtual_cluster.pv(virtual_name));
            inputs.last_host_pv = previous.and_then(|p| p.host_cluster.pv(host_name));
            inputs.virtual_pvc = claim_of(Some(host_pv));
            inputs.host_pvc = host_pvc_of(Some(host_pv));
            self.pair(virtual_objects, &inputs, virtual_name, host_name);
        }
    }

    fn pair(
        &mut self,
        virtual_objects: &Objects,
        inputs: &Inputs<'_>,
        virtual_name: &str,
        host_name: &str,
    ) {
        let decision = match self.t.pv_pair(inputs) {
            Ok(decision) => decision,
            Err(error) => {
                self.errors.push(error);
                return;
            }
        };
        let at = (
            ClusterSide::Virtual,
            Kind::PersistentVolume,
            "",
            virtual_name,
        );
        if inputs.virtual_pv.is_none()
            && decision.virtual_pv.action == Action::Create
            && virtual_objects.pv(virtual_name).is_some()
        {
            // A mirror to create over a PV the tenant made under its name: never replaced; the
            // conflict's desired object is the tenant's PV as it is.
            let tenant_pv = virtual_objects.pv(virtual_name).map(as_it_is);
            self.file_about(at, tenant_pv.clone(), conflict(Rule::S6), tenant_pv, true);
        } else {
            self.file_about(
                at,
                inputs.virtual_pv.map(as_it_is),
                decision.virtual_pv.action,
                decision.virtual_pv.desired.map(wrap_pv),
                false,
            );
        }
        self.file_about(
            (ClusterSide::Host, Kind::PersistentVolume, "", host_name),
            inputs.host_pv.map(as_it_is),
            decision.host_pv.action,
            decision.host_pv.desired.map(wrap_pv),
            false,
        );
    }

    /// P1-P4 for every virtual PVC (`host_pvc` with its host PVC under N2, the PV it names and
    /// that PV's host PV, the host class of its class; `virtual_pvc` with the host PVC, whether
    /// it was seen before and the host PV it is bound to), and P4 for host PVCs this cluster
    /// made whose virtual PVC is gone.
    fn pvcs(&mut self, previous: Option<&Snapshot>, current: &Snapshot) {
        let (virtual_objects, host) = (&current.virtual_cluster, &current.host_cluster);
        let cluster = &self.setup.cluster;
        let h = cluster.host_namespace();
        for pvc in virtual_objects.pvcs() {
            let (pvc_namespace, pvc_name) = (namespace(&pvc.metadata), name(&pvc.metadata));
            let host_name = match cluster.host_name(pvc_name, pvc_namespace) {
                Ok(host_name) => host_name,
                Err(error) => {
                    self.errors.push(Error::InvalidField {
                        object: ObjectRef::new("PersistentVolumeClaim", &pvc.metadata),
                        field: "metadata.name".to_owned(),
                        reason: error.to_string(),
                    });
                    continue;
                }
            };
            let host_pvc = host.pvc(h, &host_name);
            let named_pv = volume_of(pvc).and_then(|volume| virtual_objects.pv(volume));
            let requested_class = pvc
                .spec
                .as_ref()
                .and_then(|s| s.storage_class_name.as_deref())
                .filter(|c| !c.is_empty())
                .or_else(|| annotation(&pvc.metadata, BETA_CLASS));
            let mut inputs = Inputs::new();
            inputs.virtual_pvc = Some(pvc);
            inputs.host_pvc = host_pvc;
            inputs.virtual_pv = named_pv;
            // The host PV of the volume: before the host PVC exists, the one the claim names
            // (P2's mirror target in sync mode, T2's in fake mode); then the one the host PVC
            // is bound to (P3).
            inputs.host_pv = match host_pvc {
                Some(host_pvc) => volume_of(host_pvc).and_then(|volume| host.pv(volume)),
                None if self.setup.mode.persistent_volumes == PvMode::Sync => named_pv
                    .and_then(mirrored_host_pv)
                    .and_then(|host_pv| host.pv(host_pv)),
                None => volume_of(pvc).and_then(|volume| host.pv(volume)),
            };
            inputs.host_storage_class = requested_class.and_then(|c| host.storage_class(c));
            // P4: a host PVC seen at the last sync and gone now is not made again; U1 reads
            // both last PVCs.
            inputs.last_host_pvc = previous.and_then(|p| p.host_cluster.pvc(h, &host_name));
            inputs.last_virtual_pvc =
                previous.and_then(|p| p.virtual_cluster.pvc(pvc_namespace, pvc_name));
            let decision = self.t.host_pvc(&inputs);
            self.decision(
                (
                    ClusterSide::Host,
                    Kind::PersistentVolumeClaim,
                    h,
                    &host_name,
                ),
                decision,
                wrap_pvc,
            );
            // The same inputs: both PVCs are decided together.
            let decision = self.t.virtual_pvc(&inputs);
            self.decision(
                (
                    ClusterSide::Virtual,
                    Kind::PersistentVolumeClaim,
                    pvc_namespace,
                    pvc_name,
                ),
                decision,
                wrap_pvc,
            );
        }
        for host_pvc in host.pvcs() {
            if namespace(&host_pvc.metadata) != h
                || label(&host_pvc.metadata, MANAGED_BY) != Some(cluster.namespaced_marker())
            {
                continue;
            }
            let (Some(source_name), Some(source_namespace)) = (
                annotation(&host_pvc.metadata, OBJECT_NAME),
                annotation(&host_pvc.metadata, OBJECT_NAMESPACE),
            ) else {
                continue;
            };
            let host_name = name(&host_pvc.metadata);
            if cluster
                .host_name(source_name, source_namespace)
                .ok()
                .as_deref()
                == Some(host_name)
                && virtual_objects.pvc(source_namespace, source_name).is_none()
            {
                self.file(
                    (ClusterSide::Host, Kind::PersistentVolumeClaim, h, host_name),
                    removed(),
                    None,
                    false,
                );
            }
        }
    }
}

/// F5's order of claims: oldest first, unknown age last, then namespace, then name.
fn claim_order(
    pvc: &PersistentVolumeClaim,
) -> (bool, Option<k8s_openapi::jiff::Timestamp>, &str, &str) {
    let created = pvc.metadata.creation_timestamp.as_ref().map(|t| t.0);
    (
        created.is_none(),
        created,
        namespace(&pvc.metadata),
        name(&pvc.metadata),
    )
}

// ---------------------------------------------------------------------------------------------
// Comparing plans.

fn key(action: &PlannedAction) -> Key {
    (
        action.cluster,
        action.kind,
        action.namespace.clone(),
        action.name.clone(),
    )
}

/// The union of the single-object decisions about both clusters, filed in the plan's order of
/// rule families (classes, PVs, PVCs), so that R3's ties fall the same way.
fn union_of<'a>(
    t: &'a Translator,
    setup: &'a Setup,
    previous: Option<&Snapshot>,
    current: &Snapshot,
) -> Union<'a> {
    let mut union = Union {
        t,
        setup,
        actions: BTreeMap::new(),
        errors: Vec::new(),
        met: 0,
    };
    union.classes(previous, current);
    match setup.mode.persistent_volumes {
        PvMode::Fake => union.fake_pvs(current),
        PvMode::Sync => union.sync_pvs(previous, current),
        PvMode::Disabled => {}
    }
    union.pvcs(previous, current);
    union
}

fn without_reason(action: &Action) -> Action {
    match action {
        Action::Conflict { rule, .. } => conflict(*rule),
        other => other.clone(),
    }
}

fn shown(object: Option<&Object>) -> String {
    object.map_or_else(|| "none".to_owned(), |o| json!(o).to_string())
}

/// R1, R3: the plan's actions are the union's, one per object, in R3's order.
fn same_actions(plan: &Plan, union: &Union<'_>) -> Result<(), TestCaseError> {
    let keys: Vec<Key> = plan.actions.iter().map(key).collect();
    prop_assert!(
        keys.windows(2).all(|pair| pair[0] < pair[1]),
        "R3: the actions are not one per object in (cluster, kind, namespace, name) order: \
         {keys:?}"
    );
    let planned: BTreeMap<Key, &PlannedAction> = plan.actions.iter().map(|a| (key(a), a)).collect();
    let every_key: BTreeSet<&Key> = planned.keys().chain(union.actions.keys()).collect();
    let mut differences = Vec::new();
    for k in every_key {
        match (planned.get(k), union.actions.get(k)) {
            (Some(planned), Some(expected)) => {
                let action = if expected.any_reason {
                    without_reason(&planned.action)
                } else {
                    planned.action.clone()
                };
                if action != expected.action {
                    differences.push(format!(
                        "{planned}: the single-object decision is {}",
                        expected.action
                    ));
                } else if planned.desired != expected.desired {
                    differences.push(format!(
                        "{planned}: desired {}\n  but the single-object decision desires {}",
                        shown(planned.desired.as_ref()),
                        shown(expected.desired.as_ref())
                    ));
                }
            }
            (Some(planned), None) => differences.push(format!(
                "{planned}: planned, but no single-object decision asks for it"
            )),
            (None, Some(expected)) => differences.push(format!(
                "{k:?}: {}, but not planned (desired {})",
                expected.action,
                shown(expected.desired.as_ref())
            )),
            (None, None) => unreachable!(),
        }
    }
    prop_assert!(
        differences.is_empty(),
        "{} of {} planned actions differ from the union of the single-object decisions:\n{}",
        differences.len(),
        plan.actions.len(),
        differences.join("\n")
    );
    Ok(())
}

/// R1: the plan's errors are the single-object errors (in any order, each once: `host_pvc`
/// and `virtual_pvc` decide one PVC pair and both report its error, the plan once).
fn same_errors(plan: &Plan, union: &Union<'_>) -> Result<(), TestCaseError> {
    let sorted = |errors: &[Error]| {
        let mut errors = errors.to_vec();
        errors.sort_by_key(ToString::to_string);
        errors.dedup();
        errors
    };
    prop_assert_eq!(sorted(&plan.errors), sorted(&union.errors));
    Ok(())
}

/// Where two plans first differ, if they do.
fn first_difference(a: &Plan, b: &Plan) -> Option<String> {
    if a == b {
        return None;
    }
    if a.errors != b.errors {
        return Some(format!("errors {:?}\nvs     {:?}", a.errors, b.errors));
    }
    if a.actions.len() != b.actions.len() {
        return Some(format!(
            "{} actions vs {}",
            a.actions.len(),
            b.actions.len()
        ));
    }
    a.actions
        .iter()
        .zip(&b.actions)
        .find(|(x, y)| x != y)
        .map(|(x, y)| format!("{x} ({x:?})\nvs {y} ({y:?})"))
}

fn writes(plan: &Plan) -> bool {
    plan.actions.iter().any(|a| {
        matches!(
            a.action,
            Action::Create | Action::Update { .. } | Action::Delete { .. } | Action::Recreate
        )
    })
}

fn has(plan: &Plan, pick: impl Fn(&PlannedAction) -> bool) -> bool {
    plan.actions.iter().any(pick)
}

// ---------------------------------------------------------------------------------------------
// The properties.

#[test]
fn r1_r3_plan_equals_the_union_of_single_object_decisions() {
    run(
        file!(),
        "r1_r3_plan_equals_the_union_of_single_object_decisions",
        world(3..12),
        &[
            ("union checked, plan not empty", 90),
            ("union checked, plan writes", 85),
            ("40 objects or more", 50),
            ("fake mode, plan writes", 25),
            ("sync mode, plan writes", 25),
            ("with a previous snapshot, plan writes", 45),
            ("a delete", 50),
            ("a recreate", 20),
            ("a conflict", 30),
            ("a wait", 4),
            ("an error", 15),
            // Rarer since T2 (0.3): a tenant PV named like a mirrored host PV is that mirror, no
            // longer a second decision about the virtual PV; forged host-pv annotations naming
            // another scenario's host PV still give two decisions about that host PV.
            ("two decisions about one object", 1),
            ("a class action", 30),
            ("explained actions equal", 90),
        ],
        |world, tally| {
            let current = world.current.snapshot();
            let previous = world.previous.as_ref().map(Clusters::snapshot);
            let t = world.setup.translator().with_explanations(false);
            let plan = t.plan(previous.as_ref(), &current);
            prop_assert!(
                plan.actions.iter().all(|a| a.explanation.is_none()),
                "R4: an explanation nobody asked for"
            );
            let union = union_of(&t, &world.setup, previous.as_ref(), &current);
            same_actions(&plan, &union)?;
            same_errors(&plan, &union)?;
            // R1: each action names its object, and the object it desires is that object (by
            // name, and namespace for a PVC: a cluster-scoped object keeps whatever namespace
            // its input carried).
            for action in &plan.actions {
                let meta = match &action.desired {
                    None => continue,
                    Some(Object::StorageClass(o)) => &o.metadata,
                    Some(Object::PersistentVolume(o)) => &o.metadata,
                    Some(Object::PersistentVolumeClaim(o)) => {
                        prop_assert_eq!(
                            namespace(&o.metadata),
                            action.namespace.as_str(),
                            "{} desires another object",
                            action
                        );
                        &o.metadata
                    }
                    Some(other) => panic!("a new kind of object: {other:?}"),
                };
                prop_assert_eq!(
                    name(meta),
                    action.name.as_str(),
                    "{} desires another object",
                    action
                );
            }
            if !plan.actions.is_empty() {
                tally.hit("union checked, plan not empty");
            }
            if world.current.len() >= 40 {
                tally.hit("40 objects or more");
            }
            if writes(&plan) {
                tally.hit("union checked, plan writes");
                match world.setup.pv_mode() {
                    PvMode::Fake => tally.hit("fake mode, plan writes"),
                    PvMode::Sync => tally.hit("sync mode, plan writes"),
                    PvMode::Disabled => {}
                }
                if previous.is_some() {
                    tally.hit("with a previous snapshot, plan writes");
                }
            }
            for (goal, reached) in [
                (
                    "a delete",
                    has(&plan, |a| matches!(a.action, Action::Delete { .. })),
                ),
                ("a recreate", has(&plan, |a| a.action == Action::Recreate)),
                (
                    "a conflict",
                    has(&plan, |a| matches!(a.action, Action::Conflict { .. })),
                ),
                (
                    "a wait",
                    has(&plan, |a| matches!(a.action, Action::Wait { .. })),
                ),
                ("an error", !plan.errors.is_empty()),
                ("two decisions about one object", union.met > 0),
                (
                    "a class action",
                    has(&plan, |a| a.kind == Kind::StorageClass),
                ),
            ] {
                if reached {
                    tally.hit(goal);
                }
            }
            // E1: explained, the same actions, each with its explanation.
            let explained = t
                .clone()
                .with_explanations(true)
                .plan(previous.as_ref(), &current);
            prop_assert!(
                explained.actions.iter().all(|a| a.explanation.is_some()),
                "an action without its explanation: {:?}",
                explained
                    .actions
                    .iter()
                    .find(|a| a.explanation.is_none())
                    .map(ToString::to_string)
            );
            let mut unexplained = explained.clone();
            for action in &mut unexplained.actions {
                action.explanation = None;
            }
            if let Some(difference) = first_difference(&unexplained, &plan) {
                prop_assert!(false, "explained vs unexplained: {difference}");
            }
            if !plan.actions.is_empty() {
                tally.hit("explained actions equal");
            }
            Ok(())
        },
    );
}

#[test]
fn r3_plan_is_deterministic() {
    run(
        file!(),
        "r3_plan_is_deterministic",
        // Smaller worlds: each is planned eight times, and an order that leaks shows in any.
        world(2..8),
        &[
            ("compared, plan not empty", 90),
            ("compared, plan writes", 85),
        ],
        |world, tally| {
            let current = world.current.snapshot();
            let previous = world.previous.as_ref().map(Clusters::snapshot);
            let reversed_current = world.current.reversed_snapshot();
            let reversed_previous = world.previous.as_ref().map(Clusters::reversed_snapshot);
            prop_assert!(reversed_current == current && reversed_previous == previous);
            for explain in [false, true] {
                let t = world.setup.translator().with_explanations(explain);
                let plan = t.plan(previous.as_ref(), &current);
                let again = t.plan(previous.as_ref(), &current);
                let (previous_clone, current_clone) = (previous.clone(), current.clone());
                let cloned = t.plan(previous_clone.as_ref(), &current_clone);
                let reversed = t.plan(reversed_previous.as_ref(), &reversed_current);
                for (what, other) in [
                    ("planned again", &again),
                    ("over clones", &cloned),
                    ("objects inserted in reverse", &reversed),
                ] {
                    if let Some(difference) = first_difference(&plan, other) {
                        prop_assert!(
                            false,
                            "explain {explain}: {what}, the plan differs: {difference}"
                        );
                    }
                }
                if !explain && !plan.actions.is_empty() {
                    tally.hit("compared, plan not empty");
                }
                if !explain && writes(&plan) {
                    tally.hit("compared, plan writes");
                }
            }
            Ok(())
        },
    );
}
