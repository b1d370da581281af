//! SPEC M2-M4 and I1 for configuration: resolution never panics on any YAML-like document, is
//! deterministic, reads the same from YAML text as from the parsed document, refuses misspelt
//! keys in the strict sections, reads booleans as YAML 1.1 does, and explains every mode.
//!
//! Each property counts how often it reached its main assertion and fails when that was rare,
//! so that a generator drifting away from the interesting inputs is noticed.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::arithmetic_side_effects,
    missing_docs
)]

use std::cell::Cell;

use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use pv_translate::config::{Generation, VclusterConfig, resolve, resolve_yaml};
use pv_translate::{Error, PvMode, StorageClassMode, SyncMode};
use serde_json::{Map, Value, json};

const CASES: u32 = 512;

/// Runs `test` on `CASES` values of `strategy`. `test` returns whether it reached its main
/// assertion; the property fails when that happened in fewer than `min_percent` of the cases.
fn run_counted<S: Strategy>(
    name: &str,
    min_percent: u32,
    strategy: S,
    test: impl Fn(S::Value) -> Result<bool, TestCaseError>,
) where
    S::Value: std::fmt::Debug,
{
    let mut runner = TestRunner::new(Config {
        cases: CASES,
        failure_persistence: None,
        ..Config::default()
    });
    let reached = Cell::new(0u32);
    let runs = Cell::new(0u32);
    let result = runner.run(&strategy, |value| {
        runs.set(runs.get() + 1);
        if test(value)? {
            reached.set(reached.get() + 1);
        }
        Ok(())
    });
    if let Err(failure) = result {
        panic!("{name}: {failure}");
    }
    let (reached, runs) = (reached.get(), runs.get());
    assert!(
        reached * 100 >= runs * min_percent,
        "{name}: reached its assertion in only {reached} of {runs} cases (want {min_percent}%)"
    );
}

/// Every key path the resolver reads (and the selector's inner paths).
const KNOWN_PATHS: &[&[&str]] = &[
    &["sync", "toHost", "persistentVolumes", "enabled"],
    &["sync", "toHost", "persistentVolumeClaims", "enabled"],
    &["sync", "toHost", "storageClasses", "enabled"],
    &["sync", "toHost", "pods", "hybridScheduling", "enabled"],
    &["sync", "fromHost", "storageClasses", "enabled"],
    &["sync", "fromHost", "nodes", "enabled"],
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
    &["privateNodes", "enabled"],
    &["sync", "persistentvolumes", "enabled"],
    &["sync", "fake-persistentvolumes", "enabled"],
    &["sync", "persistentvolumeclaims", "enabled"],
    &["sync", "storageclasses", "enabled"],
    &["sync", "hoststorageclasses", "enabled"],
    &["sync", "legacy-storageclasses", "enabled"],
    &["sync", "nodes", "enableScheduler"],
    &["sync", "services", "enabled"],
];

/// The v0.20 switches that take a boolean (`fromHost.storageClasses.enabled` takes one too).
const BOOL_PATHS: &[&[&str]] = &[
    PV,
    PVC,
    TO_HOST,
    FROM_HOST,
    NODES,
    PRIVATE_NODES,
    SCHEDULERS[0],
    SCHEDULERS[1],
    SCHEDULERS[2],
];
const PV: &[&str] = &["sync", "toHost", "persistentVolumes", "enabled"];
const PVC: &[&str] = &["sync", "toHost", "persistentVolumeClaims", "enabled"];
const TO_HOST: &[&str] = &["sync", "toHost", "storageClasses", "enabled"];
const FROM_HOST: &[&str] = &["sync", "fromHost", "storageClasses", "enabled"];
const NODES: &[&str] = &["sync", "fromHost", "nodes", "enabled"];
const PRIVATE_NODES: &[&str] = &["privateNodes", "enabled"];
const SCHEDULERS: [&[&str]; 3] = [
    &["sync", "toHost", "pods", "hybridScheduling", "enabled"],
    &["controlPlane", "advanced", "virtualScheduler", "enabled"],
    &["controlPlane", "distro", "k8s", "scheduler", "enabled"],
];

