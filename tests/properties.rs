//! Properties of SPEC §9 over generated objects: I1 (pure, no panic) for every public entry
//! point, I2 (fake PVs), I3 (fake reclaim policy), I6 (names), I7 (schema-valid desired PVs).
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

use generators::{
    FAKE_KINDS, Kind, SYNC_KINDS, Scenario, Setup, case, debug, garbage, garbage_string, is_fake,
    label_name, long_label, name_of, options, pv_name, reclaim_of, run, setup, setup_with,
    short_label,
};
use k8s_openapi::api::core::v1::PersistentVolume;
use proptest::prelude::*;
use proptest::sample::select;
use pv_translate::names::{
    cluster_marker, host_label_key, host_name, host_name_cluster, safe_concat,
};
use pv_translate::storage_class::ClassInputs;
use pv_translate::validate::{
    admissible_pv, admissible_pvc, admissible_storage_class, validate_pv, validate_pvc,
};
use pv_translate::{
    Action, FakeReclaimPolicy, Options, PvMode, PvPair, Translator, VirtualCluster,
};
use sha2::{Digest, Sha256};

/// Every kind of scenario, fake and sync.
fn all_kinds() -> Vec<(u32, Kind)> {
    FAKE_KINDS
        .iter()
        .chain(SYNC_KINDS.iter())
        .copied()
        .collect()
}

