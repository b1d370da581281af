//! Properties of `Translator::keep_in_step` (SPEC B1, B2, with I1): the result applied is a
//! fixed point; nothing moves when nothing changed; the same inputs give the same result.
//!
//! Every property counts how often it reached its real assertion and fails when that is less
//! than the share its goal states (see `generators::run`).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    missing_docs
)]

mod generators;
#[path = "update_admission/kubernetes.rs"]
mod kubernetes;

use generators::{
    Kind, Material, Setup, b1_edit, claim_ref, debug, edited, garbage, host_copy, material,
    mirror_of, pv, pvc, run, s7_claim, same_capacity, setup, sources, to_json, with_json,
};
use k8s_openapi::api::core::v1::{PersistentVolume, PersistentVolumeClaim};
use proptest::prelude::*;
use pv_translate::sync::ConflictReason;
use pv_translate::{Action, ConflictPolicy, PvMode, PvPair, RetainedPvMirroring};
use serde_json::{Value, json};

/// Pairs that exist on both sides, with their last synced versions and edits since.
const PAIRS: [(u32, Kind); 4] = [
    (4, Kind::MirrorExists),
    (2, Kind::Released),
    (4, Kind::TenantWithCopy),
    (1, Kind::Forged),
];

/// Settings in sync mode without a class selector: C3 makes a tenant PV wait, which is not
/// B1/B2's business.
fn sync_setup() -> BoxedStrategy<Setup> {
    setup(PvMode::Sync)
        .prop_map(|s| Setup {
            selector: None,
            ..s
        })
        .boxed()
}

/// B1/B2: keeping a pair in step, then applying the result (as both the last synced and the
/// current pair) and keeping it in step again changes nothing on either side.
fn keep_in_step_reaches_a_fixed_point(name: &'static str, setups: BoxedStrategy<Setup>) {
    run(
        file!(),
        name,
        generators::case(setups, &PAIRS),
        // Deletions (D1-D3), R5/S3 conflicts and forged pairs give no pair to apply.
        &[("the applied result was kept in step again", 50)],
        |(setup, s), tally| {
            let (Some(v), Some(h)) = (s.virtual_pv.as_ref(), s.host_pv.as_ref()) else {
                return Ok(());
            };
            let t = setup.translator();
            let pvc = s.virtual_pvc.as_ref();
            let last = PvPair::new(
                s.last_virtual_pv.as_ref().unwrap_or(v),
                s.last_host_pv.as_ref().unwrap_or(h),
            );
            let Ok(first) = t.keep_in_step(last, PvPair::new(v, h), pvc, s.host_pvc.as_ref())
            else {
                return Ok(());
            };
            let waits = |a: &Action| matches!(a, Action::Wait { .. });
            // A conflict writes nothing: there is no result to apply (R5/S3 on the host, an
            // immutable change the tenant's own PV cannot take).
            let not_ours = matches!(first.host_pv.action, Action::Conflict { .. })
                && first.conflicts.is_empty();
            let stuck = matches!(first.virtual_pv.action, Action::Conflict { .. });
            if stuck {
                return Ok(());
            }
            let (Some(v1), Some(h1)) = (&first.virtual_pv.desired, &first.host_pv.desired) else {
                return Ok(());
            };
            if waits(&first.virtual_pv.action) || waits(&first.host_pv.action) || not_ours {
                return Ok(());
            }
            let applied = PvPair::new(v1, h1);
            let second = t
                .keep_in_step(applied, applied, pvc, s.host_pvc.as_ref())
                .map_err(|e| TestCaseError::fail(format!("applied: {e}")))?;
            prop_assert_eq!(
                &second.virtual_pv.action,
                &Action::Unchanged,
                "virtual: {:?}",
                second.virtual_pv.desired
            );
            prop_assert_eq!(
                &second.host_pv.action,
                &Action::Unchanged,
                "host: {:?}",
                second.host_pv.desired
            );
            prop_assert!(second.conflicts.is_empty(), "{:?}", second.conflicts);
            tally.hit("the applied result was kept in step again");
            Ok(())
        },
    );
}

