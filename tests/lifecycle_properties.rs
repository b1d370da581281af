//! The lifecycle simulation as a state machine (Y1-Y3): random stories of tenants, host admins
//! and syncer restarts, in both modes and under every reclaim-policy option. After every step the
//! world has settled (no sync loop), no invariant broke, and the same story told twice gives the
//! same world and timeline.
//!
//! 256 stories by default (seconds in a debug build; 3,000 passed in release); `PROPTEST_CASES` asks for more.
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use std::sync::atomic::{AtomicUsize, Ordering};

use k8s_openapi::api::core::v1::PersistentVolumeClaim;
use k8s_openapi::api::storage::v1::StorageClass;
use proptest::prelude::*;
use pv_translate::lifecycle::{Step, World};
use pv_translate::options::{FakeReclaimPolicy, Options};
use pv_translate::plan::{ClusterSide, Kind, Object};
use pv_translate::snapshot::Objects;
use pv_translate::{PvMode, StorageClassMode, SyncMode, Translator, VirtualCluster};
use serde_json::json;

/// What a person does; indexes pick among the objects that exist when the step is played.
#[derive(Debug, Clone)]
enum Move {
    CreatePvc { claim: usize, class: usize },
    DeletePvc { claim: usize },
    DeleteVirtualPv { index: usize },
    DeleteHostPv { index: usize },
    SetPolicy { index: usize, retain: bool },
    Restart,
}

const CLAIMS: [&str; 3] = ["data-0", "data-1", "logs"];
const CLASSES: [&str; 2] = ["gp3-retain", "gp3-delete"];

fn moves() -> impl Strategy<Value = Move> {
    prop_oneof![
        4 => (0..CLAIMS.len(), 0..CLASSES.len()).prop_map(|(claim, class)| Move::CreatePvc { claim, class }),
        3 => (0..CLAIMS.len()).prop_map(|claim| Move::DeletePvc { claim }),
        1 => any::<usize>().prop_map(|index| Move::DeleteVirtualPv { index }),
        1 => any::<usize>().prop_map(|index| Move::DeleteHostPv { index }),
        2 => (any::<usize>(), any::<bool>()).prop_map(|(index, retain)| Move::SetPolicy { index, retain }),
        1 => Just(Move::Restart),
    ]
}

fn policies() -> impl Strategy<Value = FakeReclaimPolicy> {
    prop_oneof![
        Just(FakeReclaimPolicy::Delete),
        Just(FakeReclaimPolicy::Retain),
        Just(FakeReclaimPolicy::FromHostPv),
        Just(FakeReclaimPolicy::FromStorageClass),
        Just(FakeReclaimPolicy::Inherit),
    ]
}