/// Every public entry point of the translator on one scenario, as Debug text, plus whether one
/// of them produced a desired PV and how many answered with an error.
#[derive(Debug, Default)]
struct Outputs {
    texts: Vec<(&'static str, String)>,
    produced_pv: bool,
    errors: usize,
}

impl Outputs {
    fn record<T: std::fmt::Debug, E: std::fmt::Debug>(
        &mut self,
        name: &'static str,
        result: &Result<T, E>,
    ) {
        if result.is_err() {
            self.errors += 1;
        }
        self.texts.push((name, debug(result)));
    }
}

fn every_entry_point(t: &Translator, s: &Scenario) -> Outputs {
    let inputs = s.inputs();
    let pvc = s.virtual_pvc.as_ref();
    let mut out = Outputs::default();
    let r = t.virtual_pv(&inputs);
    out.produced_pv |= matches!(&r, Ok(d) if d.desired.is_some());
    out.record("virtual_pv", &r);
    let r = t.host_pv(&inputs);
    out.produced_pv |= matches!(&r, Ok(d) if d.desired.is_some());
    out.record("host_pv", &r);
    let r = t.pv_pair(&inputs);
    out.produced_pv |=
        matches!(&r, Ok(d) if d.virtual_pv.desired.is_some() || d.host_pv.desired.is_some());
    out.record("pv_pair", &r);
    out.record("host_pvc", &t.host_pvc(&inputs));
    out.record("virtual_pvc", &t.virtual_pvc(&inputs));
    if let Some(host) = &s.host_pv {
        out.record(
            "mirror_decision",
            &t.mirror_decision(host, pvc, s.virtual_pv.as_ref()),
        );
        out.record("mirrored_pv_owned", &t.mirrored_pv_owned(host.clone(), pvc));
    }
    if let Some(virtual_pv) = &s.virtual_pv {
        out.record("host_pv_owned", &t.host_pv_owned(virtual_pv.clone()));
    }
    if let (Some(v), Some(h)) = (&s.virtual_pv, &s.host_pv) {
        let last = PvPair::new(
            s.last_virtual_pv.as_ref().unwrap_or(v),
            s.last_host_pv.as_ref().unwrap_or(h),
        );
        out.record(
            "keep_in_step",
            &t.keep_in_step(last, PvPair::new(v, h), pvc, s.host_pvc.as_ref()),
        );
    }
    if let Some(class) = &s.host_class {
        out.record(
            "virtual_storage_class",
            &t.virtual_storage_class(class, None),
        );
        out.record(
            "virtual_storage_class/current",
            &t.virtual_storage_class(class, s.virtual_class.as_ref()),
        );
    }
    // F5/F6 over the claims given (the fake-PV syncer's index).
    let claims = pv_translate::fake::Claims::new(s.virtual_pvc.iter());
    for pv_name in [&s.virtual_pv, &s.host_pv]
        .into_iter()
        .flatten()
        .map(name_of)
    {
        let action = pv_translate::fake::fake_pv_action(
            pv_name,
            s.virtual_pv.as_ref(),
            &claims,
            t.context().options(),
        );
        out.texts.push(("fake_pv_action", debug(&action)));
    }
    if let Some(class) = &s.virtual_class {
        let alone = ClassInputs::new(class);
        out.record(
            "host_storage_class",
            &t.host_storage_class(&alone).map(|pair| pair.host_class),
        );
        let mut with_host = alone;
        with_host.host_class = s.host_class.as_ref();
        out.record(
            "host_storage_class/current",
            &t.host_storage_class(&with_host),
        );
    }
    out
}

/// I1: the same inputs give the same outputs, from the same translator and from a fresh one
/// built from the same settings with cloned inputs.
fn assert_deterministic(setup: &Setup, s: &Scenario) -> Result<Outputs, TestCaseError> {
    let t = setup.translator();
    let first = every_entry_point(&t, s);
    let again = every_entry_point(&t, s);
    let fresh = every_entry_point(&setup.translator(), &s.clone());
    for ((name, a), ((_, b), (_, c))) in first
        .texts
        .iter()
        .zip(again.texts.iter().zip(fresh.texts.iter()))
    {
        prop_assert_eq!(a, b, "{} differs between two calls", name);
        prop_assert_eq!(a, c, "{} differs with a fresh translator", name);
    }
    prop_assert_eq!(first.texts.len(), fresh.texts.len());
    Ok(first)
}

#[test]
fn i1_every_entry_point_is_deterministic_on_valid_inputs() {
    let setups = setup_with(
        vec![PvMode::Fake, PvMode::Sync, PvMode::Disabled],
        options(),
    );
    run(
        file!(),
        "i1_every_entry_point_is_deterministic_on_valid_inputs",
        case(setups, &all_kinds()),
        // Disabled mode (1 in 3) answers every PV entry point with an error, and some
        // scenarios have no PV to show: at least a third of the cases still produce one.
        &[("a desired PV was produced and compared", 33)],
        |(setup, scenario), tally| {
            let outputs = assert_deterministic(&setup, &scenario)?;
            if outputs.produced_pv {
                tally.hit("a desired PV was produced and compared");
            }
            Ok(())
        },
    );
}

#[test]
fn i1_no_entry_point_panics_on_garbage() {
    let setups = setup_with(
        vec![PvMode::Fake, PvMode::Sync, PvMode::Disabled],
        options(),
    );
    let strings = prop::collection::vec(garbage_string(), 4);
    run(
        file!(),
        "i1_no_entry_point_panics_on_garbage",
        (garbage(setups), strings),
        &[
            ("an object was mutated", 50),
            // Garbage that stays valid (a mutation of an unread field) is refused by no entry
            // point; most garbage is refused by at least one.
            ("an entry point refused the garbage", 40),
        ],
        |((setup, garbage), strings), tally| {
            // Reaching the end of this closure is the no-panic assertion; determinism too.
            let outputs = assert_deterministic(&setup, &garbage.scenario)?;
            if garbage.mutated > 0 {
                tally.hit("an object was mutated");
            }
            if outputs.errors > 0 {
                tally.hit("an entry point refused the garbage");
            }
            let s = &garbage.scenario;
            for pv in [
                &s.virtual_pv,
                &s.host_pv,
                &s.last_virtual_pv,
                &s.last_host_pv,
            ]
            .into_iter()
            .flatten()
            {
                prop_assert_eq!(debug(&validate_pv(pv)), debug(&validate_pv(&pv.clone())));
            }
            if let Some(pvc) = &s.virtual_pvc {
                prop_assert_eq!(
                    debug(&validate_pvc(pvc)),
                    debug(&validate_pvc(&pvc.clone()))
                );
            }
            // Names, identities and quantities from garbage text.
            let [a, b, c, d] = [&strings[0], &strings[1], &strings[2], &strings[3]];
            for name in [
                safe_concat(&[a, b, c]),
                host_name(a, b, c),
                host_name_cluster(a, b, c),
                cluster_marker(a, b),
                host_label_key(d, c).map(|k| k.into_owned()),
            ] {
                prop_assert_eq!(debug(&name), debug(&name.clone()));
                if let Ok(name) = name {
                    prop_assert!(
                        name.len() <= 63 || name == *d,
                        "{} bytes: {:?}",
                        name.len(),
                        name
                    );
                }
            }
            let identity = VirtualCluster::new(a.clone(), b.clone());
            prop_assert_eq!(
                debug(&identity),
                debug(&VirtualCluster::new(a.clone(), b.clone()))
            );
            for q in [a, b, c, d] {
                let parsed = q.parse::<pv_translate::quantity::Quantity>();
                prop_assert_eq!(
                    debug(&parsed),
                    debug(&q.parse::<pv_translate::quantity::Quantity>())
                );
                let canonical = pv_translate::quantity::canonical(q);
                prop_assert_eq!(
                    debug(&canonical),
                    debug(&pv_translate::quantity::canonical(q))
                );
                prop_assert_eq!(
                    pv_translate::quantity::same_quantity(q, a),
                    pv_translate::quantity::same_quantity(q, a)
                );
            }
            Ok(())
        },
    );
}

#[test]
fn i2_fake_pv_translated_again_is_unchanged() {
    run(
        file!(),
        "i2_fake_pv_translated_again_is_unchanged",
        case(setup(PvMode::Fake), &FAKE_KINDS),
        &[("a desired PV was fed back", 50)],
        |(setup, s), tally| {
            let t = setup.translator();
            let inputs = s.inputs();
            let Ok(first) = t.virtual_pv(&inputs) else {
                return Ok(());
            };
            let Some(pv) = first.desired else {
                return Ok(());
            };
            let mut again_inputs = inputs;
            again_inputs.virtual_pv = Some(&pv);
            let again = t.virtual_pv(&again_inputs);
            let again = again.map_err(|e| TestCaseError::fail(format!("fed back: {e}")))?;
            prop_assert_eq!(again.desired.as_ref(), Some(&pv));
            prop_assert_eq!(&again.action, &Action::Unchanged);
            tally.hit("a desired PV was fed back");
            Ok(())
        },
    );
}

/// F6: labelled `vcluster.loft.sh/controlled-by` with a non-empty value.
fn controlled_elsewhere(pv: &PersistentVolume) -> bool {
    generators::label(pv, generators::CONTROLLED_BY).is_some_and(|v| !v.is_empty())
}

/// Fake mode with a bound PVC and its host PV always given.
fn fake_bound_with_host(options: BoxedStrategy<Options>) -> BoxedStrategy<(Setup, Scenario)> {
    generators::case_tweaked(
        setup_with(vec![PvMode::Fake], options),
        &[(1, Kind::FakeBound)],
        |m| m.flags.with_host_pv = true,
    )
}

#[test]
fn i3_default_fake_pv_reclaim_policy_is_delete() {
    let delete = options()
        .prop_map(|o| o.with_fake_reclaim_policy(FakeReclaimPolicy::Delete))
        .boxed();
    run(
        file!(),
        "i3_default_fake_pv_reclaim_policy_is_delete",
        fake_bound_with_host(delete),
        &[
            ("a fake PV's policy was checked", 50),
            // The host PV says Retain, Recycle or nothing (Retain) in about half the cases.
            ("the host says otherwise", 25),
        ],
        |(setup, s), tally| {
            let decision = setup.translator().virtual_pv(&s.inputs());
            let Ok(Some(pv)) = decision.map(|d| d.desired) else {
                return Ok(());
            };
            // F6 comes first: a PV another controller owns is never touched, fake or not.
            if !is_fake(&pv) || s.virtual_pv.as_ref().is_some_and(controlled_elsewhere) {
                return Ok(());
            }
            prop_assert_eq!(reclaim_of(&pv), Some("Delete"));
            tally.hit("a fake PV's policy was checked");
            if s.host_pv
                .as_ref()
                .is_some_and(|h| reclaim_of(h) != Some("Delete"))
            {
                tally.hit("the host says otherwise");
            }
            Ok(())
        },
    );
}

#[test]
fn i3_inherit_fake_pv_reclaim_policy_is_the_host_pvs() {
    let inherit = options()
        .prop_map(|o| o.with_fake_reclaim_policy(FakeReclaimPolicy::Inherit))
        .boxed();
    run(
        file!(),
        "i3_inherit_fake_pv_reclaim_policy_is_the_host_pvs",
        fake_bound_with_host(inherit),
        &[
            ("an Inherit policy with a host PV was checked", 50),
            // The generated host PV has no policy in 15% of the cases (11% reach the check).
            ("the host PV has no policy (Retain)", 3),
        ],
        |(setup, s), tally| {
            let host = s.host_pv.as_ref().expect("the host PV is always given");
            let decision = setup.translator().virtual_pv(&s.inputs());
            let Ok(Some(pv)) = decision.map(|d| d.desired) else {
                return Ok(());
            };
            // F6 comes first: a PV another controller owns is never touched, fake or not.
            if !is_fake(&pv) || s.virtual_pv.as_ref().is_some_and(controlled_elsewhere) {
                return Ok(());
            }
            let expected = reclaim_of(host).unwrap_or("Retain");
            prop_assert_eq!(reclaim_of(&pv), Some(expected));
            tally.hit("an Inherit policy with a host PV was checked");
            if reclaim_of(host).is_none() {
                tally.hit("the host PV has no policy (Retain)");
            }
            Ok(())
        },
    );
}

/// N1 as SPEC §2 states it, computed here with its own SHA-256.
fn n1(parts: &[&str]) -> String {
    let joined = parts.join("-");
    if joined.len() <= 63 {
        return joined;
    }
    let digest = Sha256::digest(joined.as_bytes());
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("{}-{}", &joined[..52], &hex[..10]).replace(".-", "-")
}

#[test]
fn i6_n1_keeps_short_names_and_hashes_long_ones() {
    let part = prop_oneof![
        4 => short_label(),
        1 => long_label(),
        2 => pv_name(),
        1 => select(vec!["x", "vcluster", "a.", "."]).prop_map(str::to_owned),
    ];
    run(
        file!(),
        "i6_n1_keeps_short_names_and_hashes_long_ones",
        (
            prop::collection::vec(part, 1..6),
            label_name(),
            label_name(),
            select(vec![
                "release",
                "vcluster.loft.sh/managed-by",
                "app",
                "vcluster.loft.sh/namespace",
            ]),
            prop::option::weighted(
                0.15,
                (
                    any::<prop::sample::Index>(),
                    select(vec!["ä", "日本", "\u{feff}"]),
                ),
            ),
        ),
        // Joined parts are at most 63 bytes in about half of the cases; hashed in the rest;
        // one case in 7 has a non-ASCII part.
        &[
            ("N1 was the identity on a name of at most 63 bytes", 20),
            ("N1 hashed a name of more than 63 bytes", 20),
            ("N1 refused a non-ASCII part", 5),
        ],
        |(mut parts, v, h, key, non_ascii), tally| {
            if let Some((index, text)) = non_ascii {
                let part = index.get_mut(&mut parts);
                part.push_str(text);
                let parts: Vec<&str> = parts.iter().map(String::as_str).collect();
                prop_assert!(safe_concat(&parts).is_err(), "{:?}", parts);
                prop_assert!(host_name(parts[0], parts[0], "vc").is_err() || parts[0].is_ascii());
                tally.hit("N1 refused a non-ASCII part");
                return Ok(());
            }
            let parts: Vec<&str> = parts.iter().map(String::as_str).collect();
            let joined = parts.join("-");
            let name = safe_concat(&parts).unwrap();
            prop_assert!(name.len() <= 63, "{} bytes: {:?}", name.len(), name);
            prop_assert_eq!(&name, &n1(&parts));
            if joined.len() <= 63 {
                prop_assert_eq!(&name, &joined);
                tally.hit("N1 was the identity on a name of at most 63 bytes");
            } else {
                prop_assert_ne!(&name, &joined);
                tally.hit("N1 hashed a name of more than 63 bytes");
            }
            let cluster = VirtualCluster::new(v.clone(), h.clone()).unwrap();
            for made in [
                cluster.host_name(parts[0], &h).unwrap(),
                cluster.host_name_cluster(parts[0]).unwrap(),
                cluster.cluster_marker().to_owned(),
                host_name(parts[0], &h, &v).unwrap(),
                host_name_cluster(parts[0], &h, &v).unwrap(),
                cluster.host_label_key(key).into_owned(),
            ] {
                prop_assert!(made.len() <= 63, "{} bytes: {:?}", made.len(), made);
            }
            Ok(())
        },
    );
}

/// The label keys N5 made on a host object, and the marker, must fit too.
fn check_host_labels(
    pv_labels: Option<&std::collections::BTreeMap<String, String>>,
) -> Result<(), TestCaseError> {
    for (key, value) in pv_labels.into_iter().flatten() {
        let name_part = key.rsplit('/').next().unwrap_or(key);
        prop_assert!(name_part.len() <= 63, "label key {:?}", key);
        if key == generators::MANAGED_BY {
            prop_assert!(value.len() <= 63, "marker {:?}", value);
        }
    }
    Ok(())
}

fn check_host_pv_names(pv: &PersistentVolume, given: &Scenario) -> Result<(), TestCaseError> {
    // A host PV's name is made by N3 unless it is the given host PV itself.
    if given.host_pv.as_ref().map(name_of) != Some(name_of(pv)) {
        prop_assert!(name_of(pv).len() <= 63, "host PV name {:?}", name_of(pv));
    }
    if let Some(class) = pv.spec.as_ref().and_then(|s| s.storage_class_name.as_ref()) {
        prop_assert!(class.len() <= 63, "host class name {:?}", class);
    }
    check_host_labels(pv.metadata.labels.as_ref())
}

#[test]
fn i6_every_name_the_crate_makes_fits_63_bytes() {
    let setups = setup_with(vec![PvMode::Fake, PvMode::Sync], options());
    run(
        file!(),
        "i6_every_name_the_crate_makes_fits_63_bytes",
        case(setups, &all_kinds()),
        &[("a host object's names were checked", 50)],
        |(setup, s), tally| {
            let t = setup.translator();
            let inputs = s.inputs();
            let mut checked = false;
            if let Ok(d) = t.host_pv(&inputs)
                && let Some(pv) = &d.desired
            {
                check_host_pv_names(pv, &s)?;
                checked = true;
            }
            if let Some(v) = &s.virtual_pv
                && let Ok(Some(pv)) = t.host_pv_owned(v.clone())
            {
                check_host_pv_names(&pv, &s)?;
                checked = true;
            }
            if let Ok(d) = t.host_pvc(&inputs)
                && let Some(pvc) = &d.desired
            {
                let name = pvc.metadata.name.as_deref().unwrap_or_default();
                if s.host_pvc.as_ref().and_then(|p| p.metadata.name.as_deref()) != Some(name) {
                    prop_assert!(name.len() <= 63, "host PVC name {:?}", name);
                }
                let spec = pvc.spec.as_ref().unwrap();
                if let Some(volume) = spec.volume_name.as_deref()
                    && s.host_pv.as_ref().map(name_of) != Some(volume)
                    && s.virtual_pvc
                        .as_ref()
                        .and_then(|p| p.spec.as_ref())
                        .and_then(|p| p.volume_name.as_deref())
                        != Some(volume)
                {
                    prop_assert!(volume.len() <= 63, "host PVC volumeName {:?}", volume);
                }
                if let Some(class) = spec.storage_class_name.as_deref() {
                    prop_assert!(class.len() <= 63, "host PVC class {:?}", class);
                }
                check_host_labels(pvc.metadata.labels.as_ref())?;
                checked = true;
            }
            if let Some(class) = &s.virtual_class
                && let Ok(d) = t.host_storage_class(&ClassInputs::new(class))
                && let Some(host) = &d.host_class.desired
            {
                let name = host.metadata.name.as_deref().unwrap_or_default();
                prop_assert!(name.len() <= 63, "host class {:?}", name);
                check_host_labels(host.metadata.labels.as_ref())?;
            }
            if checked {
                tally.hit("a host object's names were checked");
            }
            Ok(())
        },
    );
}

/// The owned variants (issue: move, don't copy) give what their borrowing twins give on the
/// same inputs, errors included: `mirrored_pv_owned` = `virtual_pv` with the host PV and the
/// PVC; `host_pv_owned` = `host_pv` with the virtual PV; `host_pvc_owned` = `host_pvc` with the
/// PVC alone.
#[test]
fn owned_variants_equal_the_borrowing_ones() {
    let setups = setup_with(vec![PvMode::Fake, PvMode::Sync], options());
    run(
        file!(),
        "owned_variants_equal_the_borrowing_ones",
        case(setups, &all_kinds()),
        &[
            ("a mirror was made both ways", 20),
            ("a host PV was made both ways", 5),
            ("a host PVC was made both ways", 40),
            ("an error was compared", 10),
        ],
        |(setup, s), tally| {
            let t = setup.translator();
            let pvc = s.virtual_pvc.as_ref();
            let text = |e: pv_translate::Error| e.to_string();
            let mut compared_error = false;
            if let Some(host) = &s.host_pv {
                let mut inputs = pv_translate::Inputs::new().with_host_pv(host);
                inputs.virtual_pvc = pvc;
                let borrowed = t.virtual_pv(&inputs).map(|d| d.desired).map_err(text);
                let owned = t.mirrored_pv_owned(host.clone(), pvc).map_err(text);
                prop_assert_eq!(&owned, &borrowed, "mirrored_pv_owned");
                if matches!(owned, Ok(Some(_))) {
                    tally.hit("a mirror was made both ways");
                }
                compared_error |= owned.is_err();
            }
            if let Some(virtual_pv) = &s.virtual_pv {
                let inputs = pv_translate::Inputs::new().with_virtual_pv(virtual_pv);
                let borrowed = t.host_pv(&inputs).map(|d| d.desired).map_err(text);
                let owned = t.host_pv_owned(virtual_pv.clone()).map_err(text);
                prop_assert_eq!(&owned, &borrowed, "host_pv_owned");
                if matches!(owned, Ok(Some(_))) {
                    tally.hit("a host PV was made both ways");
                }
                compared_error |= owned.is_err();
            }
            if let Some(pvc) = pvc {
                let inputs = pv_translate::Inputs::new().with_virtual_pvc(pvc);
                let borrowed = t.host_pvc(&inputs).map(|d| d.desired).map_err(text);
                let owned = t.host_pvc_owned(pvc.clone()).map_err(text);
                prop_assert_eq!(&owned, &borrowed, "host_pvc_owned");
                if matches!(owned, Ok(Some(_))) {
                    tally.hit("a host PVC was made both ways");
                }
                compared_error |= owned.is_err();
            }
            if compared_error {
                tally.hit("an error was compared");
            }
            Ok(())
        },
    );
}

#[test]
fn i7_every_desired_pv_is_schema_valid() {
    let setups = setup_with(vec![PvMode::Fake, PvMode::Sync], options());
    run(
        file!(),
        "i7_every_desired_pv_is_schema_valid",
        case(setups, &all_kinds()),
        &[
            ("a desired PV was validated", 50),
            ("a desired PVC was validated", 30),
            ("a desired StorageClass was validated", 5),
        ],
        |(setup, s), tally| {
            let t = setup.translator();
            let inputs = s.inputs();
            let pvc = s.virtual_pvc.as_ref();
            let mut desired: Vec<(&str, PersistentVolume)> = Vec::new();
            if let Ok(d) = t.virtual_pv(&inputs) {
                desired.extend(d.desired.map(|pv| ("virtual_pv", pv)));
            }
            if let Ok(d) = t.host_pv(&inputs) {
                desired.extend(d.desired.map(|pv| ("host_pv", pv)));
            }
            if let Ok(d) = t.pv_pair(&inputs) {
                desired.extend(d.virtual_pv.desired.map(|pv| ("pv_pair.virtual", pv)));
                desired.extend(d.host_pv.desired.map(|pv| ("pv_pair.host", pv)));
            }
            if let Some(host) = &s.host_pv
                && let Ok(Some(pv)) = t.mirrored_pv_owned(host.clone(), pvc)
            {
                desired.push(("mirrored_pv_owned", pv));
            }
            if let Some(v) = &s.virtual_pv
                && let Ok(Some(pv)) = t.host_pv_owned(v.clone())
            {
                desired.push(("host_pv_owned", pv));
            }
            if let (Some(v), Some(h)) = (&s.virtual_pv, &s.host_pv) {
                let last = PvPair::new(
                    s.last_virtual_pv.as_ref().unwrap_or(v),
                    s.last_host_pv.as_ref().unwrap_or(h),
                );
                if let Ok(d) = t.keep_in_step(last, PvPair::new(v, h), pvc, s.host_pvc.as_ref()) {
                    desired.extend(d.virtual_pv.desired.map(|pv| ("keep_in_step.virtual", pv)));
                    desired.extend(d.host_pv.desired.map(|pv| ("keep_in_step.host", pv)));
                }
            }
            // I7 and the API server's metadata rules: names, namespaces, label and annotation
            // keys and values, finalizers, quantities.
            for (entry, pv) in &desired {
                let checked = admissible_pv(pv);
                prop_assert!(checked.is_ok(), "{}: {:?}: {:?}", entry, checked, pv);
            }
            if !desired.is_empty() {
                tally.hit("a desired PV was validated");
            }
            if pvc.is_some() {
                let host = t.host_pvc(&inputs).ok().and_then(|d| d.desired);
                let back = t.virtual_pvc(&inputs).ok().and_then(|d| d.desired);
                let claims = [("host_pvc", host), ("virtual_pvc", back)];
                for (entry, claim) in claims.iter().filter_map(|(e, c)| Some((e, c.as_ref()?))) {
                    let checked = admissible_pvc(claim);
                    prop_assert!(checked.is_ok(), "{}: {:?}: {:?}", entry, checked, claim);
                }
                if claims.iter().any(|(_, c)| c.is_some()) {
                    tally.hit("a desired PVC was validated");
                }
            }
            if let Some(class) = &s.host_class
                && let Ok(d) = t.virtual_storage_class(class, None)
                && let Some(virtual_class) = d.desired
            {
                let checked = admissible_storage_class(&virtual_class);
                prop_assert!(checked.is_ok(), "{:?}: {:?}", checked, virtual_class);
                tally.hit("a desired StorageClass was validated");
            }
            Ok(())
        },
    );
}

/// The generators' promise: consistent scenarios hold valid objects.
#[test]
fn generators_make_valid_objects() {
    // The consistent generators' objects are valid: every PV and PVC of a sync or fake
    // scenario (except the deliberate F4 mismatch) passes the crate's own validation.
    run(
        file!(),
        "generators_make_valid_objects",
        case(
            setup_with(vec![PvMode::Fake, PvMode::Sync], options()),
            &all_kinds(),
        ),
        &[("a scenario's objects were validated", 100)],
        |(_, s), tally| {
            for pv in [
                &s.virtual_pv,
                &s.host_pv,
                &s.last_virtual_pv,
                &s.last_host_pv,
            ]
            .into_iter()
            .flatten()
            {
                prop_assert!(validate_pv(pv).is_ok(), "{:?}: {:?}", validate_pv(pv), pv);
                prop_assert!(admissible_pv(pv).is_ok(), "{:?}", admissible_pv(pv));
            }
            if let Some(pvc) = &s.virtual_pvc {
                prop_assert!(validate_pvc(pvc).is_ok(), "{:?}", validate_pvc(pvc));
                prop_assert!(admissible_pvc(pvc).is_ok(), "{:?}", admissible_pvc(pvc));
            }
            for class in [&s.host_class, &s.virtual_class].into_iter().flatten() {
                let checked = admissible_storage_class(class);
                prop_assert!(checked.is_ok(), "{:?}", checked);
            }
            tally.hit("a scenario's objects were validated");
            Ok(())
        },
    );
}