#[test]
fn b1_b2_keep_in_step_reaches_a_fixed_point() {
    keep_in_step_reaches_a_fixed_point("b1_b2_keep_in_step_reaches_a_fixed_point", sync_setup());
}

/// The part of the property above that holds: the defaults `conflicts: VirtualWins` and
/// `retainedPvMirroring: Owned` (with every value of every other option).
#[test]
fn b1_b2_keep_in_step_reaches_a_fixed_point_with_default_conflicts_and_mirroring() {
    let defaults = sync_setup()
        .prop_map(|s| {
            let options = s
                .options
                .clone()
                .with_conflicts(ConflictPolicy::VirtualWins)
                .with_retained_pv_mirroring(RetainedPvMirroring::Owned);
            s.with_options(options)
        })
        .boxed();
    keep_in_step_reaches_a_fixed_point(
        "b1_b2_keep_in_step_reaches_a_fixed_point_with_default_conflicts_and_mirroring",
        defaults,
    );
}

/// A pair in step, built from the rules here (not by B1): a mirror with its host PV (S6-S8),
/// or a tenant PV with the host copy H1 made of it, bound or not; and the virtual PVC given.
/// A pair in step: the virtual PV, the host PV, the virtual PVC and its host copy (when given),
/// and whether the host PV is written through (T3).
type InStepPair = (
    PersistentVolume,
    PersistentVolume,
    Option<PersistentVolumeClaim>,
    Option<PersistentVolumeClaim>,
    bool,
);

fn in_step_pair(setup: &Setup, m: &Material, tenant: bool) -> Option<InStepPair> {
    let cluster = &setup.cluster;
    let h = cluster.host_namespace();
    let mut body = m.pvc.clone();
    body.terminating = false;
    // A provisioned volume (SPEC T3): named `pvc-<host PVC uid>`, bound to that host PVC, so
    // that the mirror is written through.
    let uid = generators::provisioned_uid(&m.pv_name);
    let host_name = format!("pvc-{uid}");
    let host_claim = claim_ref(
        Some(h),
        &cluster.host_name(&body.name, &body.namespace).unwrap(),
        Some(&uid),
    );
    let given = m.flags.with_pvc;
    if tenant {
        let mut tenant_body = m.tenant.clone();
        tenant_body.terminating = false;
        tenant_body.labels.remove(generators::FAKE_PV);
        let tenant = pv(&m.tenant_name, &tenant_body, None);
        let copy = host_copy(setup, &tenant)?;
        let claim = pvc(&body, Some(&m.tenant_name));
        let bound = m.flags.current < 6;
        let status = json!({"phase": if bound { "Bound" } else { "Available" }});
        let copy = with_json(&copy, |v| {
            v["metadata"]["uid"] = json!("host-uid");
            if bound {
                v["spec"]["claimRef"] = host_claim.clone();
            }
            v["status"] = status.clone();
        });
        let tenant = with_json(&tenant, |v| {
            if bound {
                v["spec"]["claimRef"] = s7_claim(&host_claim, &claim);
            }
            v["status"] = status;
        });
        // A tenant's own PV is always written through to its copy.
        Some((tenant, copy, (bound && given).then_some(claim), None, true))
    } else {
        let mut host_body = m.host.clone();
        host_body.terminating = false;
        let host = pv(&host_name, &host_body, Some(host_claim));
        let claim = pvc(&body, Some(&host_name));
        let host_pvc = generators::host_pvc_of(setup, &body, &host_name);
        let mirror = mirror_of(&host, Some(&claim));
        // S8 without a PVC: the host PV's class.
        let mirror = if given {
            mirror
        } else {
            with_json(&mirror, |v| {
                v["spec"]["storageClassName"] =
                    to_json(&host.spec.as_ref().unwrap().storage_class_name);
            })
        };
        // T3: written through only when the claim and its host copy prove the host PV was
        // provisioned for it; without them the mirror is read-only.
        Some((
            mirror,
            host,
            given.then_some(claim),
            given.then_some(host_pvc),
            given,
        ))
    }
}

