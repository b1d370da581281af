//! Every small world, checked (SPEC Y3, L1): all step sequences up to a bounded depth over a
//! small world, with states deduplicated, by stateright's breadth-first model checker.
//!
//! The world: a host with two CSI classes (`retain`: `Retain`, `delete`: `Delete`, provisioner
//! `ebs.csi.aws.com`); a tenant with two claims (`a`, `b`) it creates with either class and
//! deletes; a host admin who sets a host PV's policy to `Retain` or `Delete` or deletes it; the
//! provisioner stopping and starting; a syncer restart. In fake mode under every
//! `fakeReclaimPolicy`, and in sync mode. Checked in every state reached: no step fails (no
//! sync loop), no Y3 invariant broke, and whenever the tenant deletes a bound claim, L1's
//! prediction made just before is what the step then did.
//!
//! Two states are the same when their objects (without resourceVersions), disks, facts and
//! claim records are. The depth in `cargo test` keeps a debug build well under a minute; the
//! state counts it reaches are asserted, so that a change that shrinks the explored space fails.
//! `EXHAUSTIVE_DEPTH=6 cargo test --release --test lifecycle_exhaustive -- --nocapture` runs
//! deeper (the counts are then printed, not asserted). Measured: depth 4 (the default), 4,038
//! distinct states, 8,256 transitions, 1,128 predictions compared, 7 to 17 s in a debug build;
//! depth 5, 15,302 states, 61 s in a debug build; depth 6, 52,730 distinct states, 143,104
//! transitions, 20,540 predictions compared, 99 s in a release build (load average 9 on two
//! cores). None found a violation.
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    clippy::panic
)]

use std::fmt;
use std::hash::{Hash, Hasher};
use std::time::Instant;

use k8s_openapi::api::core::v1::PersistentVolumeClaim;
use k8s_openapi::api::storage::v1::StorageClass;
use pv_translate::lifecycle::{Step, World};
use pv_translate::options::{FakeReclaimPolicy, Options};
use pv_translate::plan::{ClusterSide, Kind, Object};
use pv_translate::snapshot::Objects;
use pv_translate::{PvMode, StorageClassMode, SyncMode, Translator, VirtualCluster};
use serde_json::{Value, json};
use stateright::{Checker, Model, Property};

const CLAIMS: [&str; 2] = ["a", "b"];
/// Transitions taken (steps played), over every configuration.
static TRANSITIONS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
/// Deletions of a bound claim whose L1 prediction was compared with what the step did.
static PREDICTIONS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
const CLASSES: [&str; 2] = ["retain", "delete"];
const PROVISIONER: &str = "ebs.csi.aws.com";

#[derive(Clone, Debug, PartialEq)]
enum Move {
    Create { claim: usize, class: usize },
    Delete { claim: usize },
    SetPolicy { pv: usize, delete: bool },
    DeleteHostPv { pv: usize },
    Provisioner { running: bool },
    Restart,
}

#[derive(Clone)]
struct State {
    world: World,
    key: String,
    /// What went wrong on the way here: a failed step or a wrong prediction.
    broken: Option<String>,
}

impl PartialEq for State {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key && self.broken == other.broken
    }
}

impl Hash for State {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.key.hash(state);
        self.broken.hash(state);
    }
}

impl fmt::Debug for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?} {}", self.broken, self.key)
    }
}

fn strip(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.remove("resourceVersion");
            map.values_mut().for_each(strip);
        }
        Value::Array(items) => items.iter_mut().for_each(strip),
        _ => {}
    }
}

fn objects(side: &Objects) -> Value {
    let pvs: Vec<Value> = side
        .pvs()
        .map(|o| serde_json::to_value(o).unwrap())
        .collect();
    let pvcs: Vec<Value> = side
        .pvcs()
        .map(|o| serde_json::to_value(o).unwrap())
        .collect();
    let classes: Vec<Value> = side
        .storage_classes()
        .map(|o| serde_json::to_value(o).unwrap())
        .collect();
    json!([pvs, pvcs, classes])
}

