//! SPEC M2-M4 and I1 for configuration: resolution never panics on any YAML-like document, is
//! deterministic, and reads the same from YAML text as from the parsed document.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::arithmetic_side_effects,
    missing_docs
)]

use proptest::prelude::*;
use pv_translate::config::{Generation, resolve, resolve_yaml};
use pv_translate::{Error, PvMode, StorageClassMode, SyncMode};
use serde_json::{Map, Value};

/// Every key path the resolver reads (and the selector's inner paths).
const KNOWN_PATHS: &[&[&str]] = &[
    &["sync", "toHost", "persistentVolumes", "enabled"],
    &["sync", "toHost", "persistentVolumeClaims", "enabled"],
    &["sync", "toHost", "storageClasses", "enabled"],
    &["sync", "toHost", "pods", "hybridScheduling", "enabled"],
    &["sync", "fromHost", "storageClasses", "enabled"],
    &["sync", "fromHost", "storageClasses", "selector"],
    &[
        "sync",
        "fromHost",
        "storageClasses",
        "selector",
        "matchLabels",
    ],
    &[
        "sync",
        "fromHost",
        "storageClasses",
        "selector",
        "matchExpressions",
    ],
    &["controlPlane", "advanced", "virtualScheduler", "enabled"],
    &["controlPlane", "distro", "k8s", "scheduler", "enabled"],
    &["sync", "persistentvolumes", "enabled"],
    &["sync", "fake-persistentvolumes", "enabled"],
    &["sync", "persistentvolumeclaims", "enabled"],
    &["sync", "storageclasses", "enabled"],
    &["sync", "hoststorageclasses", "enabled"],
    &["sync", "legacy-storageclasses", "enabled"],
    &["sync", "nodes", "enableScheduler"],
    &["sync", "services", "enabled"],
];

/// Keys random maps draw from: known ones, so that random trees hit the resolver's paths.
const KEY_POOL: &[&str] = &[
    "sync",
    "toHost",
    "fromHost",
    "controlPlane",
    "storageClasses",
    "persistentVolumes",
    "persistentVolumeClaims",
    "enabled",
    "selector",
    "matchLabels",
    "matchExpressions",
    "key",
    "operator",
    "values",
    "persistentvolumes",
    "fake-persistentvolumes",
    "nodes",
    "enableScheduler",
    "hoststorageclasses",
    "storageclasses",
    "advanced",
    "virtualScheduler",
];

/// Strings that mean something to the resolver, plus arbitrary ones.
fn arb_string() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "true",
            "false",
            "auto",
            "AUTO",
            "True",
            "yes",
            "",
            "In",
            "NotIn",
            "Exists",
            "DoesNotExist",
            "in",
            "Gt",
            "a",
            "example.com/tier",
            "-bad",
            "null",
        ])
        .prop_map(str::to_owned),
        "[a-zA-Z0-9./_ -]{0,12}",
        any::<String>(),
    ]
}

fn arb_key() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => prop::sample::select(KEY_POOL.to_vec()).prop_map(str::to_owned),
        1 => "[a-zA-Z-]{1,8}",
    ]
}