/// The B1 field groups of a PV, for comparing sides: reclaim policy, access modes, node
/// affinity, volume mode, mount options and source (capacity is compared by value apart).
fn b1_fields(pv: &PersistentVolume) -> Value {
    let spec = to_json(&pv.spec);
    json!([
        spec.get("persistentVolumeReclaimPolicy"),
        spec.get("accessModes"),
        spec.get("nodeAffinity"),
        spec.get("volumeMode").unwrap_or(&json!("Filesystem")),
        spec.get("mountOptions"),
        sources(pv),
    ])
}

#[test]
fn b1_b2_nothing_changed_nothing_moves() {
    run(
        file!(),
        "b1_b2_nothing_changed_nothing_moves",
        (
            sync_setup(),
            material(),
            any::<bool>(),
            prop::bool::weighted(0.6),
        ),
        &[
            // Sides kept equal in 3 cases of 5; in the others they differ (the goal below).
            ("an unchanged pair in step stayed unchanged", 40),
            // Sides made to differ (2 in 5) by edits that touch a B1 field.
            ("an unchanged pair that differs moved no B1 field", 15),
        ],
        |(setup, m, tenant, equal), tally| {
            let Some((v, h, pvc, host_pvc, writable)) = in_step_pair(&setup, &m, tenant) else {
                return Ok(());
            };
            // Both as an API server stores them: quantities in canonical form (SPEC §0 0.2),
            // which every desired object carries too.
            let (v, h) = (stored(&v), stored(&h));
            let t = setup.translator();
            let (v, h) = if equal {
                (v, h)
            } else {
                (edited(&v, &m.virtual_edits), edited(&h, &m.host_edits))
            };
            let now = PvPair::new(&v, &h);
            let result = t.keep_in_step(now, now, pvc.as_ref(), host_pvc.as_ref());
            let result = result.map_err(|e| TestCaseError::fail(format!("{e}")))?;
            if equal {
                prop_assert_eq!(
                    &result.virtual_pv.action,
                    &Action::Unchanged,
                    "virtual: {:?}",
                    result.virtual_pv.desired
                );
                prop_assert_eq!(
                    &result.host_pv.action,
                    &Action::Unchanged,
                    "host: {:?}",
                    result.host_pv.desired
                );
                tally.hit("an unchanged pair in step stayed unchanged");
                return Ok(());
            }
            // Neither side changed since the last sync: whatever differs, B1 moves nothing. A
            // read-only mirror (T3) shows the host PV as it is.
            let virtual_wanted = if writable { &v } else { &h };
            for (side, wanted, desired) in [
                ("virtual", virtual_wanted, &result.virtual_pv.desired),
                ("host", &h, &result.host_pv.desired),
            ] {
                if let Some(desired) = desired {
                    prop_assert_eq!(b1_fields(desired), b1_fields(wanted), "{}", side);
                    prop_assert!(same_capacity(desired, wanted), "{} capacity", side);
                }
            }
            prop_assert!(result.conflicts.is_empty(), "{:?}", result.conflicts);
            if b1_fields(&v) != b1_fields(&h) || !same_capacity(&v, &h) {
                tally.hit("an unchanged pair that differs moved no B1 field");
            }
            Ok(())
        },
    );
}

