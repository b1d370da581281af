//! SPEC M2-M4 (configuration), C1-C2 (StorageClasses): the cases of reference §8.7 and §8.8.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::arithmetic_side_effects,
    missing_docs
)]

use std::collections::BTreeMap;

use k8s_openapi::api::storage::v1::StorageClass;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, LabelSelectorRequirement};
use pv_translate::config::{Generation, VclusterConfig, resolve, resolve_yaml};
use pv_translate::storage_class::{selector_matches, validate_selector};
use pv_translate::{Decision, Explanation, Translator};
use pv_translate::{Error, PvMode, Rule, StorageClassMode, SyncMode, VirtualCluster};
use serde_json::{Value, json};

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

fn ok(yaml: &str) -> VclusterConfig {
    resolve_yaml(yaml).unwrap_or_else(|e| panic!("{yaml:?} should resolve: {e}"))
}

fn mode(yaml: &str) -> SyncMode {
    ok(yaml).mode
}

/// The path and reason of a configuration error.
fn config_err(yaml: &str) -> (String, String) {
    match resolve_yaml(yaml) {
        Err(Error::Config { path, reason, .. }) => (path, reason),
        other => panic!("{yaml:?} should be a configuration error, got {other:?}"),
    }
}

fn err_path(yaml: &str) -> String {
    config_err(yaml).0
}

const FAKE_OFF: SyncMode = SyncMode::new(PvMode::Fake, StorageClassMode::Off);
const FAKE_FROM_HOST: SyncMode = SyncMode::new(PvMode::Fake, StorageClassMode::FromHost);
const FAKE_TO_HOST: SyncMode = SyncMode::new(PvMode::Fake, StorageClassMode::ToHost);

fn class(value: Value) -> StorageClass {
    serde_json::from_value(value).expect("test StorageClass")
}

fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

fn expr(key: &str, operator: &str, values: Option<&[&str]>) -> LabelSelectorRequirement {
    LabelSelectorRequirement {
        key: key.to_owned(),
        operator: operator.to_owned(),
        values: values.map(|v| v.iter().map(|s| (*s).to_owned()).collect()),
    }
}

fn selector(match_labels: &[(&str, &str)], exprs: Vec<LabelSelectorRequirement>) -> LabelSelector {
    LabelSelector {
        match_labels: (!match_labels.is_empty()).then(|| labels(match_labels)),
        match_expressions: (!exprs.is_empty()).then_some(exprs),
    }
}

fn cluster() -> VirtualCluster {
    VirtualCluster::new("suffix", "test").unwrap()
}

/// A storage-class decision with its explanation (asked for, so always there).
struct Explained {
    desired: Option<StorageClass>,
    explanation: Explanation,
}

fn explained(decision: Decision<StorageClass>) -> Explained {
    Explained {
        desired: decision.desired,
        explanation: decision.explanation.expect("explanations were asked for"),
    }
}

/// C1 through the façade, explained: the decision for host class `host` under `selector`.
fn translate_from_host(
    host: &StorageClass,
    selector: Option<&LabelSelector>,
) -> Result<Explained, Error> {
    Translator::new(cluster())
        .with_class_selector(selector.cloned())
        .with_explanations(true)
        .virtual_storage_class(host, None)
        .map(explained)
}

/// C1: the desired virtual class (`None`: the host class is not shown).
fn virtual_storage_class(
    host: &StorageClass,
    selector: Option<&LabelSelector>,
) -> Result<Option<StorageClass>, Error> {
    translate_from_host(host, selector).map(|d| d.desired)
}

/// C2 through the façade, explained.
fn translate_to_host(
    virtual_class: &StorageClass,
    cluster: &VirtualCluster,
) -> Result<Explained, Error> {
    Translator::new(cluster.clone())
        .with_explanations(true)
        .host_storage_class(&pv_translate::storage_class::ClassInputs::new(
            virtual_class,
        ))
        .map(|pair| explained(pair.host_class))
}

/// C2: the desired host class.
fn host_storage_class(
    virtual_class: &StorageClass,
    cluster: &VirtualCluster,
) -> Result<StorageClass, Error> {
    let desired = translate_to_host(virtual_class, cluster)?.desired;
    Ok(desired.expect("C2 always gives a host class"))
}

// ---------------------------------------------------------------------------------------------
// M2: vcluster.yaml (v0.20+)
// ---------------------------------------------------------------------------------------------

#[test]
fn m2_empty_document_is_v020_defaults() {
    // M01: fake PVs, fromHost "auto" stays off, PVC sync on.
    for yaml in [
        "",
        "{}",
        "null",
        "~",
        "# only a comment\n",
        "sync: {}",
        "sync: null",
    ] {
        let config = ok(yaml);
        assert_eq!(config.mode, FAKE_OFF, "{yaml:?}");
        assert_eq!(config.generation, Generation::V020, "{yaml:?}");
        assert!(config.pvc_sync, "{yaml:?}");
        assert_eq!(config.storage_class_selector, None, "{yaml:?}");
        assert_eq!(config.class_limit(), None, "{yaml:?}");
    }
    assert_eq!(resolve(&Value::Null).unwrap(), ok(""));
    assert_eq!(resolve(&json!({})).unwrap(), ok(""));
}

/// A virtual scheduler with the node sync vcluster requires for it (M2, 0.2).
const SCHEDULER: &str = "controlPlane: {advanced: {virtualScheduler: {enabled: true}}}";
/// `sync.fromHost.nodes.enabled: true` merged into a `sync.fromHost` flow mapping.
const NODES: &str = "nodes: {enabled: true}";