/// Keys random maps draw from: known ones, so that random trees hit the resolver's paths.
const KEY_POOL: &[&str] = &[
    "sync",
    "toHost",
    "fromHost",
    "controlPlane",
    "privateNodes",
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
    "patches",
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

/// A v0.20 document built only from booleans (or `null`) at the boolean switches.
fn arb_valid_document() -> impl Strategy<Value = Value> {
    let bool_or_null = prop_oneof![
        1 => Just(Value::Null),
        3 => any::<bool>().prop_map(Value::Bool),
    ];
    prop::collection::vec(
        (prop::sample::select(BOOL_PATHS.to_vec()), bool_or_null),
        0..9,
    )
    .prop_map(|values| {
        let mut doc = Value::Object(Map::new());
        for (path, value) in values {
            insert(&mut doc, path, value);
        }
        doc
    })
}

fn is_true(doc: &Value, path: &[&str]) -> bool {
    let pointer = format!("/{}", path.join("/"));
    doc.pointer(&pointer) == Some(&Value::Bool(true))
}

/// What every answer must satisfy. Returns whether the document resolved.
fn check_invariants(doc: &Value, result: &Result<VclusterConfig, Error>) -> bool {
    match result {
        Ok(config) => {
            if config.mode.persistent_volumes == PvMode::Disabled {
                assert!(
                    config.generation == Generation::Legacy || is_true(doc, PRIVATE_NODES),
                    "{doc}"
                );
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
            // The explanation names both parts of the mode it explains.
            let explained: Vec<String> = config.reasons.iter().map(ToString::to_string).collect();
            let explained = explained.join("\n");
            let pv = match config.mode.persistent_volumes {
                PvMode::Fake => "PV mode Fake",
                PvMode::Sync => "PV mode Sync",
                _ => "PV mode None",
            };
            let classes = format!("StorageClass mode {:?}", config.mode.storage_classes);
            assert!(explained.contains(pv), "{doc}: {explained}");
            assert!(explained.contains(&classes), "{doc}: {explained}");
            let rule = match config.generation {
                Generation::V020 => "M2",
                _ => "M3",
            };
            assert!(
                config.reasons.iter().all(|r| r.rule.id() == rule),
                "{doc}: {explained}"
            );
            true
        }
        Err(Error::Config { path, reason, line }) => {
            assert!(!path.is_empty(), "{doc}");
            assert!(!reason.is_empty(), "{doc}");
            // From a parsed document there is no text, hence no line.
            assert_eq!(*line, None, "{doc}");
            assert!(!reason.contains('\n'), "{doc}: {reason}");
            false
        }
        Err(other) => panic!("configuration errors are Error::Config, got {other:?} for {doc}"),
    }
}

/// An error without its line, to compare errors from text and from a document.
fn without_line(result: Result<VclusterConfig, Error>) -> Result<VclusterConfig, Error> {
    result.map_err(|e| match e {
        Error::Config { path, reason, .. } => Error::Config {
            path,
            reason,
            line: None,
        },
        other => other,
    })
}

/// I1: never panics, same answer every time, errors are configuration errors. Both answers
/// must be common.
#[test]
fn resolution_is_total_and_deterministic() {
    let resolved = Cell::new(0u32);
    run_counted(
        "resolution_is_total_and_deterministic",
        50,
        arb_document(),
        |doc| {
            let first = resolve(&doc);
            prop_assert_eq!(&first, &resolve(&doc.clone()));
            let ok = check_invariants(&doc, &first);
            resolved.set(resolved.get() + u32::from(ok));
            // Reached: an error (the other answer is counted below).
            Ok(!ok)
        },
    );
    assert!(
        resolved.get() * 10 >= CASES,
        "only {} documents resolved",
        resolved.get()
    );
}

/// Arbitrary values anywhere, not only under known keys.
#[test]
fn resolution_never_panics_on_any_value() {
    run_counted(
        "resolution_never_panics_on_any_value",
        25,
        arb_value(true),
        |doc| {
            let first = resolve(&doc);
            prop_assert_eq!(&first, &resolve(&doc));
            check_invariants(&doc, &first);
            // Reached: a mapping, which gets past the document check.
            Ok(doc.is_object())
        },
    );
}

/// Reading the YAML text gives what resolving the parsed document gives (lines aside).
#[test]
fn yaml_text_and_document_agree() {
    run_counted("yaml_text_and_document_agree", 80, arb_document(), |doc| {
        let text = serde_saphyr::to_string(&doc).unwrap();
        let parsed: Option<Value> = serde_saphyr::from_str(&text).unwrap();
        // Only compare when the text round-trips (floats may be re-spelled, and strings such
        // as `yEs` are booleans to serde-saphyr but strings in YAML 1.1).
        if parsed.as_ref().unwrap_or(&Value::Null) != &doc {
            return Ok(false);
        }
        prop_assert_eq!(without_line(resolve_yaml(&text)), resolve(&doc));
        Ok(true)
    });
}

/// Arbitrary text: an answer or a one-line configuration error, never a panic.
#[test]
fn resolve_yaml_never_panics() {
    let text = prop_oneof![
        1 => any::<String>(),
        1 => "[a-z:{}\\[\\], \\n'\"&*!#-]{0,80}",
        2 => "sync:\n(  (toHost|fromHost):\n    [a-zA-Z]{1,12}: [a-z]{0,8}\n){1,3}",
    ];
    run_counted("resolve_yaml_never_panics", 30, text, |text| {
        let first = resolve_yaml(&text);
        prop_assert_eq!(&first, &resolve_yaml(&text));
        match &first {
            Ok(_) => Ok(true),
            Err(Error::Config { reason, path, .. }) => {
                prop_assert!(!reason.contains('\n'), "{reason}");
                prop_assert!(reason.len() <= 400, "{reason}");
                prop_assert!(!path.contains('\n') || path.len() < 200, "{path}");
                Ok(path != "(document)")
            }
            Err(other) => Err(TestCaseError::fail(format!("{other:?}"))),
        }
    });
}

/// M4: keys outside the strict sections change nothing.
#[test]
fn unknown_keys_outside_strict_sections_change_nothing() {
    let noise = (
        arb_valid_document(),
        prop::collection::vec(("x-[a-z]{1,6}", arb_value(true)), 0..5),
        prop::collection::vec(("x-[a-z]{1,6}", arb_value(true)), 0..3),
        prop::collection::vec(("x-[a-z]{1,6}", arb_value(true)), 0..3),
    );
    run_counted(
        "unknown_keys_outside_strict_sections_change_nothing",
        75,
        noise,
        |(doc, extra, sync_extra, control_plane_extra)| {
            let mut noisy = doc.clone();
            let added = !(extra.is_empty() && sync_extra.is_empty());
            for (key, value) in extra {
                insert(&mut noisy, &[key.as_str()], value);
            }
            if noisy.get("sync").is_some_and(Value::is_object) {
                for (key, value) in sync_extra {
                    insert(&mut noisy, &["sync", key.as_str()], value);
                }
            }
            if noisy.get("controlPlane").is_some_and(Value::is_object) {
                for (key, value) in control_plane_extra {
                    insert(&mut noisy, &["controlPlane", key.as_str()], value);
                }
            }
            prop_assert_eq!(resolve(&noisy), resolve(&doc));
            Ok(added)
        },
    );
}

/// Where keys are strict, with the known keys of each place (a sample of vcluster's).
const STRICT_PLACES: &[(&[&str], &[&str])] = &[
    (
        &["sync", "toHost"],
        &[
            "persistentVolumes",
            "persistentVolumeClaims",
            "storageClasses",
            "pods",
        ],
    ),
    (
        &["sync", "fromHost"],
        &["storageClasses", "nodes", "csiNodes"],
    ),
    (
        &["sync", "toHost", "persistentVolumes"],
        &["enabled", "patches"],
    ),
    (
        &["sync", "fromHost", "storageClasses"],
        &["enabled", "patches", "selector"],
    ),
    (
        &["sync", "fromHost", "nodes"],
        &["enabled", "selector", "syncBackChanges"],
    ),
    (&["privateNodes"], &["enabled", "autoNodes", "vpn"]),
];

/// A misspelling of `key`: case changed, a character dropped, doubled or replaced.
fn misspell(key: &str, how: usize, at: usize) -> String {
    let chars: Vec<char> = key.chars().collect();
    let at = at % chars.len();
    let mut out = chars.clone();
    match how % 4 {
        0 => {
            let c = out[at];
            out[at] = if c.is_uppercase() {
                c.to_ascii_lowercase()
            } else {
                c.to_ascii_uppercase()
            };
        }
        1 => {
            out.remove(at);
        }
        2 => out.insert(at, chars[at]),
        _ => out[at] = if chars[at] == 'x' { 'y' } else { 'x' },
    }
    out.into_iter().collect()
}

/// M4 (0.2): a misspelt key in a strict section is an error naming its path (and the line of
/// the key, when read from text) and the closest known key.
#[test]
fn misspelt_keys_in_strict_sections_are_named() {
    let case = (
        prop::sample::select(STRICT_PLACES.to_vec()),
        any::<prop::sample::Index>(),
        0usize..4,
        0usize..64,
        0usize..4,
        arb_valid_document(),
    );
    run_counted(
        "misspelt_keys_in_strict_sections_are_named",
        90,
        case,
        |((place, keys), key, how, at, blank_lines, base)| {
            let known = *key.get(keys);
            let wrong = misspell(known, how, at);
            if keys.contains(&wrong.as_str()) || wrong.is_empty() {
                return Ok(false);
            }
            let mut path: Vec<&str> = place.to_vec();
            path.push(&wrong);
            let mut doc = base;
            insert(&mut doc, &path, json!({}));
            let dotted = path.join(".");
            match resolve(&doc) {
                Err(Error::Config { path, reason, .. }) => {
                    prop_assert_eq!(&path, &dotted);
                    prop_assert!(reason.starts_with("unknown key; "), "{}", reason);
                }
                other => return Err(TestCaseError::fail(format!("{other:?}"))),
            }
            // The same from text, where the key's line is known: `blank_lines` comment lines
            // first, then one line per level of nesting.
            let mut text = "# vcluster.yaml\n".repeat(blank_lines);
            for (depth, key) in path.iter().enumerate() {
                text.push_str(&format!("{}{key}:\n", "  ".repeat(depth)));
            }
            match resolve_yaml(&text) {
                Err(Error::Config { path, line, reason }) => {
                    prop_assert_eq!(&path, &dotted);
                    prop_assert_eq!(line, Some(blank_lines + place.len() + 1));
                    if known.eq_ignore_ascii_case(&wrong) {
                        let suggestion = format!("did you mean {known}?");
                        prop_assert!(reason.ends_with(&suggestion), "{}", reason);
                    }
                }
                other => return Err(TestCaseError::fail(format!("{other:?}"))),
            }
            Ok(true)
        },
    );
}

/// YAML 1.1's boolean spellings, as go-yaml v2 reads them.
const YAML_1_1_TRUE: &[&str] = &[
    "y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON",
];
const YAML_1_1_FALSE: &[&str] = &[
    "n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF",
];

/// M4 (0.2): unquoted YAML 1.1 booleans are booleans; other capitalisations and quoted
/// spellings are strings (a type error for a boolean key, off for the StrBool key).
#[test]
fn booleans_are_read_as_yaml_1_1() {
    let spelling = prop_oneof![
        prop::sample::select(YAML_1_1_TRUE.to_vec()).prop_map(str::to_owned),
        prop::sample::select(YAML_1_1_FALSE.to_vec()).prop_map(str::to_owned),
        "(y|yes|n|no|on|off|true|false)".prop_flat_map(|word| {
            prop::collection::vec(any::<bool>(), word.len()).prop_map(move |upper| {
                word.chars()
                    .zip(upper)
                    .map(|(c, up)| if up { c.to_ascii_uppercase() } else { c })
                    .collect::<String>()
            })
        }),
    ];
    let case = (spelling, prop::sample::select(vec!["", "'", "\""]));
    let booleans = Cell::new(0u32);
    run_counted(
        "booleans_are_read_as_yaml_1_1",
        20,
        case,
        |(word, quote)| {
            let listed = YAML_1_1_TRUE
                .iter()
                .chain(YAML_1_1_FALSE)
                .any(|s| *s == word);
            let value = format!("{quote}{word}{quote}");
            let text = format!(
                "# a comment\nsync:\n  toHost:\n    persistentVolumes:\n      enabled: {value}\n"
            );
            let result = resolve_yaml(&text);
            if quote.is_empty() && listed {
                let on = YAML_1_1_TRUE.contains(&word.as_str());
                let config = result.map_err(|e| TestCaseError::fail(e.to_string()))?;
                let expected = if on { PvMode::Sync } else { PvMode::Fake };
                prop_assert_eq!(config.mode.persistent_volumes, expected);
                booleans.set(booleans.get() + 1);
                Ok(false)
            } else {
                match result {
                    Err(Error::Config { path, line, reason }) => {
                        prop_assert_eq!(path, "sync.toHost.persistentVolumes.enabled");
                        prop_assert_eq!(line, Some(5));
                        let found = format!("found the string {word:?}");
                        prop_assert!(reason.ends_with(&found), "{}", reason);
                    }
                    other => return Err(TestCaseError::fail(format!("{other:?}"))),
                }
                // The StrBool key: a string other than exactly "true" or "false" is off.
                let text = format!("sync: {{fromHost: {{storageClasses: {{enabled: {value}}}}}}}");
                let config = resolve_yaml(&text).map_err(|e| TestCaseError::fail(e.to_string()))?;
                let expected = if word == "true" {
                    StorageClassMode::FromHost
                } else {
                    StorageClassMode::Off
                };
                prop_assert_eq!(config.mode.storage_classes, expected);
                Ok(true)
            }
        },
    );
    assert!(
        booleans.get() * 10 >= CASES,
        "only {} booleans",
        booleans.get()
    );
}

/// Well-typed v0.20 documents resolve unless vcluster would refuse them: a scheduler without
/// node sync, or both class directions. The PV mode follows privateNodes and the PV switch.
#[test]
fn well_typed_documents_resolve() {
    run_counted(
        "well_typed_documents_resolve",
        50,
        arb_valid_document(),
        |doc| {
            let scheduler = SCHEDULERS.iter().any(|path| is_true(&doc, path));
            let refused = (scheduler && !is_true(&doc, NODES))
                || (is_true(&doc, TO_HOST) && is_true(&doc, FROM_HOST));
            let result = resolve(&doc);
            prop_assert_eq!(result.is_err(), refused, "{:?}", result);
            let Ok(config) = result else {
                return Ok(false);
            };
            prop_assert_eq!(config.generation, Generation::V020);
            let expected = if is_true(&doc, PRIVATE_NODES) {
                PvMode::Disabled
            } else if is_true(&doc, PV) {
                PvMode::Sync
            } else {
                PvMode::Fake
            };
            prop_assert_eq!(config.mode.persistent_volumes, expected);
            if is_true(&doc, PRIVATE_NODES) {
                prop_assert_eq!(config.mode.storage_classes, StorageClassMode::Off);
                prop_assert!(!config.pvc_sync);
            }
            Ok(true)
        },
    );
}

#[test]
fn documents_of_only_unknown_keys_are_defaults() {
    let doc = json!({"x-a": {"sync": 1}, "networking": [1, 2], "telemetry": {"enabled": "no"}});
    let config = resolve(&doc).unwrap();
    assert_eq!(config.mode, SyncMode::default());
    assert_eq!(config.generation, Generation::V020);
    assert!(config.pvc_sync);
}