fn key(world: &World) -> String {
    let clusters = world.clusters();
    let mut value = json!([
        objects(&clusters.host_cluster),
        objects(&clusters.virtual_cluster)
    ]);
    strip(&mut value);
    let disks: Vec<String> = world
        .disks()
        .map(|d| format!("{}:{:?}:{}", d.id, d.pv, d.exists))
        .collect();
    let records: Vec<String> = world
        .records()
        .map(|((ns, n), r)| format!("{ns}/{n}:{r:?}"))
        .collect();
    format!(
        "{value}|{disks:?}|{records:?}|{:?}",
        world.provisioner_running(PROVISIONER)
    )
}

fn state(world: World, broken: Option<String>) -> State {
    State {
        key: key(&world),
        world,
        broken,
    }
}

struct SmallWorld {
    sync: bool,
    policy: FakeReclaimPolicy,
}

fn class(name: &str, policy: &str) -> StorageClass {
    serde_json::from_value(json!({
        "metadata": {"name": name}, "provisioner": PROVISIONER, "reclaimPolicy": policy,
    }))
    .unwrap()
}

fn pvc(name: &str, class: &str) -> PersistentVolumeClaim {
    serde_json::from_value(json!({
        "metadata": {"name": name, "namespace": "default"},
        "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}},
                 "storageClassName": class},
    }))
    .unwrap()
}

fn host_pvs(world: &World) -> Vec<String> {
    world
        .clusters()
        .host_cluster
        .pvs()
        .filter_map(|pv| pv.metadata.name.clone())
        .collect()
}

fn bound(world: &World, claim: &str) -> bool {
    world
        .clusters()
        .virtual_cluster
        .pvc("default", claim)
        .and_then(|p| p.spec.as_ref()?.volume_name.as_deref())
        .is_some_and(|v| !v.is_empty())
}

impl Model for SmallWorld {
    type State = State;
    type Action = Move;

    fn init_states(&self) -> Vec<State> {
        let mode = if self.sync {
            PvMode::Sync
        } else {
            PvMode::Fake
        };
        let translator = Translator::new(VirtualCluster::new("vc", "team-a").unwrap())
            .with_mode(SyncMode::new(mode, StorageClassMode::Off))
            .with_options(Options::default().with_fake_reclaim_policy(self.policy));
        let host = Objects::new(
            vec![],
            vec![],
            vec![class(CLASSES[0], "Retain"), class(CLASSES[1], "Delete")],
        )
        .unwrap();
        let world = World::new(translator, Objects::default(), host, false).unwrap();
        vec![state(world, None)]
    }

    fn actions(&self, state: &State, actions: &mut Vec<Move>) {
        if state.broken.is_some() {
            return;
        }
        let world = &state.world;
        for (claim, name) in CLAIMS.iter().enumerate() {
            if world
                .clusters()
                .virtual_cluster
                .pvc("default", name)
                .is_some()
            {
                actions.push(Move::Delete { claim });
            } else {
                for class in 0..CLASSES.len() {
                    actions.push(Move::Create { claim, class });
                }
            }
        }
        for pv in 0..host_pvs(world).len().min(2) {
            actions.push(Move::SetPolicy { pv, delete: true });
            actions.push(Move::SetPolicy { pv, delete: false });
            actions.push(Move::DeleteHostPv { pv });
        }
        let running = world.provisioner_running(PROVISIONER).unwrap_or(true);
        actions.push(Move::Provisioner { running: !running });
        actions.push(Move::Restart);
    }