#[test]
fn m2_auto_becomes_from_host_with_virtual_scheduler_and_pvc_sync() {
    // M02: vcluster requires sync.fromHost.nodes.enabled with a scheduler.
    let config = ok("
controlPlane: {advanced: {virtualScheduler: {enabled: true}}}
sync: {fromHost: {nodes: {enabled: true}}}
");
    assert_eq!(config.mode, FAKE_FROM_HOST);
    assert_eq!(config.generation, Generation::V020);
}

#[test]
fn m2_auto_becomes_from_host_with_k8s_distro_scheduler() {
    assert_eq!(
        mode(&format!(
            "controlPlane: {{distro: {{k8s: {{enabled: true, scheduler: {{enabled: true}}}}}}}}\n\
             sync: {{fromHost: {{{NODES}}}}}"
        )),
        FAKE_FROM_HOST
    );
}

#[test]
fn m2_auto_becomes_from_host_with_hybrid_scheduling() {
    assert_eq!(
        mode(&format!(
            "sync: {{toHost: {{pods: {{hybridScheduling: {{enabled: true}}}}}}, fromHost: {{{NODES}}}}}"
        )),
        FAKE_FROM_HOST
    );
}

#[test]
fn m2_auto_is_the_default_and_can_be_written() {
    for value in ["auto", "'auto'", "\"auto\""] {
        let yaml = format!(
            "{SCHEDULER}\nsync: {{fromHost: {{{NODES}, storageClasses: {{enabled: {value}}}}}}}"
        );
        assert_eq!(mode(&yaml), FAKE_FROM_HOST, "{value}");
        let yaml = format!("sync: {{fromHost: {{storageClasses: {{enabled: {value}}}}}}}");
        assert_eq!(mode(&yaml), FAKE_OFF, "{value}");
    }
}

#[test]
fn m2_only_exact_auto_is_auto() {
    // 0.2, as vcluster: validation promotes exactly "auto", and the host class syncer starts
    // only for exactly "true"; any other string is off, even with a scheduler.
    for value in ["Auto", "AUTO", "' auto'", "automatic", "''"] {
        let yaml = format!(
            "{SCHEDULER}\nsync: {{fromHost: {{{NODES}, storageClasses: {{enabled: {value}}}}}}}"
        );
        let config = ok(&yaml);
        assert_eq!(config.mode, FAKE_OFF, "{value}");
        assert_eq!(config.class_limit(), None, "{value}");
        let reason = config.reasons.last().unwrap();
        assert!(
            reason.sentence.contains("is neither true nor \"auto\""),
            "{value}: {reason}"
        );
    }
}

#[test]
fn m2_only_exact_true_turns_the_host_class_syncer_on() {
    // 0.2: a quoted "True", "TRUE" or "yes" is a string other than "true": off (vcluster
    // registers the syncer for `== "true"` only), and no conflict with toHost either.
    for value in ["'True'", "\"TRUE\"", "'yes'", "'on'", "'1'", "' true'"] {
        let yaml = format!(
            "sync: {{fromHost: {{storageClasses: {{enabled: {value}, selector: {{matchLabels: {{a: b}}}}}}}}}}"
        );
        let config = ok(&yaml);
        assert_eq!(config.mode, FAKE_OFF, "{value}");
        assert_eq!(config.class_limit(), None, "{value}");
        let yaml = format!(
            "sync: {{fromHost: {{storageClasses: {{enabled: {value}}}}}, \
             toHost: {{storageClasses: {{enabled: true}}}}}}"
        );
        assert_eq!(mode(&yaml), FAKE_TO_HOST, "{value}");
    }
    // The boolean and exactly "true" are on.
    for value in ["true", "'true'", "\"true\""] {
        let yaml = format!("sync: {{fromHost: {{storageClasses: {{enabled: {value}}}}}}}");
        assert_eq!(mode(&yaml), FAKE_FROM_HOST, "{value}");
    }
}

#[test]
fn m2_auto_stays_off_without_a_scheduler() {
    assert_eq!(
        mode(
            "
controlPlane:
  advanced: {virtualScheduler: {enabled: false}}
  distro: {k8s: {scheduler: {enabled: false}}}
sync:
  toHost: {pods: {hybridScheduling: {enabled: false}}}
  fromHost: {storageClasses: {enabled: auto}}
"
        ),
        FAKE_OFF
    );
}

#[test]
fn m2_auto_stays_off_without_pvc_sync() {
    let config = ok("
controlPlane: {advanced: {virtualScheduler: {enabled: true}}}
sync: {toHost: {persistentVolumeClaims: {enabled: false}}, fromHost: {nodes: {enabled: true}}}
");
    assert_eq!(config.mode, FAKE_OFF);
    assert!(!config.pvc_sync);
}

#[test]
fn m2_auto_not_promoted_when_to_host_no_error() {
    // M03
    assert_eq!(
        mode(
            "
controlPlane: {advanced: {virtualScheduler: {enabled: true}}}
sync: {toHost: {storageClasses: {enabled: true}}, fromHost: {nodes: {enabled: true}}}
"
        ),
        FAKE_TO_HOST
    );
}

#[test]
fn m2_from_host_true_as_boolean_or_exact_string() {
    // Unquoted True and TRUE are YAML booleans; the string must be exactly "true" (0.2).
    for value in ["true", "True", "TRUE", "'true'", "yes", "on", "Y"] {
        let yaml = format!("sync: {{fromHost: {{storageClasses: {{enabled: {value}}}}}}}");
        assert_eq!(mode(&yaml), FAKE_FROM_HOST, "{value}");
    }
    // Explicit true needs neither a scheduler nor PVC sync.
    let config = ok("
sync:
  toHost: {persistentVolumeClaims: {enabled: false}}
  fromHost: {storageClasses: {enabled: true}}
");
    assert_eq!(config.mode, FAKE_FROM_HOST);
    assert!(!config.pvc_sync);
}

#[test]
fn m2_from_host_false_wins_over_a_scheduler() {
    for value in ["false", "'false'", "'FALSE'", "False", "no", "off"] {
        let yaml = format!(
            "{SCHEDULER}\nsync: {{fromHost: {{{NODES}, storageClasses: {{enabled: {value}}}}}}}"
        );
        assert_eq!(mode(&yaml), FAKE_OFF, "{value}");
    }
}

#[test]
fn m2_from_host_and_to_host_is_an_error() {
    // M04: vcluster's reason, quoted.
    for value in ["true", "'true'", "True", "on"] {
        let yaml = format!(
            "sync: {{fromHost: {{storageClasses: {{enabled: {value}}}}}, \
             toHost: {{storageClasses: {{enabled: true}}}}}}"
        );
        let (path, reason) = config_err(&yaml);
        assert_eq!(path, "sync.fromHost.storageClasses.enabled");
        assert_eq!(
            reason,
            "vcluster refuses to start: \"you cannot enable both \
             sync.fromHost.storageClasses.enabled and sync.toHost.storageClasses.enabled at the \
             same time. Choose only one of them\""
        );
    }
}

#[test]
fn m2_to_host_persistent_volumes_is_sync() {
    // M05
    let config = ok("sync: {toHost: {persistentVolumes: {enabled: true}}}");
    assert_eq!(
        config.mode,
        SyncMode::new(PvMode::Sync, StorageClassMode::Off)
    );
    assert_eq!(
        mode("sync: {toHost: {persistentVolumes: {enabled: false}}}"),
        FAKE_OFF
    );
}

#[test]
fn m2_to_host_storage_classes_is_to_host() {
    assert_eq!(
        mode(
            "sync: {toHost: {storageClasses: {enabled: true}, persistentVolumes: {enabled: true}}}"
        ),
        SyncMode::new(PvMode::Sync, StorageClassMode::ToHost)
    );
}

#[test]
fn m2_pvc_sync_defaults_to_true() {
    assert!(ok("sync: {toHost: {persistentVolumes: {enabled: true}}}").pvc_sync);
    assert!(ok("sync: {toHost: {persistentVolumeClaims: {enabled: true}}}").pvc_sync);
    assert!(!ok("sync: {toHost: {persistentVolumeClaims: {enabled: false}}}").pvc_sync);
}

#[test]
fn m2_null_at_a_known_path_counts_as_unset() {
    let config = ok("
controlPlane: null
sync:
  toHost:
    persistentVolumes: {enabled: null}
    persistentVolumeClaims: {enabled: ~}
    storageClasses: null
    pods: {hybridScheduling: null}
  fromHost:
    storageClasses: {enabled: null, selector: null}
");
    assert_eq!(config.mode, FAKE_OFF);
    assert!(config.pvc_sync);
    assert_eq!(config.storage_class_selector, None);
    assert_eq!(config.generation, Generation::V020);
}

#[test]
fn m2_yaml_1_1_booleans_are_booleans_as_in_helm() {
    // Helm and vcluster read YAML 1.1: an unquoted `yes`/`on` is a boolean.
    assert_eq!(
        mode("sync: {toHost: {persistentVolumes: {enabled: yes}}}").persistent_volumes,
        PvMode::Sync
    );
    assert_eq!(
        mode(
            "controlPlane: {advanced: {virtualScheduler: {enabled: on}}}\n\
             sync: {fromHost: {nodes: {enabled: Yes}}}"
        ),
        FAKE_FROM_HOST
    );
    // Quoted, it is a string: an error for a boolean key.
    assert_eq!(
        err_path("sync: {toHost: {persistentVolumes: {enabled: 'yes'}}}"),
        "sync.toHost.persistentVolumes.enabled"
    );
}

#[test]
fn m2_resolve_takes_an_already_parsed_document() {
    let doc = json!({"sync": {"toHost": {"persistentVolumes": {"enabled": true}}}});
    assert_eq!(resolve(&doc).unwrap().mode.persistent_volumes, PvMode::Sync);
}

// ---------------------------------------------------------------------------------------------
// M2: the StorageClass selector (sync.fromHost.storageClasses.selector)
// ---------------------------------------------------------------------------------------------

#[test]
fn m2_selector_is_parsed_and_kept() {
    let config = ok("
sync:
  fromHost:
    storageClasses:
      enabled: true
      selector:
        matchLabels: {value: one}
        matchExpressions:
          - {key: tier, operator: In, values: [gold, silver]}
          - {key: legacy, operator: DoesNotExist}
");
    let expected = selector(
        &[("value", "one")],
        vec![
            expr("tier", "In", Some(&["gold", "silver"])),
            expr("legacy", "DoesNotExist", None),
        ],
    );
    assert_eq!(config.storage_class_selector.as_ref(), Some(&expected));
    assert_eq!(config.class_limit(), Some(&expected));
}

#[test]
fn m2_selector_limits_only_in_from_host_mode_and_when_not_empty() {
    // An empty selector matches everything: no limit (C10).
    let config = ok("sync: {fromHost: {storageClasses: {enabled: true, selector: {}}}}");
    assert_eq!(
        config.storage_class_selector,
        Some(LabelSelector::default())
    );
    assert_eq!(config.class_limit(), None);
    let config = ok(
        "sync: {fromHost: {storageClasses: {enabled: true, selector: {matchLabels: {}, matchExpressions: []}}}}",
    );
    assert_eq!(config.class_limit(), None);
    // Not FromHost ("auto" without a scheduler): kept, but no limit.
    let config = ok("sync: {fromHost: {storageClasses: {selector: {matchLabels: {a: b}}}}}");
    assert_eq!(config.mode, FAKE_OFF);
    assert!(config.storage_class_selector.is_some());
    assert_eq!(config.class_limit(), None);
}

#[test]
fn m2_selector_errors_name_their_path() {
    let base = |selector: &str| {
        format!("sync: {{fromHost: {{storageClasses: {{enabled: true, selector: {selector}}}}}}}")
    };
    let cases = [
        ("[]", "sync.fromHost.storageClasses.selector"),
        (
            "{matchLabels: []}",
            "sync.fromHost.storageClasses.selector.matchLabels",
        ),
        (
            "{matchLabels: {tier: 1}}",
            "sync.fromHost.storageClasses.selector.matchLabels.tier",
        ),
        (
            "{matchLabels: {tier: true}}",
            "sync.fromHost.storageClasses.selector.matchLabels.tier",
        ),
        (
            "{matchLabels: {'bad key!': x}}",
            "sync.fromHost.storageClasses.selector.matchLabels.bad key!",
        ),
        (
            "{matchLabels: {tier: 'not a value'}}",
            "sync.fromHost.storageClasses.selector.matchLabels.tier",
        ),
        (
            "{matchExpressions: {key: a}}",
            "sync.fromHost.storageClasses.selector.matchExpressions",
        ),
        (
            "{matchExpressions: [{key: a, operator: Exists}, x]}",
            "sync.fromHost.storageClasses.selector.matchExpressions[1]",
        ),
        (
            "{matchExpressions: [{key: a, operator: Equals, values: [b]}]}",
            "sync.fromHost.storageClasses.selector.matchExpressions[0].operator",
        ),
        (
            "{matchExpressions: [{key: a, operator: in, values: [b]}]}",
            "sync.fromHost.storageClasses.selector.matchExpressions[0].operator",
        ),
        (
            "{matchExpressions: [{key: a, operator: Gt, values: ['1']}]}",
            "sync.fromHost.storageClasses.selector.matchExpressions[0].operator",
        ),
        (
            "{matchExpressions: [{key: a}]}",
            "sync.fromHost.storageClasses.selector.matchExpressions[0].operator",
        ),
        (
            "{matchExpressions: [{operator: Exists}]}",
            "sync.fromHost.storageClasses.selector.matchExpressions[0].key",
        ),
        (
            "{matchExpressions: [{key: 3, operator: Exists}]}",
            "sync.fromHost.storageClasses.selector.matchExpressions[0].key",
        ),
        (
            "{matchExpressions: [{key: a, operator: In}]}",
            "sync.fromHost.storageClasses.selector.matchExpressions[0].values",
        ),
        (
            "{matchExpressions: [{key: a, operator: NotIn, values: []}]}",
            "sync.fromHost.storageClasses.selector.matchExpressions[0].values",
        ),
        (
            "{matchExpressions: [{key: a, operator: Exists, values: [b]}]}",
            "sync.fromHost.storageClasses.selector.matchExpressions[0].values",
        ),
        (
            "{matchExpressions: [{key: a, operator: DoesNotExist, values: [b]}]}",
            "sync.fromHost.storageClasses.selector.matchExpressions[0].values",
        ),
        (
            "{matchExpressions: [{key: a, operator: In, values: b}]}",
            "sync.fromHost.storageClasses.selector.matchExpressions[0].values",
        ),
        (
            "{matchExpressions: [{key: a, operator: In, values: [b, 2]}]}",
            "sync.fromHost.storageClasses.selector.matchExpressions[0].values[1]",
        ),
        (
            "{matchExpressions: [{key: a, operator: In, values: [b, '-c']}]}",
            "sync.fromHost.storageClasses.selector.matchExpressions[0].values[1]",
        ),
        (
            "{matchExpressions: [{key: a, operator: Exists}, {key: 'Example.com/x', operator: Exists}]}",
            "sync.fromHost.storageClasses.selector.matchExpressions[1].key",
        ),
    ];
    for (selector, path) in cases {
        assert_eq!(err_path(&base(selector)), path, "{selector}");
    }
    // Messages say what is wrong.
    let (_, reason) = config_err(&base(
        "{matchExpressions: [{key: a, operator: Equals, values: [b]}]}",
    ));
    assert!(
        reason.contains("\"Equals\" is not a valid label selector operator"),
        "{reason}"
    );
    let (_, reason) = config_err(&base("{matchExpressions: [{key: a, operator: In}]}"));
    assert!(reason.contains("at least one value"), "{reason}");
    let (_, reason) = config_err(&base(
        "{matchExpressions: [{key: a, operator: Exists, values: [b]}]}",
    ));
    assert!(reason.contains("takes no values"), "{reason}");
}

#[test]
fn m2_selector_accepts_valid_keys_values_and_empty_exists_values() {
    let config = ok("
sync:
  fromHost:
    storageClasses:
      enabled: true
      selector:
        matchLabels:
          topology.kubernetes.io/zone: eu-west-1a
          empty-value: ''
          a: 'true'
        matchExpressions:
          - {key: example.com/tier, operator: NotIn, values: [a.b_c-d, 'X1']}
          - {key: present, operator: Exists, values: []}
          - {key: absent, operator: DoesNotExist, values: null}
          - {key: other, operator: In, values: ['']}
");
    assert_eq!(config.mode, FAKE_FROM_HOST);
    let selector = config.storage_class_selector.unwrap();
    assert_eq!(selector.match_labels.unwrap().len(), 3);
    assert_eq!(selector.match_expressions.unwrap().len(), 4);
}

#[test]
fn m2_selector_is_validated_even_when_from_host_is_off() {
    assert_eq!(
        err_path(
            "sync: {fromHost: {storageClasses: {enabled: false, selector: {matchExpressions: [{key: a, operator: Nope}]}}}}"
        ),
        "sync.fromHost.storageClasses.selector.matchExpressions[0].operator"
    );
}

// ---------------------------------------------------------------------------------------------
// M3: legacy values.yaml (v0.19 and older)
// ---------------------------------------------------------------------------------------------

fn legacy(yaml: &str) -> VclusterConfig {
    let config = ok(yaml);
    assert_eq!(config.generation, Generation::Legacy, "{yaml}");
    assert_eq!(config.storage_class_selector, None);
    config
}

#[test]
fn m3_legacy_persistentvolumes_wins_over_fake() {
    // M06
    let config = legacy(
        "sync: {persistentvolumes: {enabled: true}, fake-persistentvolumes: {enabled: true}}",
    );
    assert_eq!(
        config.mode,
        SyncMode::new(PvMode::Sync, StorageClassMode::Off)
    );
    let config = legacy(
        "sync: {persistentvolumes: {enabled: true}, fake-persistentvolumes: {enabled: false}}",
    );
    assert_eq!(config.mode.persistent_volumes, PvMode::Sync);
    assert_eq!(
        legacy("sync: {persistentvolumes: {enabled: true}}")
            .mode
            .persistent_volumes,
        PvMode::Sync
    );
}

#[test]
fn m3_legacy_both_pv_syncers_off_is_disabled() {
    // M07: no PV syncer at all.
    assert_eq!(
        legacy("sync: {fake-persistentvolumes: {enabled: false}}")
            .mode
            .persistent_volumes,
        PvMode::Disabled
    );
    assert_eq!(
        legacy(
            "sync: {fake-persistentvolumes: {enabled: false}, persistentvolumes: {enabled: false}}"
        )
        .mode
        .persistent_volumes,
        PvMode::Disabled
    );
    // persistentvolumes unset (null) is "not true".
    assert_eq!(
        legacy(
            "sync: {fake-persistentvolumes: {enabled: false}, persistentvolumes: {enabled: null}}"
        )
        .mode
        .persistent_volumes,
        PvMode::Disabled
    );
}

#[test]
fn m3_legacy_defaults_are_fake() {
    for yaml in [
        "sync: {persistentvolumes: {enabled: false}}",
        "sync: {fake-persistentvolumes: {enabled: true}}",
        "sync: {fake-persistentvolumes: {enabled: null}}",
        "sync: {services: {enabled: true}}",
    ] {
        let config = legacy(yaml);
        assert_eq!(config.mode, FAKE_OFF, "{yaml}");
        assert!(config.pvc_sync, "{yaml}");
    }
}

#[test]
fn m3_legacy_storageclasses_is_to_host() {
    assert_eq!(
        legacy("sync: {storageclasses: {enabled: true}}").mode,
        FAKE_TO_HOST
    );
}

#[test]
fn m3_legacy_hoststorageclasses_is_from_host() {
    // M08
    assert_eq!(
        legacy("sync: {hoststorageclasses: {enabled: true}}").mode,
        FAKE_FROM_HOST
    );
    // The pre-v0.13 name, which the chart passed to the syncer as `hoststorageclasses`.
    assert_eq!(
        legacy("sync: {legacy-storageclasses: {enabled: true}}").mode,
        FAKE_FROM_HOST
    );
}

#[test]
fn m3_legacy_both_storage_class_syncers_is_an_error() {
    // M09
    let (path, reason) =
        config_err("sync: {storageclasses: {enabled: true}, hoststorageclasses: {enabled: true}}");
    assert_eq!(path, "sync.hoststorageclasses.enabled");
    assert!(reason.contains("at the same time"), "{reason}");
    assert_eq!(
        err_path("sync: {storageclasses: {enabled: true}, legacy-storageclasses: {enabled: true}}"),
        "sync.legacy-storageclasses.enabled"
    );
}

#[test]
fn m3_legacy_enable_scheduler_promotes_hoststorageclasses() {
    // v0.19's syncer adds `hoststorageclasses` itself with a scheduler and PVC sync, unless
    // `storageclasses` is on.
    assert_eq!(
        legacy("sync: {nodes: {enabled: true, enableScheduler: true}}").mode,
        FAKE_FROM_HOST
    );
    // The chart never passes a disabled hoststorageclasses, so an explicit false does not stop it.
    assert_eq!(
        legacy("sync: {nodes: {enabled: true, enableScheduler: true}, hoststorageclasses: {enabled: false}}")
            .mode,
        FAKE_FROM_HOST
    );
}

#[test]
fn m3_legacy_enable_scheduler_without_pvc_sync_does_not_promote() {
    let config = legacy(
        "sync: {nodes: {enabled: true, enableScheduler: true}, persistentvolumeclaims: {enabled: false}}",
    );
    assert_eq!(config.mode, FAKE_OFF);
    assert!(!config.pvc_sync);
}

#[test]
fn m3_legacy_enable_scheduler_with_storageclasses_stays_to_host() {
    assert_eq!(
        legacy(
            "sync: {nodes: {enabled: true, enableScheduler: true}, storageclasses: {enabled: true}}"
        )
        .mode,
        FAKE_TO_HOST
    );
}

#[test]
fn m3_legacy_pvc_sync_can_be_off() {
    assert!(!legacy("sync: {persistentvolumeclaims: {enabled: false}}").pvc_sync);
    assert!(legacy("sync: {persistentvolumeclaims: {enabled: true}}").pvc_sync);
}

#[test]
fn m3_any_v019_sync_key_makes_a_file_legacy() {
    for key in [
        "services",
        "nodes",
        "fake-nodes",
        "ingresses",
        "csinodes",
        "generic",
        "namespaces",
    ] {
        let config = ok(&format!("sync: {{{key}: {{enabled: true}}}}"));
        assert_eq!(config.generation, Generation::Legacy, "{key}");
    }
    // A null legacy key is unset: the file is not legacy.
    assert_eq!(ok("sync: {services: null}").generation, Generation::V020);
    // An unknown sync key is ignored (M4), not legacy.
    assert_eq!(
        ok("sync: {somethingNew: {enabled: true}}").generation,
        Generation::V020
    );
}

#[test]
fn m3_mixing_generations_is_an_error() {
    let (path, reason) = config_err(
        "
controlPlane: {advanced: {virtualScheduler: {enabled: true}}}
sync: {persistentvolumes: {enabled: true}}
",
    );
    assert_eq!(path, "sync.persistentvolumes");
    assert!(reason.contains("controlPlane"), "{reason}");
    assert!(reason.contains("v0.19"), "{reason}");
    assert_eq!(
        err_path(
            "sync: {toHost: {persistentVolumes: {enabled: true}}, fake-persistentvolumes: {enabled: false}}"
        ),
        "sync.fake-persistentvolumes"
    );
    let (path, reason) = config_err("sync: {fromHost: {}, nodes: {enableScheduler: true}}");
    assert_eq!(path, "sync.nodes");
    assert!(reason.contains("sync.fromHost"), "{reason}");
}

// ---------------------------------------------------------------------------------------------
// M4: unknown keys ignored, wrong types named by path
// ---------------------------------------------------------------------------------------------

#[test]
fn m4_unknown_keys_are_ignored_outside_the_strict_sections() {
    // 0.2: sync.toHost, sync.fromHost and privateNodes are strict; elsewhere keys are ignored.
    let config = ok("
someTopLevelThing: [1, 2, 3]
controlPlane:
  unknown: {deeply: {nested: true}}
  advanced:
    virtualScheduler: {enabled: true, extra: 5}
sync:
  someFutureSection: {enabled: 7}
  toHost:
    persistentVolumes:
      enabled: true
      patches: [{path: metadata.annotations, expression: x}]
  fromHost:
    nodes: {enabled: true}
    storageClasses:
      enabled: auto
      patches: []
");
    assert_eq!(
        config.mode,
        SyncMode::new(PvMode::Sync, StorageClassMode::FromHost)
    );
    // In a legacy file too.
    let config = ok("
isolation: {enabled: true}
sync:
  persistentvolumes: {enabled: true, whatever: 1}
  somethingElse: 3
");
    assert_eq!(config.mode.persistent_volumes, PvMode::Sync);
    assert_eq!(config.generation, Generation::Legacy);
}

#[test]
fn m4_wrong_type_names_its_path() {
    let cases = [
        // v0.20 boolean keys accept only booleans.
        (
            "sync: {toHost: {persistentVolumes: {enabled: 'true'}}}",
            "sync.toHost.persistentVolumes.enabled",
        ),
        (
            "sync: {toHost: {persistentVolumes: {enabled: 1}}}",
            "sync.toHost.persistentVolumes.enabled",
        ),
        (
            "sync: {toHost: {persistentVolumeClaims: {enabled: []}}}",
            "sync.toHost.persistentVolumeClaims.enabled",
        ),
        (
            "sync: {toHost: {storageClasses: {enabled: {}}}}",
            "sync.toHost.storageClasses.enabled",
        ),
        (
            "sync: {toHost: {storageClasses: {enabled: auto}}}",
            "sync.toHost.storageClasses.enabled",
        ),
        (
            "controlPlane: {advanced: {virtualScheduler: {enabled: 'on'}}}",
            "controlPlane.advanced.virtualScheduler.enabled",
        ),
        (
            "controlPlane: {distro: {k8s: {scheduler: {enabled: 0}}}}",
            "controlPlane.distro.k8s.scheduler.enabled",
        ),
        (
            "sync: {toHost: {pods: {hybridScheduling: {enabled: 'false'}}}}",
            "sync.toHost.pods.hybridScheduling.enabled",
        ),
        // The StrBool key: booleans and strings only (any other string is off, 0.2).
        (
            "sync: {fromHost: {storageClasses: {enabled: 1}}}",
            "sync.fromHost.storageClasses.enabled",
        ),
        (
            "sync: {fromHost: {storageClasses: {enabled: [true]}}}",
            "sync.fromHost.storageClasses.enabled",
        ),
        // Mappings on the way to a known key.
        ("sync: []", "sync"),
        ("sync: true", "sync"),
        ("controlPlane: x", "controlPlane"),
        ("controlPlane: {advanced: 3}", "controlPlane.advanced"),
        (
            "sync: {toHost: {persistentVolumes: true}}",
            "sync.toHost.persistentVolumes",
        ),
        ("sync: {toHost: []}", "sync.toHost"),
        (
            "sync: {fromHost: {storageClasses: on}}",
            "sync.fromHost.storageClasses",
        ),
        // Legacy keys.
        (
            "sync: {persistentvolumes: {enabled: 'true'}}",
            "sync.persistentvolumes.enabled",
        ),
        (
            "sync: {fake-persistentvolumes: {enabled: 'false'}}",
            "sync.fake-persistentvolumes.enabled",
        ),
        (
            "sync: {fake-persistentvolumes: false}",
            "sync.fake-persistentvolumes",
        ),
        (
            "sync: {storageclasses: {enabled: 1}}",
            "sync.storageclasses.enabled",
        ),
        (
            "sync: {hoststorageclasses: {enabled: 'true'}}",
            "sync.hoststorageclasses.enabled",
        ),
        (
            "sync: {legacy-storageclasses: {enabled: x}}",
            "sync.legacy-storageclasses.enabled",
        ),
        (
            "sync: {persistentvolumeclaims: {enabled: 'no'}}",
            "sync.persistentvolumeclaims.enabled",
        ),
        (
            "sync: {nodes: {enableScheduler: 'true'}}",
            "sync.nodes.enableScheduler",
        ),
        ("sync: {nodes: []}", "sync.nodes"),
        // The document itself.
        ("[1, 2]", "(document)"),
        ("just a string", "(document)"),
        ("42", "(document)"),
    ];
    for (yaml, path) in cases {
        assert_eq!(err_path(yaml), path, "{yaml}");
    }
}

#[test]
fn m4_error_message_names_path_type_and_value() {
    // 0.2: read from text, the message names the line of the key.
    let err = resolve_yaml("sync: {toHost: {persistentVolumes: {enabled: 'true'}}}").unwrap_err();
    assert_eq!(
        err.to_string(),
        "vcluster configuration: line 1: sync.toHost.persistentVolumes.enabled: expected a \
         boolean (true or false), found the string \"true\""
    );
    let err =
        resolve_yaml("sync:\n  fromHost:\n    storageClasses:\n      enabled: 2\n").unwrap_err();
    assert_eq!(
        err.to_string(),
        "vcluster configuration: line 4: sync.fromHost.storageClasses.enabled: expected true, \
         false or \"auto\", found the number 2"
    );
    let err = resolve_yaml("# vcluster.yaml\nsync: [a]").unwrap_err();
    assert_eq!(
        err.to_string(),
        "vcluster configuration: line 2: sync: expected a mapping, found a list"
    );
    // From an already parsed document there is no line.
    let err = resolve(&json!({"sync": ["a"]})).unwrap_err();
    assert_eq!(
        err.to_string(),
        "vcluster configuration: sync: expected a mapping, found a list"
    );
}

#[test]
fn m4_invalid_yaml_is_a_config_error() {
    let (path, reason) = config_err("sync: {toHost: [unclosed");
    assert_eq!(path, "(document)");
    assert!(reason.starts_with("invalid YAML"), "{reason}");
    // Duplicate keys are ambiguous: rejected, naming the key (0.2).
    let (path, reason) = config_err("sync:\n  toHost: {}\nsync:\n  fromHost: {}\n");
    assert_eq!(path, "sync");
    assert_eq!(
        reason,
        "duplicate key (first at line 1); vcluster refuses duplicate keys"
    );
}

#[test]
fn m4_a_type_error_is_reported_even_when_another_key_decides() {
    // The scheduler is on through the first switch; the third is still type-checked.
    assert_eq!(
        err_path(
            "
controlPlane: {advanced: {virtualScheduler: {enabled: true}}}
sync: {toHost: {pods: {hybridScheduling: {enabled: 'yes'}}}}
"
        ),
        "sync.toHost.pods.hybridScheduling.enabled"
    );
}

// ---------------------------------------------------------------------------------------------
// M2 (0.2): dedicated mode, and configurations vcluster refuses to start
// ---------------------------------------------------------------------------------------------

#[test]
fn m2_private_nodes_manage_no_pvs() {
    // vcluster returns from RegisterControllers before any syncer in dedicated mode.
    let config = ok("privateNodes: {enabled: true}");
    assert_eq!(
        config.mode,
        SyncMode::new(PvMode::Disabled, StorageClassMode::Off)
    );
    assert_eq!(config.generation, Generation::V020);
    assert!(!config.pvc_sync);
    assert_eq!(config.class_limit(), None);
    assert_eq!(config.reasons.len(), 1);
    assert_eq!(config.reasons[0].keys, ["privateNodes.enabled"]);
    // Whatever the sync switches say.
    let config = ok("
privateNodes:
  enabled: true
  vpn: {enabled: true}
sync:
  toHost:
    persistentVolumes: {enabled: true}
    storageClasses: {enabled: true}
  fromHost:
    storageClasses: {enabled: false, selector: {matchLabels: {a: b}}}
");
    assert_eq!(
        config.mode,
        SyncMode::new(PvMode::Disabled, StorageClassMode::Off)
    );
    assert_eq!(config.class_limit(), None);
    assert!(config.storage_class_selector.is_some());
    // A scheduler, node sync and "auto": still nothing.
    let config = ok("
privateNodes: {enabled: true}
controlPlane: {distro: {k8s: {scheduler: {enabled: true}}}}
sync: {fromHost: {nodes: {enabled: true}}}
");
    assert_eq!(
        config.mode,
        SyncMode::new(PvMode::Disabled, StorageClassMode::Off)
    );
    // Off or unset: the usual rules; YAML 1.1 spellings count.
    assert_eq!(mode("privateNodes: {enabled: false}"), FAKE_OFF);
    assert_eq!(mode("privateNodes: {}"), FAKE_OFF);
    assert_eq!(
        mode("privateNodes: {enabled: on}").persistent_volumes,
        PvMode::Disabled
    );
    assert_eq!(
        err_path("privateNodes: {enabled: 'true'}"),
        "privateNodes.enabled"
    );
    // privateNodes is a v0.20+ key: with a v0.19 key, the generations are mixed.
    assert_eq!(
        err_path("privateNodes: {enabled: true}\nsync: {persistentvolumes: {enabled: true}}"),
        "sync.persistentvolumes"
    );
}

#[test]
fn m2_private_nodes_still_validated_as_vcluster_does() {
    // vcluster validates before it decides not to register syncers.
    let (path, reason) = config_err(
        "privateNodes: {enabled: true}\ncontrolPlane: {advanced: {virtualScheduler: {enabled: true}}}",
    );
    assert_eq!(path, "sync.fromHost.nodes.enabled");
    assert!(reason.starts_with("vcluster refuses to start"), "{reason}");
    assert_eq!(
        err_path(
            "privateNodes: {enabled: true}\nsync: {fromHost: {storageClasses: {enabled: true}}, \
             toHost: {storageClasses: {enabled: true}}}"
        ),
        "sync.fromHost.storageClasses.enabled"
    );
}

#[test]
fn m2_scheduler_without_node_sync_is_refused_with_vclusters_reason() {
    for (scheduler, key) in [
        (
            "controlPlane: {advanced: {virtualScheduler: {enabled: true}}}",
            "controlPlane.advanced.virtualScheduler.enabled",
        ),
        (
            "controlPlane: {distro: {k8s: {scheduler: {enabled: true}}}}",
            "controlPlane.distro.k8s.scheduler.enabled",
        ),
        (
            "sync: {toHost: {pods: {hybridScheduling: {enabled: true}}}}",
            "sync.toHost.pods.hybridScheduling.enabled",
        ),
    ] {
        let (path, reason) = config_err(scheduler);
        assert_eq!(path, "sync.fromHost.nodes.enabled", "{scheduler}");
        assert_eq!(
            reason,
            format!(
                "vcluster refuses to start: \"sync.fromHost.nodes.enabled is false, but required \
                 if using hybrid scheduling or virtual scheduler\" ({key} is true)"
            )
        );
    }
    // Every scheduler that is on is named.
    let (_, reason) = config_err(
        "controlPlane: {advanced: {virtualScheduler: {enabled: true}}, distro: {k8s: {scheduler: {enabled: true}}}}",
    );
    assert!(
        reason.ends_with(
            "(controlPlane.advanced.virtualScheduler.enabled, \
             controlPlane.distro.k8s.scheduler.enabled is true)"
        ),
        "{reason}"
    );
    // `enabled: false` (or anything but true) is not enough; the line is that of the key.
    let err = resolve_yaml(
        "controlPlane:\n  advanced:\n    virtualScheduler: {enabled: true}\nsync:\n  fromHost:\n    nodes:\n      enabled: false\n",
    )
    .unwrap_err();
    assert!(
        matches!(err, Error::Config { line: Some(7), ref path, .. } if path == "sync.fromHost.nodes.enabled"),
        "{err:?}"
    );
    // Without the key, the line of its nearest written parent.
    let err = resolve_yaml("sync:\n  toHost:\n    pods: {hybridScheduling: {enabled: true}}\n")
        .unwrap_err();
    assert!(
        matches!(err, Error::Config { line: Some(1), .. }),
        "{err:?}"
    );
    // A scheduler that is off needs nothing.
    assert_eq!(
        mode("controlPlane: {advanced: {virtualScheduler: {enabled: false}}}"),
        FAKE_OFF
    );
    // vcluster checks node sync before the class directions.
    assert_eq!(
        err_path(
            "controlPlane: {advanced: {virtualScheduler: {enabled: true}}}\n\
             sync: {fromHost: {storageClasses: {enabled: true}}, toHost: {storageClasses: {enabled: true}}}"
        ),
        "sync.fromHost.nodes.enabled"
    );
}

// ---------------------------------------------------------------------------------------------
// M4 (0.2): strict sections, YAML 1.1, one-line errors with lines
// ---------------------------------------------------------------------------------------------

/// The message of a configuration error read from text.
fn message(yaml: &str) -> String {
    resolve_yaml(yaml).unwrap_err().to_string()
}

#[test]
fn m4_misspelt_key_in_a_strict_section_names_the_closest_known_key() {
    assert_eq!(
        message("sync:\n  toHost:\n    persistentvolumes:\n      enabled: true\n"),
        "vcluster configuration: line 3: sync.toHost.persistentvolumes: unknown key; did you mean \
         persistentVolumes?"
    );
    let cases = [
        (
            "sync: {toHost: {persistentVolume: {enabled: true}}}",
            "sync.toHost.persistentVolume",
            "unknown key; did you mean persistentVolumes?",
        ),
        (
            "sync: {fromHost: {storageclasses: {enabled: true}}}",
            "sync.fromHost.storageclasses",
            "unknown key; did you mean storageClasses?",
        ),
        (
            "sync: {fromHost: {storageClasses: {enable: true}}}",
            "sync.fromHost.storageClasses.enable",
            "unknown key; did you mean enabled?",
        ),
        (
            "sync: {fromHost: {storageClasses: {selector: {matchLabel: {a: b}}}}}",
            "sync.fromHost.storageClasses.selector.matchLabel",
            "unknown key; did you mean matchLabels?",
        ),
        (
            "sync: {fromHost: {storageClasses: {selector: {matchExpressions: [{key: a, operator: Exists, value: [b]}]}}}}",
            "sync.fromHost.storageClasses.selector.matchExpressions[0].value",
            "unknown key; did you mean values?",
        ),
        (
            "sync: {toHost: {persistentVolumes: {patches: [{path: a}, {path: b, expresion: x}]}}}",
            "sync.toHost.persistentVolumes.patches[1].expresion",
            "unknown key; did you mean expression?",
        ),
        (
            "sync: {toHost: {customResources: {certificates.cert-manager.io: {enabeld: true}}}}",
            "sync.toHost.customResources.certificates.cert-manager.io.enabeld",
            "unknown key; did you mean enabled?",
        ),
        (
            "sync: {toHost: {pods: {hybridScheduling: {enbled: true}}}}",
            "sync.toHost.pods.hybridScheduling.enbled",
            "unknown key; did you mean enabled?",
        ),
        (
            "privateNodes: {enable: true}",
            "privateNodes.enable",
            "unknown key; did you mean enabled?",
        ),
        (
            "privateNodes: {autoNodes: [{provider: p, dynamic: [{name: a, weigth: 1}]}]}",
            "privateNodes.autoNodes[0].dynamic[0].weigth",
            "unknown key; did you mean weight?",
        ),
        // Far from every known key: the closest is still named, without a question.
        (
            "sync: {toHost: {kubevirt: {enabled: true}}}",
            "sync.toHost.kubevirt",
            "unknown key; the closest known key is secrets",
        ),
        // A struct without fields.
        (
            "sync: {toHost: {pods: {patches: [{path: a, labels: {x: y}}]}}}",
            "sync.toHost.pods.patches[0].labels.x",
            "unknown key; vcluster's TranslatePatchLabels takes no keys",
        ),
    ];
    for (yaml, path, reason) in cases {
        assert_eq!(
            config_err(yaml),
            (path.to_owned(), reason.to_owned()),
            "{yaml}"
        );
    }
    // Legacy values.yaml (Helm values) keep ignoring unknown keys, and so does the rest of a
    // v0.20 file.
    let config = ok("
sync:
  persistentvolumes: {enabled: true, typo: 1}
  persistentVolumes: {enabled: false}
  fake-persistentvolume: {enabled: false}
");
    assert_eq!(config.generation, Generation::Legacy);
    assert_eq!(config.mode.persistent_volumes, PvMode::Sync);
    // v0.20: outside sync.toHost, sync.fromHost and privateNodes.
    let config = ok("
controlPlane: {advanced: {virtualSchedular: {enabled: true}}}
sync: {toHostt: {persistentVolumes: {enabled: true}}}
exportKubeConfig: {contxt: x}
");
    assert_eq!(config.mode, FAKE_OFF);
}

#[test]
fn m4_strict_sections_need_mappings_and_lists_where_vcluster_has_them() {
    for (yaml, path, reason) in [
        (
            "sync: {toHost: {services: true}}",
            "sync.toHost.services",
            "expected a mapping, found the boolean true",
        ),
        (
            "sync: {toHost: {services: {patches: {path: a}}}}",
            "sync.toHost.services.patches",
            "expected a list, found a mapping",
        ),
        (
            "sync: {toHost: {services: {patches: [x]}}}",
            "sync.toHost.services.patches[0]",
            "expected a mapping, found the string \"x\"",
        ),
        (
            "sync: {toHost: {customResources: [a]}}",
            "sync.toHost.customResources",
            "expected a mapping, found a list",
        ),
        (
            "sync: {toHost: {customResources: {a: 1}}}",
            "sync.toHost.customResources.a",
            "expected a mapping, found the number 1",
        ),
        (
            "privateNodes: true",
            "privateNodes",
            "expected a mapping, found the boolean true",
        ),
    ] {
        assert_eq!(
            config_err(yaml),
            (path.to_owned(), reason.to_owned()),
            "{yaml}"
        );
    }
    // Free-form places take any keys: labels, translateImage, resources, customResources names.
    let config = ok("
sync:
  toHost:
    pods:
      translateImage: {a/b: c/d}
      rewriteHosts: {initContainer: {resources: {limits: {anything: 1}}}}
    customResources:
      anything.example.com: {enabled: true, patches: [{path: spec}]}
    namespaces: {extraLabels: {any: thing}, mappings: {byName: {a: b}}}
    persistentVolumes: null
  fromHost:
    nodes: {selector: {labels: {any: thing}}}
privateNodes:
  kubelet: {config: {whatever: {deep: true}}}
");
    assert_eq!(config.mode, FAKE_OFF);
}

#[test]
fn m4_strict_keys_are_case_sensitive_and_long_keys_are_cut() {
    // Go's decoder would accept `Enabled`; SPEC M4 names it instead.
    assert_eq!(
        config_err("sync: {toHost: {persistentVolumes: {Enabled: true}}}"),
        (
            "sync.toHost.persistentVolumes.Enabled".to_owned(),
            "unknown key; did you mean enabled?".to_owned()
        )
    );
    let long = "x".repeat(500);
    let err = message(&format!("sync:\n  toHost:\n    {long}: 1\n"));
    assert!(err.len() < 200, "{err}");
    assert!(
        err.starts_with("vcluster configuration: line 3: sync.toHost.xxxx"),
        "{err}"
    );
    assert!(err.contains("x...: unknown key"), "{err}");
}

const YAML_1_1_TRUE: [&str; 11] = [
    "y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON",
];
const YAML_1_1_FALSE: [&str; 11] = [
    "n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF",
];

#[test]
fn m4_yaml_1_1_booleans_exactly() {
    for word in YAML_1_1_TRUE {
        let yaml = format!("sync: {{toHost: {{persistentVolumes: {{enabled: {word}}}}}}}");
        assert_eq!(mode(&yaml).persistent_volumes, PvMode::Sync, "{word}");
        // The StrBool key: go-yaml reads a boolean, which vcluster's StrBool makes "true".
        let yaml = format!("sync: {{fromHost: {{storageClasses: {{enabled: {word}}}}}}}");
        assert_eq!(mode(&yaml), FAKE_FROM_HOST, "{word}");
    }
    for word in YAML_1_1_FALSE {
        let yaml = format!("sync: {{toHost: {{persistentVolumeClaims: {{enabled: {word}}}}}}}");
        assert!(!ok(&yaml).pvc_sync, "{word}");
    }
    // Other capitalisations are plain strings in YAML 1.1 (serde-saphyr alone would read them
    // as booleans).
    for word in ["yEs", "YeS", "oN", "oFF", "tRUE", "fALSE", "nO", "TRue"] {
        let (path, reason) = config_err(&format!(
            "sync: {{toHost: {{persistentVolumes: {{enabled: {word}}}}}}}"
        ));
        assert_eq!(path, "sync.toHost.persistentVolumes.enabled");
        assert_eq!(
            reason,
            format!("expected a boolean (true or false), found the string \"{word}\"")
        );
        let yaml = format!("sync: {{fromHost: {{storageClasses: {{enabled: {word}}}}}}}");
        assert_eq!(mode(&yaml), FAKE_OFF, "{word}");
    }
    // Quoted, every spelling is a string.
    for word in YAML_1_1_TRUE.iter().chain(&YAML_1_1_FALSE) {
        for quoted in [format!("'{word}'"), format!("\"{word}\"")] {
            let (path, reason) = config_err(&format!(
                "sync: {{toHost: {{storageClasses: {{enabled: {quoted}}}}}}}"
            ));
            assert_eq!(path, "sync.toHost.storageClasses.enabled");
            assert!(reason.contains("found the string"), "{reason}");
        }
    }
    // Through anchors and aliases too, and as the value of an explicit tag.
    assert_eq!(
        mode("x: &on yes\nsync: {toHost: {persistentVolumes: {enabled: *on}}}").persistent_volumes,
        PvMode::Sync
    );
    assert_eq!(
        err_path("x: &on yEs\nsync: {toHost: {persistentVolumes: {enabled: *on}}}"),
        "sync.toHost.persistentVolumes.enabled"
    );
    assert_eq!(
        mode("sync: {toHost: {persistentVolumes: {enabled: !!bool true}}}").persistent_volumes,
        PvMode::Sync
    );
    assert_eq!(
        err_path("sync: {toHost: {persistentVolumes: {enabled: !!str true}}}"),
        "sync.toHost.persistentVolumes.enabled"
    );
}

/// Error messages never show parser internals.
fn assert_clean(message: &str) {
    for leak in [
        "DuplicateKeyPolicy",
        "Options",
        "from_str",
        "budget breached",
        "Nodes {",
        "Depth {",
        "serde",
        "saphyr",
        "\n",
    ] {
        assert!(!message.contains(leak), "{leak:?} in {message:?}");
    }
}

#[test]
fn m4_yaml_errors_are_one_clear_line_with_the_line() {
    let cases: Vec<(String, &str, Option<usize>, &str)> = vec![
        (
            "sync:\n  toHost:\n    pods: {}\n    pods: {}\n".to_owned(),
            "sync.toHost.pods",
            Some(4),
            "duplicate key (first at line 3); vcluster refuses duplicate keys",
        ),
        (
            "a: 1\n---\nb: 2\n".to_owned(),
            "(document)",
            Some(3),
            "a second YAML document (after `---`): a vcluster configuration is one document, and \
             vcluster would read only the first",
        ),
        (
            "sync: {toHost: [unclosed\n".to_owned(),
            "(document)",
            Some(1),
            "invalid YAML: unclosed bracket '['",
        ),
        (
            "sync: *nothing\n".to_owned(),
            "(document)",
            Some(1),
            "invalid YAML: an alias (*name) refers to an anchor that is not defined",
        ),
        (
            format!("{}{}", "[".repeat(100), "]".repeat(100)),
            "(document)",
            Some(1),
            "mappings and lists nested more than 24 deep",
        ),
        (
            "sync: {toHost: {pods: {enabled: .inf}}}".to_owned(),
            "(document)",
            Some(1),
            "a number that is not finite (.inf or .nan): vcluster cannot read it",
        ),
        (
            "sync:\n  <<: 1\n".to_owned(),
            "(document)",
            Some(2),
            "invalid YAML: a merge key (<<) needs a mapping or a list of mappings",
        ),
        (
            "a: !!binary '!!!'\n".to_owned(),
            "(document)",
            Some(1),
            "invalid YAML: a !!binary value that is not base64 text",
        ),
        (
            "a: !!int x\n".to_owned(),
            "(document)",
            Some(1),
            "invalid YAML: a value that does not match its tag (!!int, !!bool, ...)",
        ),
        (
            "a: &x\n  b: *x\n".to_owned(),
            "(document)",
            Some(2),
            "invalid YAML: an alias inside its own anchor (a recursive structure)",
        ),
        (
            format!("a: &a x\nb: [{}]\n", vec!["*a"; 1_001].join(", ")),
            "(document)",
            Some(2),
            "too large: more anchors and aliases than a configuration needs",
        ),
        (
            "%YAML 2.0\n---\na: 1\n".to_owned(),
            "(document)",
            Some(1),
            "invalid YAML: unsupported YAML major version",
        ),
        (
            "sync:\n  ~: 1\n".to_owned(),
            "(document)",
            Some(2),
            "an empty (null) mapping key; vcluster needs text keys",
        ),
        (
            "sync:\n  ? [a, b]\n  : 1\n".to_owned(),
            "(document)",
            Some(2),
            "a mapping key that is a list or a mapping; vcluster needs text keys",
        ),
    ];
    for (text, path, line, reason) in cases {
        match resolve_yaml(&text) {
            Err(e @ Error::Config { .. }) => {
                assert_clean(&e.to_string());
                let Error::Config {
                    path: p,
                    line: l,
                    reason: r,
                } = e
                else {
                    unreachable!()
                };
                assert_eq!(
                    (p.as_str(), l, r.as_str()),
                    (path, line, reason),
                    "{text:?}"
                );
            }
            other => panic!("{text:?}: {other:?}"),
        }
    }
}

#[test]
fn m4_anchors_aliases_and_merge_keys_read_as_in_yaml_1_1() {
    // go-yaml v2 expands merge keys; explicit keys win over merged ones, and that is no
    // duplicate. Keys brought in by a merge are reported where the merge is.
    let config = ok("
defaults: &defaults {enabled: true, patches: []}
sync:
  toHost:
    persistentVolumes:
      <<: *defaults
    storageClasses:
      <<: *defaults
      enabled: false
  fromHost:
    storageClasses: {<<: *defaults, enabled: false}
");
    assert_eq!(config.mode.persistent_volumes, PvMode::Sync);
    assert_eq!(config.mode.storage_classes, StorageClassMode::Off);
    let err = resolve_yaml(
        "flags: &flags {1: one, on: two}\nsync:\n  fromHost:\n    nodes:\n      <<: *flags\n",
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "vcluster configuration: line 5: sync.fromHost.nodes.1: unknown key; the closest known \
         key is enabled"
    );
    // An explicit duplicate is still one.
    assert_eq!(
        config_err("sync: {toHost: {persistentVolumes: {<<: {enabled: true}, enabled: false, enabled: true}}}").1,
        "duplicate key (first at line 1); vcluster refuses duplicate keys"
    );
}

#[test]
fn m4_many_aliases_of_one_anchor_are_fine() {
    // A long list whose items all merge the same defaults.
    let items: Vec<String> = (0..300)
        .map(|i| format!("  - {{<<: *defaults, path: p{i}}}"))
        .collect();
    let text = format!(
        "defaults: &defaults {{expression: x}}\nsync:\n  toHost:\n    persistentVolumes:\n      \
         enabled: true\n      patches:\n{}\n",
        items.join("\n").replace("  - ", "        - ")
    );
    assert_eq!(mode(&text).persistent_volumes, PvMode::Sync);
}

#[test]
fn m4_alias_bombs_are_refused_clearly() {
    let mut bomb = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
    for (name, previous) in ["b", "c", "d", "e", "f", "g", "h", "i"]
        .into_iter()
        .zip(["a", "b", "c", "d", "e", "f", "g", "h"])
    {
        let refs = vec![format!("*{previous}"); 10].join(", ");
        bomb.push_str(&format!("{name}: &{name} [{refs}]\n"));
    }
    let err = resolve_yaml(&bomb).unwrap_err();
    assert_clean(&err.to_string());
    let Error::Config { path, reason, line } = err else {
        panic!("{err:?}")
    };
    assert_eq!(path, "(document)");
    assert!(reason.starts_with("too large: "), "{reason}");
    assert!(line.is_some());
}

#[test]
fn m4_messages_never_echo_long_values() {
    let shown = |err: &str| err.split("found the string ").nth(1).unwrap().to_owned();
    let value = "v".repeat(10_000);
    let err = message(&format!(
        "sync: {{toHost: {{persistentVolumes: {{enabled: '{value}'}}}}}}"
    ));
    assert_eq!(shown(&err), format!("\"{}\"...", "v".repeat(40)));
    let value = "é".repeat(5_000);
    let err = message(&format!(
        "sync: {{toHost: {{persistentVolumes: {{enabled: '{value}'}}}}}}"
    ));
    assert_eq!(shown(&err), format!("\"{}\"...", "é".repeat(20)));
    let err = message(&format!(
        "sync: {{toHost: {{persistentVolumes: {{enabled: {}}}}}}}",
        "9".repeat(400)
    ));
    assert!(err.len() < 200, "{} bytes: {err}", err.len());
    // Selector messages too (the label key and value checks quote what they refuse).
    let selector = |s: &str| {
        config_err(&format!(
            "sync: {{fromHost: {{storageClasses: {{enabled: true, selector: {s}}}}}}}"
        ))
    };
    let long = "v".repeat(1_000);
    let (path, reason) = selector(&format!("{{matchLabels: {{tier: {long}}}}}"));
    assert_eq!(
        path,
        "sync.fromHost.storageClasses.selector.matchLabels.tier"
    );
    assert!(
        reason.starts_with(&format!("invalid label value \"{}\"...: ", "v".repeat(40))),
        "{reason}"
    );
    let (path, reason) = selector(&format!("{{matchLabels: {{{long}: a}}}}"));
    assert_eq!(
        path,
        format!(
            "sync.fromHost.storageClasses.selector.matchLabels.{}...",
            "v".repeat(64)
        )
    );
    assert!(reason.len() < 200, "{reason}");
    let (_, reason) = selector(&format!(
        "{{matchExpressions: [{{key: a, operator: {long}}}]}}"
    ));
    assert!(
        reason.starts_with(&format!("\"{}\"... is not a valid", "v".repeat(40))),
        "{reason}"
    );
    let (path, _) = selector(&format!("{{matchLabels: {{{long}: 1}}}}"));
    assert_eq!(
        path,
        format!(
            "sync.fromHost.storageClasses.selector.matchLabels.{}...",
            "v".repeat(64)
        )
    );
    // Keys in paths are cut at 64 bytes.
    let key = "k".repeat(1_000);
    let (path, _) = config_err(&format!("sync: {{toHost: {{{key}: 1}}}}"));
    assert_eq!(path, format!("sync.toHost.{}...", "k".repeat(64)));
}

// ---------------------------------------------------------------------------------------------
// Explanation of the mode (reasons)
// ---------------------------------------------------------------------------------------------

fn reasons(yaml: &str) -> Vec<String> {
    ok(yaml).reasons.iter().map(ToString::to_string).collect()
}

#[test]
fn m2_reasons_name_the_keys_that_decided() {
    assert_eq!(
        reasons(""),
        [
            "M2 (sync.toHost.persistentVolumes.enabled): false (the default): every bound virtual \
             PVC gets a fake PV; PV mode Fake",
            "M2 (sync.fromHost.storageClasses.enabled, \
             controlPlane.advanced.virtualScheduler.enabled, \
             controlPlane.distro.k8s.scheduler.enabled, \
             sync.toHost.pods.hybridScheduling.enabled): auto (the default) stays off: no \
             scheduler runs in the virtual cluster; StorageClass mode Off",
        ]
    );
    assert_eq!(
        reasons(
            "controlPlane: {advanced: {virtualScheduler: {enabled: true}}}\n\
             sync: {fromHost: {nodes: {enabled: true}, storageClasses: {enabled: auto}}, \
             toHost: {persistentVolumes: {enabled: true}}}"
        ),
        [
            "M2 (sync.toHost.persistentVolumes.enabled): true: host PVs are mirrored into the \
             virtual cluster and tenant PVs are created on the host; PV mode Sync",
            "M2 (sync.fromHost.storageClasses.enabled, \
             controlPlane.advanced.virtualScheduler.enabled, \
             sync.toHost.persistentVolumeClaims.enabled): auto became true: a scheduler runs in \
             the virtual cluster and PVC sync is on; StorageClass mode FromHost",
        ]
    );
    assert_eq!(
        reasons(
            "controlPlane: {advanced: {virtualScheduler: {enabled: true}}}\n\
             sync: {fromHost: {nodes: {enabled: true}}, toHost: {persistentVolumeClaims: {enabled: false}}}"
        ),
        [
            "M2 (sync.toHost.persistentVolumes.enabled): false (the default): every bound virtual \
             PVC gets a fake PV; PV mode Fake",
            "M2 (sync.toHost.persistentVolumeClaims.enabled): false: virtual PVCs are not synced \
             to the host, so no PVC is bound by the syncer",
            "M2 (sync.fromHost.storageClasses.enabled, sync.toHost.persistentVolumeClaims.enabled): \
             auto (the default) stays off: PVC sync is off; StorageClass mode Off",
        ]
    );
    assert_eq!(
        reasons(
            "controlPlane: {advanced: {virtualScheduler: {enabled: true}}}\n\
             sync: {fromHost: {nodes: {enabled: true}}, toHost: {persistentVolumes: {enabled: false}, storageClasses: {enabled: true}}}"
        ),
        [
            "M2 (sync.toHost.persistentVolumes.enabled): false: every bound virtual PVC gets a \
             fake PV; PV mode Fake",
            "M2 (sync.toHost.storageClasses.enabled, sync.fromHost.storageClasses.enabled): true: \
             virtual StorageClasses are created on the host; StorageClass mode ToHost (auto (the \
             default) sync.fromHost.storageClasses stays off although a scheduler runs in the \
             virtual cluster)",
        ]
    );
    assert_eq!(
        reasons("sync: {toHost: {storageClasses: {enabled: true}}}")[1],
        "M2 (sync.toHost.storageClasses.enabled): true: virtual StorageClasses are created on the \
         host; StorageClass mode ToHost"
    );
    assert_eq!(
        reasons("sync: {fromHost: {storageClasses: {enabled: true}}}")[1],
        "M2 (sync.fromHost.storageClasses.enabled): true: host StorageClasses appear in the \
         virtual cluster; StorageClass mode FromHost"
    );
    assert_eq!(
        reasons("sync: {fromHost: {storageClasses: {enabled: false}}}")[1],
        "M2 (sync.fromHost.storageClasses.enabled): false: no StorageClass is synced; \
         StorageClass mode Off"
    );
    assert_eq!(
        reasons("sync: {fromHost: {storageClasses: {enabled: 'True'}}}")[1],
        "M2 (sync.fromHost.storageClasses.enabled): \"True\" is neither true nor \"auto\": \
         vcluster starts the host class syncer only for exactly true; StorageClass mode Off"
    );
    assert_eq!(
        reasons("sync: {fromHost: {storageClasses: {enabled: auto}}}")[1],
        "M2 (sync.fromHost.storageClasses.enabled, \
         controlPlane.advanced.virtualScheduler.enabled, \
         controlPlane.distro.k8s.scheduler.enabled, sync.toHost.pods.hybridScheduling.enabled): \
         auto stays off: no scheduler runs in the virtual cluster; StorageClass mode Off"
    );
    assert_eq!(
        reasons("privateNodes: {enabled: true}"),
        [
            "M2 (privateNodes.enabled): true (dedicated mode): vcluster registers no syncers, so \
             no PV object is managed and no StorageClass is synced; PV mode None, StorageClass \
             mode Off"
        ]
    );
    let reason = &ok("sync: {toHost: {persistentVolumes: {enabled: true}}}").reasons[0];
    assert_eq!(reason.rule, Rule::M2);
    assert_eq!(reason.keys, ["sync.toHost.persistentVolumes.enabled"]);
}

#[test]
fn m3_reasons_name_the_keys_that_decided() {
    assert_eq!(
        reasons("sync: {persistentvolumes: {enabled: true}, storageclasses: {enabled: true}}"),
        [
            "M3 (sync.persistentvolumes.enabled): true: the real PV syncer runs, whatever \
             sync.fake-persistentvolumes says; PV mode Sync",
            "M3 (sync.storageclasses.enabled): true: virtual StorageClasses are created on the \
             host; StorageClass mode ToHost",
        ]
    );
    assert_eq!(
        reasons(
            "sync: {fake-persistentvolumes: {enabled: false}, persistentvolumeclaims: {enabled: false}}"
        ),
        [
            "M3 (sync.fake-persistentvolumes.enabled, sync.persistentvolumes.enabled): both PV \
             syncers are off: no PV object is managed; PV mode None",
            "M3 (sync.persistentvolumeclaims.enabled): false: virtual PVCs are not synced to the \
             host, so no PVC is bound by the syncer",
            "M3 (sync.storageclasses.enabled, sync.hoststorageclasses.enabled): no StorageClass \
             syncer runs; StorageClass mode Off",
        ]
    );
    assert_eq!(
        reasons("sync: {nodes: {enabled: true, enableScheduler: true}}"),
        [
            "M3 (sync.fake-persistentvolumes.enabled, sync.persistentvolumes.enabled): the fake \
             PV syncer runs (the default): every bound virtual PVC gets a fake PV; PV mode Fake",
            "M3 (sync.nodes.enableScheduler, sync.persistentvolumeclaims.enabled): a scheduler \
             runs in the virtual cluster and PVC sync is on, so the v0.19 syncer adds \
             hoststorageclasses; StorageClass mode FromHost",
        ]
    );
    assert_eq!(
        reasons("sync: {legacy-storageclasses: {enabled: true}}")[1],
        "M3 (sync.legacy-storageclasses.enabled): true: host StorageClasses appear in the virtual \
         cluster; StorageClass mode FromHost"
    );
    assert_eq!(
        reasons("sync: {hoststorageclasses: {enabled: true}}")[1],
        "M3 (sync.hoststorageclasses.enabled): true: host StorageClasses appear in the virtual \
         cluster; StorageClass mode FromHost"
    );
}

// ---------------------------------------------------------------------------------------------
// Realistic files (tests/configs/)
// ---------------------------------------------------------------------------------------------

const DEFAULT_V020: &str = include_str!("configs/default-v020.yaml");
const PV_SYNC_V020: &str = include_str!("configs/pv-sync-v020.yaml");
const LEGACY_V019: &str = include_str!("configs/legacy-v019-storageclasses.yaml");

#[test]
fn m2_default_vcluster_yaml_is_fake_and_off() {
    let config = ok(DEFAULT_V020);
    assert_eq!(config.generation, Generation::V020);
    assert_eq!(config.mode, FAKE_OFF);
    assert!(config.pvc_sync);
    assert_eq!(config.storage_class_selector, None);
}

#[test]
fn m2_default_vcluster_yaml_with_a_virtual_scheduler_is_from_host() {
    let edited = DEFAULT_V020.replace(
        "virtualScheduler:\n      enabled: false",
        "virtualScheduler:\n      enabled: true",
    );
    assert_ne!(edited, DEFAULT_V020);
    // vcluster refuses a scheduler without node sync (0.2).
    assert_eq!(err_path(&edited), "sync.fromHost.nodes.enabled");
    let edited = edited.replace(
        "nodes:\n      enabled: false",
        "nodes:\n      enabled: true",
    );
    assert_eq!(mode(&edited), FAKE_FROM_HOST);
    // ... unless the tenant's classes go to the host.
    let edited = edited.replace(
        "storageClasses:\n      enabled: false",
        "storageClasses:\n      enabled: true",
    );
    assert_eq!(mode(&edited), FAKE_TO_HOST);
}

#[test]
fn m2_pv_sync_vcluster_yaml_is_sync_from_host_with_selector() {
    let config = ok(PV_SYNC_V020);
    assert_eq!(config.generation, Generation::V020);
    assert_eq!(
        config.mode,
        SyncMode::new(PvMode::Sync, StorageClassMode::FromHost)
    );
    assert!(config.pvc_sync);
    let expected = selector(
        &[("storage.example.com/tenant-visible", "true")],
        vec![
            expr(
                "storage.example.com/tier",
                "In",
                Some(&["standard", "fast"]),
            ),
            expr("storage.example.com/deprecated", "DoesNotExist", None),
        ],
    );
    assert_eq!(config.class_limit(), Some(&expected));

    // The selector in action (C1).
    let visible = class(json!({
        "metadata": {"name": "gp3", "labels": {
            "storage.example.com/tenant-visible": "true",
            "storage.example.com/tier": "standard",
        }},
        "provisioner": "ebs.csi.aws.com",
    }));
    let deprecated = class(json!({
        "metadata": {"name": "gp2", "labels": {
            "storage.example.com/tenant-visible": "true",
            "storage.example.com/tier": "standard",
            "storage.example.com/deprecated": "yes",
        }},
        "provisioner": "ebs.csi.aws.com",
    }));
    let system =
        class(json!({"metadata": {"name": "gp3-system"}, "provisioner": "ebs.csi.aws.com"}));
    let limit = config.class_limit();
    assert!(virtual_storage_class(&visible, limit).unwrap().is_some());
    assert!(virtual_storage_class(&deprecated, limit).unwrap().is_none());
    assert!(virtual_storage_class(&system, limit).unwrap().is_none());
}

#[test]
fn m3_legacy_values_yaml_with_storageclasses_is_to_host() {
    let config = ok(LEGACY_V019);
    assert_eq!(config.generation, Generation::Legacy);
    assert_eq!(config.mode, FAKE_TO_HOST);
    assert!(config.pvc_sync);
    assert_eq!(config.storage_class_selector, None);
}

#[test]
fn m3_legacy_values_yaml_edited_to_real_pvs_and_scheduler() {
    let edited = LEGACY_V019
        .replace(
            "storageclasses:\n    enabled: true",
            "storageclasses:\n    enabled: false",
        )
        .replace(
            "persistentvolumes:\n    enabled: false",
            "persistentvolumes:\n    enabled: true",
        )
        .replace("enableScheduler: false", "enableScheduler: true");
    let config = ok(&edited);
    assert_eq!(
        config.mode,
        SyncMode::new(PvMode::Sync, StorageClassMode::FromHost)
    );
    // Both storage class syncers on: the v0.19 syncer refused to start.
    let both = LEGACY_V019.replace(
        "hoststorageclasses:\n    enabled: false",
        "hoststorageclasses:\n    enabled: true",
    );
    assert_eq!(err_path(&both), "sync.hoststorageclasses.enabled");
}

// ---------------------------------------------------------------------------------------------
// C1 selector semantics (Kubernetes label selectors)
// ---------------------------------------------------------------------------------------------

#[test]
fn c1_empty_selector_matches_everything() {
    let empty = LabelSelector::default();
    assert!(selector_matches(&empty, None).unwrap());
    assert!(selector_matches(&empty, Some(&labels(&[("a", "b")]))).unwrap());
    let explicit_empty = LabelSelector {
        match_labels: Some(BTreeMap::new()),
        match_expressions: Some(Vec::new()),
    };
    assert!(selector_matches(&explicit_empty, None).unwrap());
}

#[test]
fn c1_selector_match_labels_need_every_pair() {
    let s = selector(&[("a", "1"), ("b", "2")], vec![]);
    assert!(selector_matches(&s, Some(&labels(&[("a", "1"), ("b", "2"), ("c", "3")]))).unwrap());
    assert!(!selector_matches(&s, Some(&labels(&[("a", "1")]))).unwrap());
    assert!(!selector_matches(&s, Some(&labels(&[("a", "1"), ("b", "3")]))).unwrap());
    assert!(!selector_matches(&s, None).unwrap());
    // An empty value matches only a label set to "".
    let s = selector(&[("a", "")], vec![]);
    assert!(selector_matches(&s, Some(&labels(&[("a", "")]))).unwrap());
    assert!(!selector_matches(&s, None).unwrap());
}

#[test]
fn c1_selector_operators_as_kubernetes() {
    let l = labels(&[("tier", "gold"), ("zone", "a")]);
    let check = |e: LabelSelectorRequirement, labels: Option<&BTreeMap<String, String>>| {
        selector_matches(&selector(&[], vec![e]), labels).unwrap()
    };
    // In: set to one of the values.
    assert!(check(
        expr("tier", "In", Some(&["gold", "silver"])),
        Some(&l)
    ));
    assert!(!check(expr("tier", "In", Some(&["silver"])), Some(&l)));
    assert!(!check(expr("missing", "In", Some(&["gold"])), Some(&l)));
    assert!(!check(expr("tier", "In", Some(&["gold"])), None));
    // NotIn: absent, or set to none of them.
    assert!(!check(expr("tier", "NotIn", Some(&["gold"])), Some(&l)));
    assert!(check(expr("tier", "NotIn", Some(&["silver"])), Some(&l)));
    assert!(check(expr("missing", "NotIn", Some(&["gold"])), Some(&l)));
    assert!(check(expr("tier", "NotIn", Some(&["gold"])), None));
    // Exists / DoesNotExist.
    assert!(check(expr("zone", "Exists", None), Some(&l)));
    assert!(!check(expr("missing", "Exists", None), Some(&l)));
    assert!(check(expr("zone", "Exists", Some(&[])), Some(&l)));
    assert!(!check(expr("zone", "DoesNotExist", None), Some(&l)));
    assert!(check(expr("missing", "DoesNotExist", None), Some(&l)));
    assert!(check(expr("missing", "DoesNotExist", None), None));
}

#[test]
fn c1_selector_requirements_are_anded() {
    let s = selector(
        &[("zone", "a")],
        vec![
            expr("tier", "In", Some(&["gold"])),
            expr("legacy", "DoesNotExist", None),
        ],
    );
    assert!(selector_matches(&s, Some(&labels(&[("zone", "a"), ("tier", "gold")]))).unwrap());
    assert!(
        !selector_matches(
            &s,
            Some(&labels(&[("zone", "a"), ("tier", "gold"), ("legacy", "x")]))
        )
        .unwrap()
    );
    assert!(!selector_matches(&s, Some(&labels(&[("zone", "b"), ("tier", "gold")]))).unwrap());
}

#[test]
fn c1_invalid_selectors_are_errors() {
    let path = |s: LabelSelector| match selector_matches(&s, None) {
        Err(Error::Config { path, .. }) => path,
        other => panic!("expected an error, got {other:?}"),
    };
    assert_eq!(
        path(selector(&[], vec![expr("a", "in", Some(&["b"]))])),
        "sync.fromHost.storageClasses.selector.matchExpressions[0].operator"
    );
    assert_eq!(
        path(selector(
            &[],
            vec![expr("a", "Exists", None), expr("b", "Gt", Some(&["1"]))]
        )),
        "sync.fromHost.storageClasses.selector.matchExpressions[1].operator"
    );
    assert_eq!(
        path(selector(&[], vec![expr("a", "In", None)])),
        "sync.fromHost.storageClasses.selector.matchExpressions[0].values"
    );
    assert_eq!(
        path(selector(&[], vec![expr("a", "DoesNotExist", Some(&["x"]))])),
        "sync.fromHost.storageClasses.selector.matchExpressions[0].values"
    );
    assert_eq!(
        path(selector(&[], vec![expr("", "Exists", None)])),
        "sync.fromHost.storageClasses.selector.matchExpressions[0].key"
    );
    assert_eq!(
        path(selector(&[("a/b/c", "x")], vec![])),
        "sync.fromHost.storageClasses.selector.matchLabels.a/b/c"
    );
    assert_eq!(
        path(selector(&[("a", &"x".repeat(64))], vec![])),
        "sync.fromHost.storageClasses.selector.matchLabels.a"
    );
    // An invalid selector is an error even when matchLabels already fail to match.
    assert!(
        selector_matches(
            &selector(&[("a", "1")], vec![expr("b", "Nope", None)]),
            Some(&labels(&[("a", "2")]))
        )
        .is_err()
    );
    // Valid keys: prefixes, 63-character names, '.', '_', '-'.
    let long = "a".repeat(63);
    assert!(
        validate_selector(&selector(
            &[
                ("kubernetes.io/metadata.name", "x"),
                (long.as_str(), "y"),
                ("a_b-c.d", "z")
            ],
            vec![]
        ))
        .is_ok()
    );
    assert!(validate_selector(&selector(&[(&"a".repeat(64), "x")], vec![])).is_err());
    assert!(validate_selector(&selector(&[("UPPER.example/x", "x")], vec![])).is_err());
    assert!(validate_selector(&selector(&[("/x", "x")], vec![])).is_err());
}

// ---------------------------------------------------------------------------------------------
// C1: host -> virtual
// ---------------------------------------------------------------------------------------------

fn full_host_class() -> StorageClass {
    class(json!({
        "metadata": {
            "name": "gp3",
            "uid": "0b7d1c2e-1111-2222-3333-444455556666",
            "resourceVersion": "12345",
            "generation": 3,
            "creationTimestamp": "2024-05-01T10:00:00Z",
            "managedFields": [{"manager": "kubectl", "operation": "Apply"}],
            "finalizers": ["example.com/protect"],
            "ownerReferences": [{"apiVersion": "v1", "kind": "ConfigMap", "name": "owner", "uid": "u"}],
            "labels": {"a": "1", "b": "2"},
            "annotations": {
                "a": "1",
                "b": "2",
                "storageclass.kubernetes.io/is-default-class": "true",
            },
        },
        "provisioner": "ebs.csi.aws.com",
        "parameters": {"type": "gp3", "encrypted": "true"},
        "reclaimPolicy": "Retain",
        "mountOptions": ["debug"],
        "allowVolumeExpansion": true,
        "volumeBindingMode": "WaitForFirstConsumer",
        "allowedTopologies": [{"matchLabelExpressions": [
            {"key": "topology.ebs.csi.aws.com/zone", "values": ["eu-west-1a"]}
        ]}],
    }))
}

#[test]
fn c1_host_class_appears_under_the_same_name_without_server_fields() {
    // C04, C07: same name, labels, annotations (default-class included), every spec field.
    let virtual_class = virtual_storage_class(&full_host_class(), None)
        .unwrap()
        .unwrap();
    let expected = class(json!({
        "metadata": {
            "name": "gp3",
            "labels": {"a": "1", "b": "2"},
            "annotations": {
                "a": "1",
                "b": "2",
                "storageclass.kubernetes.io/is-default-class": "true",
            },
        },
        "provisioner": "ebs.csi.aws.com",
        "parameters": {"type": "gp3", "encrypted": "true"},
        "reclaimPolicy": "Retain",
        "mountOptions": ["debug"],
        "allowVolumeExpansion": true,
        "volumeBindingMode": "WaitForFirstConsumer",
        "allowedTopologies": [{"matchLabelExpressions": [
            {"key": "topology.ebs.csi.aws.com/zone", "values": ["eu-west-1a"]}
        ]}],
    }));
    assert_eq!(virtual_class, expected);
}

#[test]
fn c1_host_changes_flow_to_the_virtual_class() {
    // C05: the virtual class always equals the host's current state.
    let host = class(json!({
        "metadata": {"name": "test-storageclass", "labels": {"a": "a", "b": "b", "c": "c"},
                     "annotations": {"a": "a", "c": "c"}},
        "provisioner": "my-provisioner",
        "parameters": {"test": "value"},
    }));
    let desired = virtual_storage_class(&host, None).unwrap().unwrap();
    assert_eq!(desired, host);
}

#[test]
fn c1_selector_limits_which_host_classes_appear() {
    // C08
    let s = selector(&[("value", "one")], vec![]);
    let matching = class(
        json!({"metadata": {"name": "sc-match", "labels": {"value": "one"}}, "provisioner": "p"}),
    );
    let other = class(
        json!({"metadata": {"name": "sc-nomatch", "labels": {"value": "two"}}, "provisioner": "p"}),
    );
    let unlabelled = class(json!({"metadata": {"name": "sc-none"}, "provisioner": "p"}));
    assert_eq!(
        virtual_storage_class(&matching, Some(&s))
            .unwrap()
            .unwrap()
            .metadata
            .name
            .as_deref(),
        Some("sc-match")
    );
    assert_eq!(virtual_storage_class(&other, Some(&s)).unwrap(), None);
    assert_eq!(virtual_storage_class(&unlabelled, Some(&s)).unwrap(), None);
    // C10: an empty selector limits nothing.
    let empty = LabelSelector::default();
    assert!(
        virtual_storage_class(&other, Some(&empty))
            .unwrap()
            .is_some()
    );
    assert!(virtual_storage_class(&unlabelled, None).unwrap().is_some());
}

#[test]
fn c1_explanation_names_the_rule_and_the_sources() {
    let t = translate_from_host(&full_host_class(), None).unwrap();
    assert_eq!(t.explanation.rules(), vec![Rule::C1]);
    let text = t.explanation.to_string();
    assert!(
        text.contains("reclaimPolicy <- hostStorageClass reclaimPolicy"),
        "{text}"
    );
    assert!(
        text.contains("metadata.annotations <- hostStorageClass"),
        "{text}"
    );

    let s = selector(&[("value", "one")], vec![]);
    let t = translate_from_host(&full_host_class(), Some(&s)).unwrap();
    assert_eq!(t.desired, None);
    assert!(t.explanation.applied(Rule::C1));
    assert!(t.explanation.to_string().contains("does not match"));
}

#[test]
fn c1_errors() {
    let unnamed = class(json!({"metadata": {}, "provisioner": "p"}));
    assert!(matches!(
        virtual_storage_class(&unnamed, None),
        Err(Error::InvalidField { ref field, .. }) if field == "metadata.name"
    ));
    let bad = selector(&[], vec![expr("a", "Equals", Some(&["b"]))]);
    assert!(matches!(
        virtual_storage_class(&full_host_class(), Some(&bad)),
        Err(Error::Config { .. })
    ));
}

// ---------------------------------------------------------------------------------------------
// C2: virtual -> host
// ---------------------------------------------------------------------------------------------

#[test]
fn c2_worked_example_c01() {
    // C01: vcluster's sc syncer_test "Sync Down" (V=suffix, H=test).
    let virtual_class =
        class(json!({"metadata": {"name": "testsc"}, "provisioner": "my-provisioner"}));
    let host = host_storage_class(&virtual_class, &cluster()).unwrap();
    let expected = class(json!({
        "metadata": {
            "name": "vcluster-testsc-x-test-x-suffix",
            "labels": {"vcluster.loft.sh/managed-by": "test-x-suffix"},
            "annotations": {
                "vcluster.loft.sh/object-name": "testsc",
                "vcluster.loft.sh/object-uid": "",
                "vcluster.loft.sh/object-kind": "storage.k8s.io/v1, Kind=StorageClass",
                "vcluster.loft.sh/object-host-name": "vcluster-testsc-x-test-x-suffix",
            },
        },
        "provisioner": "my-provisioner",
    }));
    assert_eq!(host, expected);
    assert_eq!(host.metadata.namespace, None);
}

#[test]
fn c2_default_class_annotation_never_copied_to_host() {
    // C03: not copied, and not listed in managed-annotations either.
    let virtual_class = class(json!({
        "metadata": {"name": "fast", "uid": "v-uid-1", "annotations": {
            "storageclass.kubernetes.io/is-default-class": "true",
            "team": "a",
            "description": "fast disks",
        }},
        "provisioner": "p",
    }));
    let host = host_storage_class(&virtual_class, &cluster()).unwrap();
    let annotations = host.metadata.annotations.unwrap();
    assert!(!annotations.contains_key("storageclass.kubernetes.io/is-default-class"));
    assert_eq!(annotations["team"], "a");
    assert_eq!(annotations["description"], "fast disks");
    assert_eq!(
        annotations["vcluster.loft.sh/managed-annotations"],
        "description\nteam"
    );
    assert_eq!(annotations["vcluster.loft.sh/object-uid"], "v-uid-1");

    // Only the default-class annotation: nothing is managed.
    let only_default = class(json!({
        "metadata": {"name": "fast", "annotations": {"storageclass.kubernetes.io/is-default-class": "true"}},
        "provisioner": "p",
    }));
    let annotations = host_storage_class(&only_default, &cluster())
        .unwrap()
        .metadata
        .annotations
        .unwrap();
    assert!(!annotations.contains_key("vcluster.loft.sh/managed-annotations"));
    assert!(!annotations.contains_key("storageclass.kubernetes.io/is-default-class"));

    let t = translate_to_host(&virtual_class, &cluster()).unwrap();
    assert!(
        t.explanation
            .to_string()
            .contains("is not copied to the host")
    );
}

#[test]
fn c2_every_spec_field_is_copied() {
    // C02: a virtual class with parameters gives a host class with them.
    let virtual_class = class(json!({
        "metadata": {"name": "testsc"},
        "provisioner": "my-provisioner",
        "parameters": {"TEST": "TEST"},
        "reclaimPolicy": "Retain",
        "mountOptions": ["ro"],
        "allowVolumeExpansion": false,
        "volumeBindingMode": "Immediate",
        "allowedTopologies": [{"matchLabelExpressions": [{"key": "zone", "values": ["a"]}]}],
    }));
    let host = host_storage_class(&virtual_class, &cluster()).unwrap();
    assert_eq!(
        StorageClass {
            metadata: Default::default(),
            ..host
        },
        StorageClass {
            metadata: Default::default(),
            ..virtual_class
        }
    );
}

#[test]
fn c2_labels_are_translated_and_marked() {
    let virtual_class = class(json!({
        "metadata": {"name": "testsc", "labels": {"release": "r", "team": "a"}},
        "provisioner": "p",
    }));
    let host = host_storage_class(&virtual_class, &cluster()).unwrap();
    assert_eq!(
        host.metadata.labels.unwrap(),
        labels(&[
            ("vcluster.loft.sh/label-suffix-x-a4d451ec23", "r"),
            ("team", "a"),
            ("vcluster.loft.sh/managed-by", "test-x-suffix"),
        ])
    );
    let t = translate_to_host(&virtual_class, &cluster()).unwrap();
    assert_eq!(
        t.explanation.rules(),
        vec![Rule::C2, Rule::N3, Rule::N4, Rule::N5]
    );
}

#[test]
fn c2_server_fields_and_bookkeeping_annotations_are_not_copied() {
    let virtual_class = class(json!({
        "metadata": {
            "name": "testsc",
            "uid": "abc",
            "resourceVersion": "7",
            "creationTimestamp": "2024-05-01T10:00:00Z",
            "finalizers": ["x/y"],
            "annotations": {
                "vcluster.loft.sh/object-name": "forged",
                "vcluster.loft.sh/host-pv": "forged",
            },
        },
        "provisioner": "p",
    }));
    let host = host_storage_class(&virtual_class, &cluster()).unwrap();
    assert_eq!(host.metadata.uid, None);
    assert_eq!(host.metadata.resource_version, None);
    assert_eq!(host.metadata.creation_timestamp, None);
    assert_eq!(host.metadata.finalizers, None);
    let annotations = host.metadata.annotations.unwrap();
    assert_eq!(annotations["vcluster.loft.sh/object-name"], "testsc");
    assert_eq!(annotations["vcluster.loft.sh/object-uid"], "abc");
    assert!(!annotations.contains_key("vcluster.loft.sh/host-pv"));
    assert!(!annotations.contains_key("vcluster.loft.sh/managed-annotations"));
}

#[test]
fn c2_long_names_are_hashed_by_n3() {
    let virtual_class =
        class(json!({"metadata": {"name": "azureblob-fuse-premium"}, "provisioner": "p"}));
    let cluster = VirtualCluster::new("vcluster-commerce-dev-eastus2-001", "test1-orntd").unwrap();
    let host = host_storage_class(&virtual_class, &cluster).unwrap();
    assert_eq!(
        host.metadata.name.as_deref(),
        Some("vcluster-azureblob-fuse-premium-x-test1-orntd-x-vclu-bde7a601ce")
    );
}

#[test]
fn c2_missing_name_is_an_error() {
    for metadata in [json!({}), json!({"name": ""})] {
        let unnamed = class(json!({"metadata": metadata, "provisioner": "p"}));
        let err = host_storage_class(&unnamed, &cluster()).unwrap_err();
        assert!(matches!(err, Error::InvalidField { ref field, .. } if field == "metadata.name"));
        assert_eq!(
            err.to_string(),
            "StorageClass <unnamed>: metadata.name: a StorageClass needs a name"
        );
    }
}

/// `translate --explain` says how the mode was derived: a case file's `vcluster:` keeps the
/// M2 decisions with the keys that made them; a case that states `mode:` has none to give.
#[cfg(feature = "yaml")]
#[test]
fn m2_a_case_files_vcluster_section_keeps_its_mode_reasons() {
    let case = pv_translate::case::Case::from_yaml(
        "vcluster: {sync: {toHost: {persistentVolumes: {enabled: true}}}}\nexpect: null\n",
    )
    .unwrap();
    assert_eq!(case.mode.persistent_volumes, PvMode::Sync);
    let first = case.mode_reasons.first().expect("a PV mode decision");
    assert_eq!(first.rule, Rule::M2);
    assert_eq!(first.keys, ["sync.toHost.persistentVolumes.enabled"]);
    assert!(first.sentence.ends_with("PV mode Sync"), "{first}");
    let stated = pv_translate::case::Case::from_yaml(
        "mode: {persistentVolumes: sync, storageClasses: off}\nexpect: null\n",
    )
    .unwrap();
    assert!(stated.mode_reasons.is_empty());
}

/// docs/formats.md: a case file that is not what the format says is one line naming the line
/// and column, without the parser's rendering of the source.
#[cfg(feature = "yaml")]
#[test]
fn f7_case_file_syntax_errors_are_one_line() {
    let error = pv_translate::case::Case::from_yaml("mode: {persistentVolumes: Sync}\n")
        .unwrap_err()
        .to_string();
    assert!(
        error.starts_with("line 1 column 27: unknown variant `Sync`"),
        "{error}"
    );
    assert_eq!(error.lines().count(), 1, "{error}");
}