/// Any JSON value; `floats` adds non-integer numbers.
fn arb_value(floats: bool) -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        arb_string().prop_map(Value::String),
        (-1.0e6f64..1.0e6).prop_map(move |f| if floats { Value::from(f) } else { Value::Null }),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::vec((arb_key(), inner), 0..6)
                .prop_map(|pairs| Value::Object(pairs.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// Sets `value` at `path`, turning whatever is on the way into mappings.
fn insert(doc: &mut Value, path: &[&str], value: Value) {
    let Some((first, rest)) = path.split_first() else {
        *doc = value;
        return;
    };
    if !doc.is_object() {
        *doc = Value::Object(Map::new());
    }
    let map = doc.as_object_mut().unwrap();
    let child = map.entry((*first).to_owned()).or_insert(Value::Null);
    insert(child, rest, value);
}

/// A document: a random tree, with random values placed at known paths (or their prefixes) and
/// at random paths.
fn arb_document() -> impl Strategy<Value = Value> {
    let placements = prop::collection::vec(
        (
            prop::sample::select(KNOWN_PATHS.to_vec()),
            0usize..6,
            arb_value(true),
        ),
        0..8,
    );
    let random = prop::collection::vec(
        (prop::collection::vec(arb_key(), 1..5), arb_value(true)),
        0..4,
    );
    (
        prop_oneof![3 => Just(Value::Object(Map::new())), 1 => arb_value(true)],
        placements,
        random,
    )
        .prop_map(|(mut doc, placements, random)| {
            for (path, cut, value) in placements {
                let len = path.len().saturating_sub(cut % path.len()).max(1);
                insert(&mut doc, &path[..len], value);
            }
            for (path, value) in random {
                let path: Vec<&str> = path.iter().map(String::as_str).collect();
                insert(&mut doc, &path, value);
            }
            doc
        })
}

/// A document built only from well-typed values at the known paths (mostly resolvable).
fn arb_valid_document() -> impl Strategy<Value = Value> {
    let bool_or_null = prop_oneof![Just(Value::Null), any::<bool>().prop_map(Value::Bool)];
    prop::collection::vec(
        (
            prop::sample::select(
                KNOWN_PATHS[..5]
                    .iter()
                    .chain(&KNOWN_PATHS[8..10])
                    .copied()
                    .collect::<Vec<_>>(),
            ),
            bool_or_null,
        ),
        0..7,
    )
    .prop_map(|values| {
        let mut doc = Value::Object(Map::new());
        for (path, value) in values {
            insert(&mut doc, path, value);
        }
        doc
    })
}

fn check_invariants(doc: &Value, result: &Result<pv_translate::config::VclusterConfig, Error>) {
    match result {
        Ok(config) => {
            if config.mode.persistent_volumes == PvMode::Disabled {
                assert_eq!(config.generation, Generation::Legacy, "{doc}");
            }
            if config.generation == Generation::Legacy {
                assert_eq!(config.storage_class_selector, None, "{doc}");
            }
            if config.class_limit().is_some() {
                assert_eq!(
                    config.mode.storage_classes,
                    StorageClassMode::FromHost,
                    "{doc}"
                );
            }
        }
        Err(Error::Config { path, reason, .. }) => {
            assert!(!path.is_empty(), "{doc}");
            assert!(!reason.is_empty(), "{doc}");
        }
        Err(other) => panic!("configuration errors are Error::Config, got {other:?} for {doc}"),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// I1: never panics, same answer every time, errors are configuration errors.
    #[test]
    fn resolution_is_total_and_deterministic(doc in arb_document()) {
        let first = resolve(&doc);
        let second = resolve(&doc.clone());
        prop_assert_eq!(&first, &second);
        check_invariants(&doc, &first);
    }

    /// Arbitrary values anywhere, not only under known keys.
    #[test]
    fn resolution_never_panics_on_any_value(doc in arb_value(true)) {
        let first = resolve(&doc);
        prop_assert_eq!(&first, &resolve(&doc));
        check_invariants(&doc, &first);
    }

    /// Reading the YAML text gives what resolving the parsed document gives.
    #[test]
    fn yaml_text_and_document_agree(doc in arb_document()) {
        let text = serde_saphyr::to_string(&doc).unwrap();
        let parsed: Option<Value> = serde_saphyr::from_str(&text).unwrap();
        // Only compare when the text round-trips (floats may be re-spelled).
        if parsed.as_ref().unwrap_or(&Value::Null) == &doc {
            prop_assert_eq!(resolve_yaml(&text), resolve(&doc));
        }
    }

    /// Arbitrary text: an answer or an error, never a panic.
    #[test]
    fn resolve_yaml_never_panics(text in prop_oneof![any::<String>(), "[a-z:{}\\[\\], \\n'\"-]{0,80}"]) {
        let first = resolve_yaml(&text);
        prop_assert_eq!(&first, &resolve_yaml(&text));
        if let Err(e) = &first {
            let is_config = matches!(e, Error::Config { .. });
            prop_assert!(is_config, "{:?}", e);
        }
    }

    /// M4: keys the resolver does not know change nothing.
    #[test]
    fn unknown_keys_change_nothing(
        doc in arb_valid_document(),
        extra in prop::collection::vec(("x-[a-z]{1,6}", arb_value(true)), 0..5),
        sync_extra in prop::collection::vec(("x-[a-z]{1,6}", arb_value(true)), 0..3),
    ) {
        let mut noisy = doc.clone();
        for (key, value) in extra {
            insert(&mut noisy, &[key.as_str()], value);
        }
        if noisy.get("sync").is_some_and(Value::is_object) {
            for (key, value) in sync_extra {
                insert(&mut noisy, &["sync", key.as_str()], value);
            }
        }
        prop_assert_eq!(resolve(&noisy), resolve(&doc));
    }

    /// Well-typed v0.20 documents always resolve unless they enable both class directions.
    #[test]
    fn well_typed_documents_resolve(doc in arb_valid_document()) {
        let both = doc.pointer("/sync/toHost/storageClasses/enabled") == Some(&Value::Bool(true))
            && doc.pointer("/sync/fromHost/storageClasses/enabled") == Some(&Value::Bool(true));
        let result = resolve(&doc);
        prop_assert_eq!(result.is_err(), both, "{:?}", result);
        if let Ok(config) = result {
            prop_assert_eq!(config.generation, Generation::V020);
            let pvs = doc.pointer("/sync/toHost/persistentVolumes/enabled") == Some(&Value::Bool(true));
            prop_assert_eq!(config.mode.persistent_volumes == PvMode::Sync, pvs);
        }
    }
}

#[test]
fn documents_of_only_unknown_keys_are_defaults() {
    let doc = serde_json::json!({"x-a": {"sync": 1}, "networking": [1, 2], "telemetry": {"enabled": "no"}});
    let config = resolve(&doc).unwrap();
    assert_eq!(config.mode, SyncMode::default());
    assert_eq!(config.generation, Generation::V020);
    assert!(config.pvc_sync);
}