    fn next_state(&self, last: &State, action: Move) -> Option<State> {
        TRANSITIONS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let mut world = last.world.clone();
        let names = host_pvs(&world);
        let step = match &action {
            Move::Create { claim, class } => Step::Create {
                cluster: ClusterSide::Virtual,
                object: Object::PersistentVolumeClaim(Box::new(pvc(
                    CLAIMS[*claim],
                    CLASSES[*class],
                ))),
            },
            Move::Delete { claim } => Step::Delete {
                cluster: ClusterSide::Virtual,
                kind: Kind::PersistentVolumeClaim,
                namespace: "default".to_owned(),
                name: CLAIMS[*claim].to_owned(),
            },
            Move::SetPolicy { pv, delete } => Step::SetReclaimPolicy {
                name: names[*pv].clone(),
                policy: if *delete { "Delete" } else { "Retain" }.to_owned(),
            },
            Move::DeleteHostPv { pv } => Step::Delete {
                cluster: ClusterSide::Host,
                kind: Kind::PersistentVolume,
                namespace: String::new(),
                name: names[*pv].clone(),
            },
            Move::Provisioner { running } => Step::Provisioner {
                name: PROVISIONER.to_owned(),
                running: *running,
            },
            Move::Restart => Step::Restart,
        };
        let predicted = match &action {
            Move::Delete { claim } if bound(&world, CLAIMS[*claim]) => {
                match world.predict("default", CLAIMS[*claim]) {
                    Ok(p) => Some(serde_json::to_value(p).unwrap()),
                    Err(e) => return Some(state(world, Some(format!("{action:?}: predict: {e}")))),
                }
            }
            _ => None,
        };
        let before = world.clone();
        if let Err(e) = world.step(step) {
            return Some(state(world, Some(format!("{action:?}: {e}"))));
        }
        let mut broken = None;
        if let (Some(predicted), Move::Delete { claim }) = (predicted, &action) {
            let did = l1_outcome(&before, &world, CLAIMS[*claim]);
            PREDICTIONS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            if predicted != did {
                broken = Some(format!(
                    "{action:?}: L1 predicted {predicted}, the step did {did}"
                ));
            }
        }
        Some(state(world, broken))
    }

    fn properties(&self) -> Vec<Property<Self>> {
        vec![
            Property::always("every step plays and L1 predicts it", |_, s: &State| {
                s.broken.is_none()
            }),
            Property::always("Y3 holds", |_, s: &State| s.world.violations().is_empty()),
            Property::sometimes("a disk is destroyed", |_, s: &State| {
                s.world.disks().any(|d| !d.exists)
            }),
            Property::sometimes("a disk outlives its claim", |_, s: &State| {
                s.world.disks().any(|d| d.exists && d.pv.is_some())
                    && CLAIMS.iter().all(|c| {
                        s.world
                            .clusters()
                            .virtual_cluster
                            .pvc("default", c)
                            .is_none()
                    })
            }),
        ]
    }
}

/// L1's values for what the step did, as JSON (Prediction is non-exhaustive).
fn l1_outcome(before: &World, after: &World, claim: &str) -> Value {
    let record = before.record("default", claim).cloned().unwrap_or_default();
    let virtual_name = before
        .clusters()
        .virtual_cluster
        .pvc("default", claim)
        .and_then(|p| p.spec.as_ref()?.volume_name.clone())
        .unwrap();
    let said = before
        .clusters()
        .virtual_cluster
        .pv(&virtual_name)
        .map(|pv| {
            pv.spec
                .as_ref()
                .and_then(|s| s.persistent_volume_reclaim_policy.clone())
                .unwrap_or_else(|| "Retain".to_owned())
        });
    let phase = |pv: &k8s_openapi::api::core::v1::PersistentVolume| {
        pv.status.as_ref().and_then(|s| s.phase.clone())
    };
    let virtual_pv = match after.clusters().virtual_cluster.pv(&virtual_name) {
        None => "deleted",
        Some(pv) if pv.metadata.deletion_timestamp.is_some() => "terminating",
        Some(pv) if phase(pv).as_deref() == Some("Bound") => "bound",
        Some(_) => "released",
    };
    let host_pv = match record
        .host_volume
        .as_deref()
        .and_then(|h| after.clusters().host_cluster.pv(h))
    {
        None => "deleted",
        Some(pv) if pv.metadata.deletion_timestamp.is_some() => "terminating",
        Some(pv) => match phase(pv).as_deref() {
            Some("Bound") => "bound",
            Some("Available") => "available",
            _ => "released",
        },
    };
    let disk = match record.disk.as_deref().and_then(|d| after.disk(d)) {
        None => "none",
        Some(d) if d.exists => "retained",
        Some(_) => "destroyed",
    };
    let misled = matches!(
        (said.as_deref(), disk),
        (Some("Delete"), "retained") | (Some("Retain" | "Recycle"), "destroyed")
    );
    json!({"virtualPv": virtual_pv, "hostPv": host_pv, "disk": disk, "tenantMisled": misled})
}