fn class(name: &str, policy: &str) -> StorageClass {
    serde_json::from_value(json!({
        "metadata": {"name": name},
        "provisioner": "ebs.csi.aws.com",
        "reclaimPolicy": policy,
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

/// The step a move means in `world`, or none when it has no target there.
fn step_for(world: &World, chosen: &Move) -> Option<Step> {
    let clusters = world.clusters();
    let nth_name = |names: Vec<String>, index: usize| {
        (!names.is_empty()).then(|| names[index % names.len()].clone())
    };
    let pv_names = |side: &Objects| {
        side.pvs()
            .filter_map(|pv| pv.metadata.name.clone())
            .collect::<Vec<_>>()
    };
    match chosen {
        Move::CreatePvc { claim, class } => {
            let name = CLAIMS[*claim];
            clusters
                .virtual_cluster
                .pvc("default", name)
                .is_none()
                .then(|| Step::Create {
                    cluster: ClusterSide::Virtual,
                    object: Object::PersistentVolumeClaim(Box::new(pvc(name, CLASSES[*class]))),
                })
        }
        Move::DeletePvc { claim } => {
            let name = CLAIMS[*claim];
            clusters
                .virtual_cluster
                .pvc("default", name)
                .is_some()
                .then(|| Step::Delete {
                    cluster: ClusterSide::Virtual,
                    kind: Kind::PersistentVolumeClaim,
                    namespace: "default".to_owned(),
                    name: name.to_owned(),
                })
        }
        Move::DeleteVirtualPv { index } => nth_name(pv_names(&clusters.virtual_cluster), *index)
            .map(|name| Step::Delete {
                cluster: ClusterSide::Virtual,
                kind: Kind::PersistentVolume,
                namespace: String::new(),
                name,
            }),
        Move::DeleteHostPv { index } => {
            nth_name(pv_names(&clusters.host_cluster), *index).map(|name| Step::Delete {
                cluster: ClusterSide::Host,
                kind: Kind::PersistentVolume,
                namespace: String::new(),
                name,
            })
        }
        Move::SetPolicy { index, retain } => nth_name(pv_names(&clusters.host_cluster), *index)
            .map(|name| Step::SetReclaimPolicy {
                name,
                policy: if *retain { "Retain" } else { "Delete" }.to_owned(),
            }),
        Move::Restart => Some(Step::Restart),
    }
}

/// Plays the story; returns the world's description and how many steps had a target.
fn play(sync: bool, policy: FakeReclaimPolicy, story: &[Move]) -> Result<(String, usize), String> {
    let mode = if sync { PvMode::Sync } else { PvMode::Fake };
    let translator = Translator::new(VirtualCluster::new("vc", "team-a").unwrap())
        .with_mode(SyncMode::new(mode, StorageClassMode::Off))
        .with_options(Options::default().with_fake_reclaim_policy(policy));
    let host = Objects::new(
        vec![],
        vec![],
        vec![class(CLASSES[0], "Retain"), class(CLASSES[1], "Delete")],
    )
    .unwrap();
    let mut world =
        World::new(translator, Objects::default(), host, true).map_err(|e| e.to_string())?;
    let mut played = 0;
    for chosen in story {
        let Some(step) = step_for(&world, chosen) else {
            continue;
        };
        world.step(step).map_err(|e| format!("{chosen:?}: {e}"))?;
        played += 1;
        if let Some(violation) = world.violations().first() {
            return Err(format!("{chosen:?}: {violation}"));
        }
    }
    let timeline: Vec<String> = world.timeline().iter().map(ToString::to_string).collect();
    Ok((format!("{:?}\n{timeline:?}", world.clusters()), played))
}

static STORIES: AtomicUsize = AtomicUsize::new(0);
static LONG_STORIES: AtomicUsize = AtomicUsize::new(0);

fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(256);
    ProptestConfig::with_cases(cases)
}

proptest! {
    #![proptest_config(config())]

    /// Y2, Y3: every step settles, no invariant breaks, and the story is deterministic.
    #[test]
    fn y2_y3_every_story_settles_keeps_the_invariants_and_replays_the_same(
        sync in any::<bool>(),
        policy in policies(),
        story in prop::collection::vec(moves(), 1..10),
    ) {
        let first = play(sync, policy, &story);
        let (world, played) = match &first {
            Ok(ok) => ok.clone(),
            Err(e) => return Err(TestCaseError::fail(e.clone())),
        };
        let again = play(sync, policy, &story).map_err(TestCaseError::fail)?;
        prop_assert_eq!(&world, &again.0, "the same story gave another world");
        STORIES.fetch_add(1, Ordering::Relaxed);
        if played >= 3 {
            LONG_STORIES.fetch_add(1, Ordering::Relaxed);
        }
    }
}

/// The property above must have checked real stories, not empty ones.
#[test]
fn z_the_state_machine_property_played_long_stories() {
    y2_y3_every_story_settles_keeps_the_invariants_and_replays_the_same();
    let (stories, long) = (
        STORIES.load(Ordering::Relaxed),
        LONG_STORIES.load(Ordering::Relaxed),
    );
    assert!(stories > 0, "no story was played");
    assert!(
        long * 3 >= stories,
        "only {long} of {stories} stories had three steps or more"
    );
}