/// B1's field groups of a PV, one JSON value each (capacity compared by value apart).
fn b1_groups(pv: &PersistentVolume) -> [(&'static str, Value); 6] {
    let spec = to_json(&pv.spec);
    let field = |key: &str| spec.get(key).cloned().unwrap_or(Value::Null);
    [
        ("reclaim policy", field("persistentVolumeReclaimPolicy")),
        ("access modes", field("accessModes")),
        ("node affinity", field("nodeAffinity")),
        // The API server's default: unset is Filesystem.
        (
            "volume mode",
            match field("volumeMode") {
                Value::Null => json!("Filesystem"),
                mode => mode,
            },
        ),
        ("mount options", field("mountOptions")),
        ("volume source", Value::Object(sources(pv))),
    ]
}

#[test]
fn b1_a_change_on_one_side_reaches_the_other() {
    run(
        file!(),
        "b1_a_change_on_one_side_reaches_the_other",
        (
            sync_setup(),
            material(),
            any::<bool>(),
            any::<bool>(),
            prop::collection::vec(b1_edit(1), 1..3),
        ),
        // An edit may set the value a field already had (then nothing changed).
        &[("a field changed on one side was checked on the other", 50)],
        |(setup, m, tenant, virtual_side, edits), tally| {
            let Some((v, h, pvc, host_pvc, writable)) = in_step_pair(&setup, &m, tenant) else {
                return Ok(());
            };
            let (v_now, h_now) = if virtual_side {
                (edited(&v, &edits), h.clone())
            } else {
                (v.clone(), edited(&h, &edits))
            };
            let t = setup.translator();
            let result = t
                .keep_in_step(
                    PvPair::new(&v, &h),
                    PvPair::new(&v_now, &h_now),
                    pvc.as_ref(),
                    host_pvc.as_ref(),
                )
                .map_err(|e| TestCaseError::fail(format!("{e}")))?;
            // Only one side changed: the only conflicts are changes the other side cannot take
            // on an existing PV.
            prop_assert!(
                result
                    .conflicts
                    .iter()
                    .all(|c| c.reason != ConflictReason::BothChanged),
                "{:?}",
                result.conflicts
            );
            let (changed, before, other) = if virtual_side {
                (&v_now, &v, &result.host_pv)
            } else {
                (&h_now, &h, &result.virtual_pv)
            };
            let target = other
                .desired
                .as_ref()
                .ok_or_else(|| TestCaseError::fail(format!("no desired PV: {other:?}")))?;
            let mut checked = false;
            let other_before = if virtual_side { &h } else { &v };
            // ValidatePersistentVolumeUpdate: the source and the volume mode never change on an
            // existing PV, node affinity only from unset. A change the other side cannot take
            // makes it a conflict, and nothing at all is written to it, except a mirror, which is
            // made again with it. T3: a read-only mirror never writes to the host.
            let immutable = |group: &str| match group {
                "volume source" | "volume mode" => true,
                "node affinity" => other_before
                    .spec
                    .as_ref()
                    .is_some_and(|s| s.node_affinity.is_some()),
                _ => false,
            };
            let groups: Vec<_> = b1_groups(changed)
                .into_iter()
                .zip(b1_groups(before))
                .zip(b1_groups(target).into_iter().zip(b1_groups(other_before)))
                .filter(|(((_, now), (_, was)), _)| now != was)
                .collect();
            let cannot_take = groups
                .iter()
                .any(|(((group, _), _), _)| immutable(group) && (virtual_side || tenant));
            // A conflict writes nothing (its desired object still shows the groups in step).
            let read_only = virtual_side && !writable;
            let blocked = read_only || cannot_take;
            if cannot_take && writable {
                let reason = if virtual_side {
                    ConflictReason::ImmutableOnHost
                } else {
                    ConflictReason::ImmutableOnVirtual
                };
                prop_assert!(
                    result.conflicts.iter().any(|c| c.reason == reason),
                    "an immutable change without a conflict: {:?}",
                    result.conflicts
                );
                prop_assert!(
                    matches!(other.action, Action::Conflict { .. }),
                    "{:?}",
                    other.action
                );
            }
            for (((group, now), _), ((_, got), (_, kept))) in groups {
                if read_only {
                    prop_assert_eq!(&got, &kept, "{} was written where it cannot be", group);
                } else if !blocked {
                    prop_assert_eq!(&got, &now, "{} did not follow", group);
                }
                checked = true;
            }
            if !same_capacity(changed, before) {
                if read_only {
                    prop_assert!(
                        same_capacity(target, other_before),
                        "capacity was written where it cannot be"
                    );
                } else if !blocked {
                    prop_assert!(same_capacity(target, changed), "capacity did not follow");
                }
                checked = true;
            }
            if checked {
                tally.hit("a field changed on one side was checked on the other");
            }
            Ok(())
        },
    );
}

#[test]
fn b1_b2_keep_in_step_is_deterministic() {
    let kinds: Vec<(u32, Kind)> = PAIRS
        .iter()
        .copied()
        .chain([(1, Kind::FakeLeftover), (1, Kind::Foreign)])
        .collect();
    let strategy = prop_oneof![
        4 => generators::case(setup(PvMode::Sync), &kinds),
        1 => garbage(setup(PvMode::Sync)).prop_map(|(setup, g)| (setup, g.scenario)),
    ];
    run(
        file!(),
        "b1_b2_keep_in_step_is_deterministic",
        strategy,
        &[("a pair was kept in step twice", 50)],
        |(setup, s), tally| {
            let (Some(v), Some(h)) = (s.virtual_pv.as_ref(), s.host_pv.as_ref()) else {
                return Ok(());
            };
            let pvc = s.virtual_pvc.as_ref();
            let last = PvPair::new(
                s.last_virtual_pv.as_ref().unwrap_or(v),
                s.last_host_pv.as_ref().unwrap_or(h),
            );
            let t = setup.translator();
            let first = t.keep_in_step(last, PvPair::new(v, h), pvc, s.host_pvc.as_ref());
            let again = t.keep_in_step(last, PvPair::new(v, h), pvc, s.host_pvc.as_ref());
            let copies = s.clone();
            let (cv, ch) = (
                copies.virtual_pv.as_ref().unwrap(),
                copies.host_pv.as_ref().unwrap(),
            );
            let fresh = setup.translator().keep_in_step(
                PvPair::new(
                    copies.last_virtual_pv.as_ref().unwrap_or(cv),
                    copies.last_host_pv.as_ref().unwrap_or(ch),
                ),
                PvPair::new(cv, ch),
                copies.virtual_pvc.as_ref(),
                copies.host_pvc.as_ref(),
            );
            prop_assert_eq!(debug(&first), debug(&again));
            prop_assert_eq!(debug(&first), debug(&fresh));
            if first.is_ok() {
                tally.hit("a pair was kept in step twice");
            }
            Ok(())
        },
    );
}

/// `pv` as an API server stores it: its capacity in canonical form.
fn stored(pv: &PersistentVolume) -> PersistentVolume {
    let mut pv = pv.clone();
    if let Some(capacity) = pv.spec.as_mut().and_then(|s| s.capacity.as_mut()) {
        for quantity in capacity.values_mut() {
            if let Ok(canonical) = pv_translate::quantity::canonical(&quantity.0) {
                quantity.0 = canonical;
            }
        }
    }
    pv
}

/// B1 (0.3): no update planned for either PV of a pair is one the API server refuses
/// (`ValidatePersistentVolumeUpdate`, written again in `update_admission/kubernetes.rs`):
/// pairs in step, edited on either side or both (sources, volume modes and node affinities
/// among the edits), through `keep_in_step` and the plan's pair decision alike.
#[test]
fn b1_no_pv_update_is_one_the_api_server_refuses() {
    run(
        file!(),
        "b1_no_pv_update_is_one_the_api_server_refuses",
        (
            sync_setup(),
            material(),
            any::<bool>(),
            prop::collection::vec(b1_edit(1), 0..3),
            prop::collection::vec(b1_edit(1), 0..3),
        ),
        &[
            ("an update was checked", 30),
            ("an immutable group changed on one side", 15),
        ],
        |(setup, m, tenant, virtual_edits, host_edits), tally| {
            let Some((v, h, pvc, host_pvc, _)) = in_step_pair(&setup, &m, tenant) else {
                return Ok(());
            };
            let (v_now, h_now) = (edited(&v, &virtual_edits), edited(&h, &host_edits));
            let immutable = |a: &PersistentVolume, b: &PersistentVolume| {
                let (a, b) = (to_json(&a.spec), to_json(&b.spec));
                sources(&from_json_pv(&a)) != sources(&from_json_pv(&b))
                    || a.get("volumeMode") != b.get("volumeMode")
                    || (a.get("nodeAffinity").is_some()
                        && a.get("nodeAffinity") != b.get("nodeAffinity"))
            };
            if immutable(&v, &v_now) || immutable(&h, &h_now) {
                tally.hit("an immutable group changed on one side");
            }
            let result = setup
                .translator()
                .keep_in_step(
                    PvPair::new(&v, &h),
                    PvPair::new(&v_now, &h_now),
                    pvc.as_ref(),
                    host_pvc.as_ref(),
                )
                .map_err(|e| TestCaseError::fail(format!("{e}")))?;
            let mut checked = false;
            for (side, current, decision) in [
                ("virtual", &v_now, &result.virtual_pv),
                ("host", &h_now, &result.host_pv),
            ] {
                if let (Action::Update { .. }, Some(desired)) =
                    (&decision.action, &decision.desired)
                {
                    let errors = kubernetes::pv_update_errors(&to_json(current), &to_json(desired));
                    prop_assert!(errors.is_empty(), "{side}: {errors:?}");
                    checked = true;
                }
            }
            if checked {
                tally.hit("an update was checked");
            }
            Ok(())
        },
    );
}

fn from_json_pv(spec: &Value) -> PersistentVolume {
    generators::from_json(json!({"spec": spec}))
}

/// The PV check refuses what Kubernetes refuses, and lets through what it accepts.
#[test]
fn b1_the_kubernetes_pv_check_refuses_what_kubernetes_refuses() {
    let pv = json!({"metadata": {"name": "p"}, "spec": {
        "accessModes": ["ReadWriteOnce"], "capacity": {"storage": "5Gi"},
        "csi": {"driver": "d", "volumeHandle": "h"}, "persistentVolumeReclaimPolicy": "Retain",
        "nodeAffinity": {"required": {"nodeSelectorTerms": [{"matchExpressions": [
            {"key": "k", "operator": "In", "values": ["a"]}]}]}}}});
    let with = |pointer: &str, new: Value| {
        let mut v = pv.clone();
        let (parent, key) = pointer.rsplit_once('/').unwrap();
        match v.pointer_mut(parent).unwrap() {
            Value::Array(items) => items[key.parse::<usize>().unwrap()] = new,
            object => {
                object[key] = new;
            }
        }
        v
    };
    let refused = |new: &Value| !kubernetes::pv_update_errors(&pv, new).is_empty();
    assert!(refused(&with("/spec/csi/volumeHandle", json!("other"))));
    assert!(refused(&with("/spec/volumeMode", json!("Block"))));
    assert!(refused(&with(
        "/spec/nodeAffinity/required/nodeSelectorTerms/0/matchExpressions/0/values/0",
        json!("b")
    )));
    let mut nfs = pv.clone();
    nfs["spec"].as_object_mut().unwrap().remove("csi");
    nfs["spec"]["nfs"] = json!({"server": "s", "path": "/p"});
    assert!(refused(&nfs));
    // Accepted: mutable fields, the default volume mode, a controllerExpandSecretRef set where
    // there was none, node affinity set where there was none.
    assert!(!refused(&with(
        "/spec/persistentVolumeReclaimPolicy",
        json!("Delete")
    )));
    assert!(!refused(&with("/spec/capacity/storage", json!("10Gi"))));
    assert!(!refused(&with("/spec/volumeMode", json!("Filesystem"))));
    assert!(!refused(&with(
        "/spec/csi/controllerExpandSecretRef",
        json!({"name": "x", "namespace": "y"})
    )));
    let mut bare = pv.clone();
    bare["spec"].as_object_mut().unwrap().remove("nodeAffinity");
    assert!(kubernetes::pv_update_errors(&bare, &pv).is_empty());
}