fn policies() -> [FakeReclaimPolicy; 5] {
    [
        FakeReclaimPolicy::Delete,
        FakeReclaimPolicy::Retain,
        FakeReclaimPolicy::FromHostPv,
        FakeReclaimPolicy::FromStorageClass,
        FakeReclaimPolicy::Inherit,
    ]
}

/// Checks one configuration to `depth`; returns (distinct states, states generated).
fn check(sync: bool, policy: FakeReclaimPolicy, depth: usize) -> (usize, usize) {
    let checker = SmallWorld { sync, policy }
        .checker()
        // stateright counts the initial state as depth 1 and checks no state at the target
        // depth: `depth` steps are `depth + 1`.
        .target_max_depth(depth + 1)
        .spawn_bfs()
        .join();
    let discoveries = checker.discoveries();
    println!(
        "sync: {sync}, {policy:?}: {} distinct, {} generated, max depth {}",
        checker.unique_state_count(),
        checker.state_count(),
        checker.max_depth()
    );
    for name in ["every step plays and L1 predicts it", "Y3 holds"] {
        if let Some(path) = discoveries.get(name) {
            panic!(
                "{name} broke (sync: {sync}, {policy:?}): {:?}\nlast state: {:?}",
                path.clone().into_actions(),
                path.last_state()
            );
        }
    }
    for name in ["a disk is destroyed", "a disk outlives its claim"] {
        assert!(
            discoveries.contains_key(name),
            "never reached: {name} (sync: {sync}, {policy:?})"
        );
    }
    (checker.unique_state_count(), checker.state_count())
}

#[test]
fn y3_l1_every_small_world_up_to_the_depth() {
    let deeper = std::env::var("EXHAUSTIVE_DEPTH")
        .ok()
        .and_then(|d| d.parse().ok());
    let depth = deeper.unwrap_or(DEPTH);
    let started = Instant::now();
    let mut configs = vec![(true, FakeReclaimPolicy::Delete)];
    configs.extend(policies().into_iter().map(|p| (false, p)));
    let mut distinct = 0;
    let mut generated = 0;
    for (sync, policy) in configs {
        let (states, transitions) = check(sync, policy, depth);
        println!("sync: {sync}, {policy:?}: {states} distinct states, {transitions} generated");
        distinct += states;
        generated += transitions;
    }
    let transitions = TRANSITIONS.load(std::sync::atomic::Ordering::Relaxed);
    println!(
        "depth {depth}: {distinct} distinct states, {generated} generated, {transitions} transitions, in {:?}",
        started.elapsed()
    );
    let predictions = PREDICTIONS.load(std::sync::atomic::Ordering::Relaxed);
    println!("{predictions} L1 predictions compared with the deletion that followed");
    assert!(
        predictions * 10 >= transitions,
        "only {predictions} of {transitions} transitions compared an L1 prediction"
    );
    if deeper.is_none() {
        assert_eq!(
            (distinct, generated, transitions),
            EXPECTED,
            "the explored space changed: update EXPECTED if the change is meant"
        );
    }
}

/// The depth `cargo test` explores (steps from the starting world).
const DEPTH: usize = 4;
/// What it reaches over the six configurations: distinct states, states generated (stateright's
/// count) and transitions (steps played).
const EXPECTED: (usize, usize, usize) = (4038, 8226, 8256);
