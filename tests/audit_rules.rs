//! The audit (SPEC A1, section 10; docs/formats.md "The audit example"): every fixture in
//! `tests/audits/*.yaml` (one that produces each finding kind and a near miss that does not), rule
//! tests named after A1, the Prometheus exposition checked as promtool would, and the `audit`
//! example's contract (output, exit status, errors) run as a process.
#![cfg(feature = "yaml")]
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

use k8s_openapi::api::core::v1::{PersistentVolume, PersistentVolumeClaim};
use pv_translate::audit::to_prometheus;
use pv_translate::dump::{read_dump, read_objects};
use pv_translate::names::{host_name, host_name_cluster};
use pv_translate::snapshot::Objects;
use pv_translate::{Finding, FindingKind, Severity, Snapshot, Translator, VirtualCluster};
use serde_json::{Value, json};

// ------------------------------------------------------------------------------------------
// Fixtures

const FIXTURE_KEYS: [&str; 4] = ["virtualCluster", "virtual", "host", "expect"];
const EXPECT_KEYS: [&str; 4] = ["kind", "virtualPv", "virtualPvc", "hostPv"];

/// One fixture of `tests/audits/`, read.
struct Fixture {
    cluster: VirtualCluster,
    virtual_objects: Objects,
    host_objects: Objects,
    /// `AuditIncomplete` for each dump a limit stopped, as the example reports it.
    incomplete: Vec<Finding>,
    expect: Vec<Value>,
}

fn audits_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/audits")
}

/// Reads a fixture; `Err` says what is wrong with the file itself.
fn parse_fixture(text: &str) -> Result<Fixture, String> {
    let raw: Value = serde_saphyr::from_str(text).map_err(|e| format!("not YAML: {e}"))?;
    let map = raw.as_object().ok_or("not a map")?;
    if let Some(key) = map.keys().find(|k| !FIXTURE_KEYS.contains(&k.as_str())) {
        return Err(format!("unknown key {key:?}"));
    }
    let vc = map.get("virtualCluster").ok_or("no virtualCluster")?;
    let field = |key: &str| {
        vc.get(key)
            .and_then(Value::as_str)
            .ok_or(format!("virtualCluster.{key}: missing"))
    };
    let cluster = VirtualCluster::new(field("name")?, field("hostNamespace")?)
        .map_err(|e| format!("virtualCluster: {e}"))?;
    let mut incomplete = Vec::new();
    let mut dump = |key: &str| {
        let text = map
            .get(key)
            .and_then(Value::as_str)
            .ok_or(format!("{key}: missing"))?;
        let dump = read_dump(text.as_bytes()).map_err(|e| format!("{key}: {e}"))?;
        if let Some(skipped) = &dump.skipped {
            incomplete.push(skipped.finding(&format!("{key} dump")));
        }
        Ok::<_, String>(dump.objects)
    };
    let expect = match map.get("expect") {
        Some(Value::Array(items)) => items.clone(),
        _ => return Err("expect: a list is required ([] for none)".into()),
    };
    for item in &expect {
        let keys = item.as_object().ok_or("expect: items are maps")?;
        if let Some(key) = keys.keys().find(|k| !EXPECT_KEYS.contains(&k.as_str())) {
            return Err(format!("expect: unknown key {key:?}"));
        }
    }
    let (virtual_objects, host_objects) = (dump("virtual")?, dump("host")?);
    Ok(Fixture {
        cluster,
        virtual_objects,
        host_objects,
        incomplete,
        expect,
    })
}

fn load(file: &str) -> Fixture {
    let text = std::fs::read_to_string(audits_dir().join(file)).unwrap();
    parse_fixture(&text).unwrap_or_else(|e| panic!("{file}: {e}"))
}

fn audit(fixture: &Fixture) -> Vec<Finding> {
    let snapshot = Snapshot::new(
        fixture.virtual_objects.clone(),
        fixture.host_objects.clone(),
    );
    let found = Translator::new(fixture.cluster.clone()).audit(&snapshot);
    fixture.incomplete.iter().cloned().chain(found).collect()
}

/// The findings of fixture `file`.
fn findings(file: &str) -> Vec<Finding> {
    audit(&load(file))
}

/// `(kind, virtual PV, host PV)` of each finding: what the rule tests compare.
fn summary(findings: &[Finding]) -> Vec<(FindingKind, Option<&str>, Option<&str>)> {
    findings
        .iter()
        .map(|f| (f.kind, f.virtual_pv.as_deref(), f.host_pv.as_deref()))
        .collect()
}

/// Why the findings are not the expectation, if they are not.
fn mismatch(expect: &[Value], findings: &[Finding]) -> Option<String> {
    let got = |f: &Finding| {
        let mut v = json!({"kind": f.kind.as_str()});
        for (key, value) in [
            ("virtualPv", &f.virtual_pv),
            ("virtualPvc", &f.virtual_pvc),
            ("hostPv", &f.host_pv),
        ] {
            if let Some(value) = value {
                v[key] = json!(value);
            }
        }
        v
    };
    let same = |want: &Value, f: &Finding| {
        let text = |key: &str| want.get(key).and_then(Value::as_str);
        text("kind") == Some(f.kind.as_str())
            && text("virtualPv") == f.virtual_pv.as_deref()
            && text("hostPv") == f.host_pv.as_deref()
            && want
                .get("virtualPvc")
                .is_none_or(|pvc| pvc.as_str() == f.virtual_pvc.as_deref())
    };
    let holds = expect.len() == findings.len()
        && expect.iter().zip(findings).all(|(want, f)| same(want, f));
    (!holds).then(|| {
        let got: Vec<Value> = findings.iter().map(got).collect();
        format!(
            "\n  expected {}\n       got {}",
            Value::Array(expect.to_vec()),
            Value::Array(got)
        )
    })
}

#[test]
fn fixture_audits() {
    let mut failures = Vec::new();
    insta::glob!("audits/*.yaml", |path| {
        let file = path.file_name().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(path).unwrap();
        let problem = match parse_fixture(&text) {
            Err(e) => Some(format!("bad fixture: {e}")),
            Ok(fixture) => {
                let findings = audit(&fixture);
                let problem = mismatch(&fixture.expect, &findings);
                // A fixture whose expectation fails keeps no snapshot: a snapshot of a wrong
                // answer would be accepted with it. The fix then brings its snapshot for review.
                if problem.is_none() {
                    insta::assert_yaml_snapshot!(findings);
                }
                problem
            }
        };
        if let Some(problem) = problem {
            // Printed at once: a failing snapshot would end the test before the summary.
            eprintln!("AUDIT FIXTURE FAILED {file}: {problem}");
            failures.push(format!("{file}: {problem}"));
        }
    });
    assert!(
        failures.is_empty(),
        "{} audit fixture(s) failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Every finding kind has a fixture that produces it and a near miss that produces none.
#[test]
fn a1_every_kind_has_a_fixture_and_a_near_miss() {
    for kind in FindingKind::ALL {
        let kebab = kebab(kind.as_str());
        let found = findings(&format!("{kebab}.yaml"));
        assert!(
            found.iter().any(|f| f.kind == *kind),
            "{kebab}.yaml: no {kind}"
        );
        assert_eq!(
            summary(&findings(&format!("{kebab}-near-miss.yaml"))),
            [],
            "{kebab}-near-miss.yaml"
        );
    }
}

fn kebab(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_ascii_uppercase() && !out.is_empty() {
            out.push('-');
        }
        out.push(c.to_ascii_lowercase());
    }
    out
}

// ------------------------------------------------------------------------------------------
// A1, one kind at a time

use FindingKind::{
    AccessModesDrift, CapacityDrift, FakePvWithoutClaim, HostPvMissing, MirroredPvOutsideNamespace,
    ReleasedHostPvWithoutVirtual, StorageClassDrift, TenantSeesDeleteHostRetains,
    TenantSeesRetainHostDeletes, UnprovenHostPvAnnotation,
};

const PG: &str = "pvc-3f0d9a52-7c41-4e8b-a6d2-91b0c4e7f215";

#[test]
fn a1_tenant_sees_retain_host_deletes() {
    let found = findings("tenant-sees-retain-host-deletes.yaml");
    assert_eq!(
        summary(&found),
        [(TenantSeesRetainHostDeletes, Some(PG), Some(PG))]
    );
    assert_eq!(found[0].severity, Severity::High);
    assert_eq!(
        found[0].virtual_pvc.as_deref(),
        Some("shop/data-postgres-0")
    );
    assert!(
        found[0].message.contains("says Retain"),
        "{}",
        found[0].message
    );
    assert!(
        found[0].message.contains("says Delete"),
        "{}",
        found[0].message
    );
    // Recycle is not Retain: no data-loss lie.
    assert_eq!(
        summary(&findings("tenant-sees-retain-host-deletes-near-miss.yaml")),
        []
    );
}

#[test]
fn a1_mirrored_pv_outside_namespace() {
    let tb = "pvc-8e2c4b6a-0d1f-4a3e-9b5c-7d9f1e3a5c7e";
    let fixture = load("mirrored-pv-outside-namespace.yaml");
    // The claim is another namespace's, and that namespace's PVC is in the dump.
    let claim = claim_of(fixture.host_objects.pv(tb).unwrap());
    assert_eq!(claim.0, "vcluster-team-b");
    assert!(fixture.host_objects.pvc(&claim.0, &claim.1).is_some());
    let found = audit(&fixture);
    assert_eq!(
        summary(&found),
        [(MirroredPvOutsideNamespace, Some(tb), Some(tb))]
    );
    assert!(
        found[0].message.contains("vcluster-team-b"),
        "{}",
        found[0].message
    );
    assert_eq!(
        summary(&findings("mirrored-pv-outside-namespace-near-miss.yaml")),
        []
    );
}

#[test]
fn a1_unproven_host_pv_annotation() {
    let etcd = "pvc-etcd0b1c-5b4a-4392-8170-6f5e4d3c2b1a";
    assert_eq!(
        summary(&findings("unproven-host-pv-annotation.yaml")),
        [
            // A claim in H that is not N2 of the virtual PV's own claim: forged.
            (UnprovenHostPvAnnotation, Some("etcd-copy"), Some(etcd)),
            // A host PV without claim: stale. Neither is checked for anything else.
            (
                UnprovenHostPvAnnotation,
                Some("nfs-archive-01"),
                Some("nfs-archive-01")
            ),
        ]
    );
    // The near miss: the claim in H is N2 of the mirror's claim, hashed since it is long.
    let fixture = load("unproven-host-pv-annotation-near-miss.yaml");
    let es = "pvc-e5a1c9d3-6b2f-4e7a-8c0d-4f3b2a1e9d8c";
    let n2 = host_name(
        "data-elasticsearch-master-0",
        "observability-production",
        "my-vcluster",
    )
    .unwrap();
    assert_eq!(
        n2,
        "data-elasticsearch-master-0-x-observability-producti-cd002ce42c"
    );
    let virtual_claim = claim_of(fixture.virtual_objects.pv(es).unwrap());
    assert_eq!(
        host_name(&virtual_claim.1, &virtual_claim.0, "my-vcluster").unwrap(),
        claim_of(fixture.host_objects.pv(es).unwrap()).1
    );
    assert_eq!(claim_of(fixture.host_objects.pv(es).unwrap()).1, n2);
    assert_eq!(summary(&audit(&fixture)), []);
}

#[test]
fn a1_tenant_sees_delete_host_retains() {
    let pv = "pvc-5e8d2c71-94a0-4b3e-8f26-1d7c9b0a4e13";
    let found = findings("tenant-sees-delete-host-retains.yaml");
    assert_eq!(
        summary(&found),
        [(TenantSeesDeleteHostRetains, Some(pv), Some(pv))]
    );
    assert_eq!(found[0].severity, Severity::Warning);
    assert_eq!(found[0].host_storage_bytes, Some(50 << 30));
    assert_eq!(
        summary(&findings("tenant-sees-delete-host-retains-near-miss.yaml")),
        []
    );
}

#[test]
fn a1_fake_pv_without_claim() {
    let pv = "pvc-0c9e7d41-3b2a-4f6c-9d8e-7a6b5c4d3e2f";
    assert_eq!(
        summary(&findings("fake-pv-without-claim.yaml")),
        [(FakePvWithoutClaim, Some(pv), None)]
    );
    // A terminating PVC still names it.
    let fixture = load("fake-pv-without-claim-near-miss.yaml");
    let pvc = fixture
        .virtual_objects
        .pvc("shop", "data-postgres-1")
        .unwrap();
    assert!(pvc.metadata.deletion_timestamp.is_some());
    assert_eq!(summary(&audit(&fixture)), []);
}

#[test]
fn a1_host_pv_missing() {
    let mirror = "pvc-2b4d6f80-1a3c-4e5f-9a7b-c9d1e3f5a7b9";
    let fake = "pvc-a30fcfa8-df81-410a-8d86-b061e60414e6";
    assert_eq!(
        summary(&findings("host-pv-missing.yaml")),
        [(HostPvMissing, Some(mirror), None)]
    );
    assert_eq!(
        summary(&findings("host-pv-missing-fake-pv.yaml")),
        [(HostPvMissing, Some(fake), None)]
    );
    // A tenant's PV whose host copy (N3) H1 has not made yet is a pending plan.
    let fixture = load("host-pv-missing-near-miss.yaml");
    let n3 = host_name_cluster("tenant-nfs-01", "vcluster-my-vcluster", "my-vcluster").unwrap();
    assert!(fixture.host_objects.pv(&n3).is_none());
    assert_eq!(summary(&audit(&fixture)), []);
}

#[test]
fn a1_released_host_pv_without_virtual() {
    let pv = "pvc-0d1e2f3a-4b5c-4d6e-8f7a-9b0c1d2e3f4a";
    let found = findings("released-host-pv-without-virtual.yaml");
    assert_eq!(
        summary(&found),
        [(ReleasedHostPvWithoutVirtual, None, Some(pv))]
    );
    assert_eq!(found[0].virtual_pvc, None);
    assert_eq!(found[0].host_storage_bytes, Some(8 << 30));
    // Another namespace's released PV is not ours; one a proven mirror shows is shown.
    assert_eq!(
        summary(&findings("released-host-pv-without-virtual-near-miss.yaml")),
        []
    );
}

/// docs/formats.md: a pair made by the annotation that is unproven "is not paired", so the released host
/// PV it names is shown by no virtual PV and stays a finding: a tenant's forged annotation must not
/// hide a released volume from the operator.
#[test]
fn a1_a_released_host_pv_named_by_an_unproven_annotation_is_still_reported() {
    let pv = "pvc-0d1e2f3a-4b5c-4d6e-8f7a-9b0c1d2e3f4a";
    assert_eq!(
        summary(&findings(
            "released-host-pv-without-virtual-unproven-annotation.yaml"
        )),
        [
            (UnprovenHostPvAnnotation, Some("restore-me"), Some(pv)),
            (ReleasedHostPvWithoutVirtual, None, Some(pv)),
        ]
    );
}

#[test]
fn a1_capacity_drift() {
    let found = findings("capacity-drift.yaml");
    assert_eq!(summary(&found), [(CapacityDrift, Some(PG), Some(PG))]);
    assert!(
        found[0].message.contains("50Gi vs 80Gi"),
        "{}",
        found[0].message
    );
    // 1Gi is 1024Mi and 0.5G is 500M: quantities compare semantically.
    assert_eq!(summary(&findings("capacity-drift-near-miss.yaml")), []);
}

#[test]
fn a1_storage_class_drift() {
    let n3 = host_name_cluster("tenant-nfs-01", "vcluster-my-vcluster", "my-vcluster").unwrap();
    assert_eq!(
        summary(&findings("storage-class-drift.yaml")),
        [
            (StorageClassDrift, Some(PG), Some(PG)),
            (StorageClassDrift, Some("tenant-nfs-01"), Some(n3.as_str())),
        ]
    );
    // The tenant PV's host class is N3 of its class; a mirror's may be equal or N3.
    let fixture = load("storage-class-drift-near-miss.yaml");
    let class = |pv: Option<&PersistentVolume>| {
        pv.unwrap()
            .spec
            .as_ref()
            .unwrap()
            .storage_class_name
            .clone()
            .unwrap()
    };
    assert_eq!(
        class(fixture.host_objects.pv(&n3)),
        host_name_cluster("nfs-client", "vcluster-my-vcluster", "my-vcluster").unwrap()
    );
    assert_eq!(
        class(fixture.virtual_objects.pv("tenant-nfs-01")),
        "nfs-client"
    );
    assert_eq!(summary(&audit(&fixture)), []);
}

#[test]
fn a1_access_modes_drift() {
    let pv = "pvc-b7c8d9e0-f1a2-4b3c-8d4e-5f6a7b8c9d0e";
    assert_eq!(
        summary(&findings("access-modes-drift.yaml")),
        [(AccessModesDrift, Some(pv), Some(pv))]
    );
    // Another order and a repeat: the same set.
    assert_eq!(summary(&findings("access-modes-drift-near-miss.yaml")), []);
}

fn claim_of(pv: &PersistentVolume) -> (String, String) {
    let claim = pv.spec.as_ref().unwrap().claim_ref.as_ref().unwrap();
    (
        claim.namespace.clone().unwrap(),
        claim.name.clone().unwrap(),
    )
}

// ------------------------------------------------------------------------------------------
// A1: order, severities, pending plans

/// The table of docs/formats.md, in its order.
const TABLE: [(&str, &str); 11] = [
    ("AuditIncomplete", "high"),
    ("TenantSeesRetainHostDeletes", "high"),
    ("MirroredPvOutsideNamespace", "high"),
    ("UnprovenHostPvAnnotation", "high"),
    ("TenantSeesDeleteHostRetains", "warning"),
    ("FakePvWithoutClaim", "warning"),
    ("HostPvMissing", "warning"),
    ("ReleasedHostPvWithoutVirtual", "warning"),
    ("CapacityDrift", "warning"),
    ("StorageClassDrift", "warning"),
    ("AccessModesDrift", "warning"),
];

#[test]
fn a1_findings_are_ordered_by_severity_then_kind_then_object() {
    let a = "pvc-1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d";
    let b = "pvc-2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e";
    let c = "pvc-3c4d5e6f-7a8b-4c9d-8e1f-2a3b4c5d6e7f";
    let y = "pvc-8e9f0a1b-2c3d-4e5f-8a7b-9c0d1e2f3a4b";
    let z = "pvc-9f0a1b2c-3d4e-4f5a-9b8c-0d1e2f3a4b5c";
    let released = "pvc-0d1e2f3a-4b5c-4d6e-8f7a-9b0c1d2e3f4a";
    let etcd = "pvc-etcd0b1c-5b4a-4392-8170-6f5e4d3c2b1a";
    let found = findings("several-findings.yaml");
    assert_eq!(
        summary(&found),
        [
            (TenantSeesRetainHostDeletes, Some(z), Some(z)),
            (MirroredPvOutsideNamespace, Some(y), Some(y)),
            (UnprovenHostPvAnnotation, Some("etcd-copy"), Some(etcd)),
            (TenantSeesDeleteHostRetains, Some(a), Some(a)),
            (HostPvMissing, Some(b), None),
            (ReleasedHostPvWithoutVirtual, None, Some(released)),
            (CapacityDrift, Some(a), Some(a)),
            (CapacityDrift, Some(c), Some(c)),
            (StorageClassDrift, Some(a), Some(a)),
            (AccessModesDrift, Some(a), Some(a)),
        ]
    );
    // The same order, stated as the rule: severity, then the table's row, then the object.
    let row = |kind: FindingKind| TABLE.iter().position(|(k, _)| *k == kind.as_str()).unwrap();
    let key = |f: &Finding| {
        (
            f.severity,
            row(f.kind),
            f.virtual_pv.clone().or(f.host_pv.clone()).unwrap(),
        )
    };
    assert!(found.windows(2).all(|w| key(&w[0]) <= key(&w[1])));
    // Not by name alone: the high finding of pvc-9f0a... comes first.
    assert!(found.windows(2).any(|w| key(&w[0]).2 > key(&w[1]).2));
}

#[test]
fn a1_each_kind_has_the_severity_of_the_table() {
    let kinds: Vec<&str> = FindingKind::ALL.iter().map(|k| k.as_str()).collect();
    let table: Vec<&str> = TABLE.iter().map(|(k, _)| *k).collect();
    assert_eq!(kinds, table, "the kinds, in the table's order");
    for (kind, (_, severity)) in FindingKind::ALL.iter().zip(TABLE) {
        assert_eq!(kind.severity().as_str(), severity, "{kind}");
        assert_eq!(kind.to_string(), kind.as_str());
    }
    assert!(Severity::High < Severity::Warning && Severity::Warning < Severity::Info);
    // Every finding of every fixture carries its kind's severity, and prints it so.
    let mut seen = BTreeSet::new();
    for entry in std::fs::read_dir(audits_dir()).unwrap() {
        let file = entry.unwrap().file_name().to_string_lossy().into_owned();
        for f in findings(&file) {
            assert_eq!(f.severity, f.kind.severity(), "{file}: {}", f.kind);
            let printed = serde_json::to_value(&f).unwrap();
            assert_eq!(printed["severity"], f.kind.severity().as_str());
            assert_eq!(printed["kind"], f.kind.as_str());
            seen.insert(f.kind.as_str());
        }
    }
    assert_eq!(
        seen.len(),
        TABLE.len(),
        "every kind is produced by a fixture"
    );
}

#[test]
fn a1_a_pending_plan_is_not_a_finding() {
    // From fixtures: sync mode (a new PVC without its host PVC, a host PV bound a moment ago
    // without its mirror, a tenant PV without its host copy) and fake mode (no fake PV yet).
    assert_eq!(summary(&findings("pending-plan.yaml")), []);
    assert_eq!(summary(&findings("pending-plan-fake-mode.yaml")), []);

    // Built with Objects::new: a virtual PVC whose host PVC does not exist yet.
    let pvc: PersistentVolumeClaim = serde_json::from_value(json!({
        "apiVersion": "v1",
        "kind": "PersistentVolumeClaim",
        "metadata": {
            "name": "data-postgres-0", "namespace": "shop",
            "uid": "0b6f3c1e-5d2a-4f7b-9e18-3c4d5a6b7c80", "resourceVersion": "48213",
            "finalizers": ["kubernetes.io/pvc-protection"],
        },
        "spec": {
            "accessModes": ["ReadWriteOnce"],
            "resources": {"requests": {"storage": "50Gi"}},
            "storageClassName": "gp3",
            "volumeMode": "Filesystem",
        },
        "status": {"phase": "Pending"},
    }))
    .unwrap();
    let virtual_objects = Objects::new(vec![pvc], vec![], vec![]).unwrap();
    let host_objects = read_objects(include_str!("../examples/data/sync-mode-host.yaml")).unwrap();
    let cluster = VirtualCluster::new("my-vcluster", "vcluster-my-vcluster").unwrap();
    let translator = Translator::new(cluster);
    let snapshot = Snapshot::new(virtual_objects, Objects::default());
    assert_eq!(summary(&translator.audit(&snapshot)), []);
    // Nor are host objects of ours that no virtual object shows yet, unless Released.
    let snapshot = Snapshot::new(snapshot.virtual_cluster.clone(), host_objects);
    assert_eq!(summary(&translator.audit(&snapshot)), []);
    // Both clusters empty.
    assert_eq!(summary(&translator.audit(&Snapshot::default())), []);
}

// ------------------------------------------------------------------------------------------
// Prometheus text exposition, checked as promtool would

/// One sample: metric name, labels, value.
type Sample = (String, BTreeMap<String, String>, f64);

fn is_metric_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == ':')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
}

fn is_label_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Parses `{a="x",b="y"}` (with escapes `\\`, `\"`, `\n`); returns the labels and the rest.
fn parse_labels(text: &str) -> Result<(BTreeMap<String, String>, &str), String> {
    let mut labels = BTreeMap::new();
    let mut rest = text.strip_prefix('{').ok_or("labels: no {")?;
    loop {
        if let Some(after) = rest.strip_prefix('}') {
            return Ok((labels, after));
        }
        let (name, after) = rest.split_once("=\"").ok_or("label without =\"")?;
        if !is_label_name(name) {
            return Err(format!("bad label name {name:?}"));
        }
        let mut value = String::new();
        let mut chars = after.char_indices();
        let end = loop {
            match chars.next().ok_or("unterminated label value")? {
                (_, '\\') => match chars.next().ok_or("dangling \\")?.1 {
                    '\\' => value.push('\\'),
                    '"' => value.push('"'),
                    'n' => value.push('\n'),
                    other => return Err(format!("bad escape \\{other}")),
                },
                (i, '"') => break i,
                (_, c) => value.push(c),
            }
        };
        if labels.insert(name.to_owned(), value).is_some() {
            return Err(format!("label {name} twice"));
        }
        rest = &after[end..][1..]; // past the closing quote
        if let Some(after) = rest.strip_prefix(',') {
            rest = after;
        } else if !rest.starts_with('}') {
            return Err("labels: expected , or }".into());
        }
    }
}

/// Checks a text exposition (format 0.0.4) as `promtool check metrics` does, for gauges: each
/// family has exactly one `# HELP` and one `# TYPE name gauge` line before its samples, its samples
/// are together, lines are well-formed, no sample is repeated, the text ends with a newline.
fn check_exposition(text: &str) -> Result<Vec<Sample>, String> {
    if !text.ends_with('\n') {
        return Err("does not end with a newline".into());
    }
    let mut help: BTreeSet<String> = BTreeSet::new();
    let mut typed: BTreeSet<String> = BTreeSet::new();
    let mut finished: BTreeSet<String> = BTreeSet::new();
    let mut current: Option<String> = None;
    let mut samples: Vec<Sample> = Vec::new();
    for (number, line) in text.lines().enumerate() {
        let at = |e: String| format!("line {}: {e}: {line:?}", number.saturating_add(1));
        let mut switch_to = |name: &str, current: &mut Option<String>| -> Result<(), String> {
            if current.as_deref() != Some(name) {
                if finished.contains(name) {
                    return Err(format!("family {name} is split"));
                }
                if let Some(old) = current.replace(name.to_owned()) {
                    finished.insert(old);
                }
            }
            Ok(())
        };
        if line.is_empty() {
            return Err(at("empty line".into()));
        }
        if let Some(comment) = line.strip_prefix('#') {
            let mut words = comment.trim_start().splitn(3, ' ');
            match (words.next(), words.next(), words.next()) {
                (Some("HELP"), Some(name), Some(doc)) => {
                    if !is_metric_name(name) || doc.trim().is_empty() {
                        return Err(at("bad HELP".into()));
                    }
                    switch_to(name, &mut current).map_err(at)?;
                    if !help.insert(name.to_owned()) {
                        return Err(at(format!("second HELP for {name}")));
                    }
                    if samples.iter().any(|s| s.0 == name) {
                        return Err(at("HELP after samples".into()));
                    }
                }
                (Some("TYPE"), Some(name), Some(kind)) => {
                    if kind != "gauge" {
                        return Err(at(format!("type {kind}, not gauge")));
                    }
                    switch_to(name, &mut current).map_err(at)?;
                    if !typed.insert(name.to_owned()) {
                        return Err(at(format!("second TYPE for {name}")));
                    }
                    if samples.iter().any(|s| s.0 == name) {
                        return Err(at("TYPE after samples".into()));
                    }
                }
                (Some("HELP" | "TYPE"), _, _) => return Err(at("incomplete".into())),
                _ => {}
            }
            continue;
        }
        let name_end = line.find(['{', ' ']).ok_or_else(|| at("no value".into()))?;
        let name = &line[..name_end];
        if !is_metric_name(name) {
            return Err(at(format!("bad metric name {name:?}")));
        }
        let (labels, rest) = if line[name_end..].starts_with('{') {
            parse_labels(&line[name_end..]).map_err(at)?
        } else {
            (BTreeMap::new(), &line[name_end..])
        };
        let value = rest
            .strip_prefix(' ')
            .ok_or_else(|| at("no space before the value".into()))?;
        if value.contains(' ') {
            return Err(at("a timestamp or trailing text".into()));
        }
        let value: f64 = match value {
            "NaN" => f64::NAN,
            "+Inf" => f64::INFINITY,
            "-Inf" => f64::NEG_INFINITY,
            v => v.parse().map_err(|_| at(format!("bad value {v:?}")))?,
        };
        if !help.contains(name) || !typed.contains(name) {
            return Err(at(format!("sample of {name} before its HELP and TYPE")));
        }
        switch_to(name, &mut current).map_err(at)?;
        if samples.iter().any(|s| s.0 == name && s.1 == labels) {
            return Err(at("repeated sample".into()));
        }
        samples.push((name.to_owned(), labels, value));
    }
    if let Some(name) = help.symmetric_difference(&typed).next() {
        return Err(format!("{name} has HELP or TYPE, not both"));
    }
    Ok(samples)
}

#[test]
fn prometheus_checker_rejects_what_promtool_rejects() {
    let good = "# HELP m A gauge.\n# TYPE m gauge\nm{a=\"x\\\\y\\\"z\\n\",b=\"\"} 1\nm 0\n";
    let samples = check_exposition(good).unwrap();
    assert_eq!(samples[0].1["a"], "x\\y\"z\n");
    for bad in [
        "# HELP m A.\n# TYPE m gauge\nm 1", // no final newline
        "# TYPE m gauge\nm 1\n",            // no HELP
        "# HELP m A.\nm 1\n",               // no TYPE
        "# HELP m A.\n# HELP m B.\n# TYPE m gauge\nm 1\n", // two HELP
        "# HELP m A.\n# TYPE m counter\nm 1\n", // not a gauge
        "# HELP m A.\n# TYPE m gauge\nm{a=\"x\\t\"} 1\n", // bad escape
        "# HELP m A.\n# TYPE m gauge\nm{1a=\"x\"} 1\n", // bad label name
        "# HELP m A.\n# TYPE m gauge\nm{a=\"x\"} one\n", // bad value
        "# HELP m A.\n# TYPE m gauge\nm 1\nm 2\n", // repeated sample
        "# HELP m A.\n# TYPE m gauge\nm{a=\"1\"} 1\n# HELP n B.\n# TYPE n gauge\nn 1\nm 2\n", // split
        "# HELP m-x A.\n# TYPE m-x gauge\nm-x 1\n", // bad metric name
    ] {
        assert!(check_exposition(bad).is_err(), "accepted {bad:?}");
    }
}

fn gauge(samples: &[Sample], name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    let labels: BTreeMap<String, String> = labels
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    samples
        .iter()
        .find(|s| s.0 == name && s.1 == labels)
        .map(|s| s.2)
}

#[test]
fn a1_prometheus_exposition_is_valid_and_counts_every_kind() {
    let files = [
        "several-findings.yaml",
        "capacity-drift-near-miss.yaml",
        "audit-incomplete.yaml",
    ];
    let cases: Vec<Vec<Finding>> = files.iter().map(|f| findings(f)).chain([vec![]]).collect();
    for found in cases {
        let text = to_prometheus(&found);
        let samples = check_exposition(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
        let families: BTreeSet<&str> = samples.iter().map(|s| s.0.as_str()).collect();
        assert_eq!(
            families,
            BTreeSet::from([
                "pv_translate_audit_findings",
                "pv_translate_audit_incomplete",
                "pv_translate_audit_retained_bytes"
            ])
        );
        let incomplete = found.iter().any(|f| f.kind == FindingKind::AuditIncomplete);
        assert_eq!(
            gauge(&samples, "pv_translate_audit_incomplete", &[]),
            Some(f64::from(u8::from(incomplete)))
        );
        let counts: Vec<&Sample> = samples
            .iter()
            .filter(|s| s.0 == "pv_translate_audit_findings")
            .collect();
        assert_eq!(counts.len(), TABLE.len(), "one gauge per kind\n{text}");
        for (kind, severity) in TABLE {
            let want = found.iter().filter(|f| f.kind.as_str() == kind).count();
            let got = gauge(
                &samples,
                "pv_translate_audit_findings",
                &[("kind", kind), ("severity", severity)],
            );
            assert_eq!(got, Some(want as f64), "{kind}\n{text}");
        }
    }
}

#[test]
fn a1_prometheus_retained_bytes_sum_the_host_pvs_kept() {
    let bytes = |found: &[Finding]| {
        let samples = check_exposition(&to_prometheus(found)).unwrap();
        gauge(&samples, "pv_translate_audit_retained_bytes", &[]).unwrap()
    };
    // 50Gi kept under a tenant told Delete, plus 8Gi released and shown by no virtual PV; the
    // 100Gi of the TenantSeesRetainHostDeletes host PV is not kept.
    let found = findings("several-findings.yaml");
    assert_eq!(bytes(&found), 62_277_025_792.0);
    assert_eq!((50u64 << 30) + (8u64 << 30), 62_277_025_792);
    assert_eq!(
        bytes(&findings("tenant-sees-delete-host-retains.yaml")),
        (50u64 << 30) as f64
    );
    assert_eq!(
        bytes(&findings("released-host-pv-without-virtual.yaml")),
        (8u64 << 30) as f64
    );
    assert_eq!(
        bytes(&findings("tenant-sees-retain-host-deletes.yaml")),
        0.0
    );
    assert_eq!(bytes(&[]), 0.0);
    // The exact line, as the textfile collector reads it (no exponent notation).
    assert!(to_prometheus(&found).contains("\npv_translate_audit_retained_bytes 62277025792\n"));
}

/// docs/formats.md: the gauge is the summed capacity of the host PVs of those findings. Two virtual PVs
/// that both say Delete over one kept host PV are two findings, but the host keeps 50Gi, not
/// 100Gi: a tenant writing copies of a PV must not inflate the operator's gauge.
#[test]
fn a1_prometheus_retained_bytes_count_each_host_pv_once() {
    let pv = "pvc-5e8d2c71-94a0-4b3e-8f26-1d7c9b0a4e13";
    let found = findings("tenant-sees-delete-host-retains-two-virtual-pvs.yaml");
    assert_eq!(
        summary(&found),
        [
            (TenantSeesDeleteHostRetains, Some("postgres-copy"), Some(pv)),
            (TenantSeesDeleteHostRetains, Some(pv), Some(pv)),
        ]
    );
    let samples = check_exposition(&to_prometheus(&found)).unwrap();
    assert_eq!(
        gauge(&samples, "pv_translate_audit_retained_bytes", &[]),
        Some((50u64 << 30) as f64)
    );
}

// ------------------------------------------------------------------------------------------
// The `audit` example as a process (docs/formats.md "The audit example")

/// The example's binary, built once by cargo (no `CARGO_BIN_EXE_` exists for examples). Cargo
/// reports where it wrote it, so the target directory and profile need no guessing.
fn example_binary() -> &'static Path {
    static BINARY: OnceLock<PathBuf> = OnceLock::new();
    BINARY.get_or_init(|| {
        let mut command = Command::new(env!("CARGO"));
        command.current_dir(env!("CARGO_MANIFEST_DIR")).args([
            "build",
            "--example",
            "audit",
            "--message-format=json",
        ]);
        if !cfg!(debug_assertions) {
            command.arg("--release");
        }
        let output = command.output().expect("cargo runs");
        assert!(
            output.status.success(),
            "cargo build --example audit failed:\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout)
            .lines()
            .filter_map(|line| serde_json::from_str::<Value>(line).ok())
            .filter(|m| m["reason"] == "compiler-artifact" && m["target"]["name"] == "audit")
            .filter(|m| {
                m["target"]["kind"]
                    .as_array()
                    .is_some_and(|k| k.contains(&json!("example")))
            })
            .find_map(|m| m["executable"].as_str().map(PathBuf::from))
            .expect("cargo names the example's executable")
    })
}

fn data(file: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples/data")
        .join(file)
        .to_string_lossy()
        .into_owned()
}

/// A file of its own under the system's temporary directory, removed on drop.
struct TempFile(PathBuf);

impl TempFile {
    fn new(text: &str) -> Self {
        static COUNT: AtomicUsize = AtomicUsize::new(0);
        let n = COUNT.fetch_add(1, Ordering::Relaxed);
        let path = std::env::temp_dir().join(format!(
            "pv-translate-audit-rules-{}-{n}.yaml",
            std::process::id()
        ));
        std::fs::write(&path, text).unwrap();
        Self(path)
    }

    fn path(&self) -> String {
        self.0.to_string_lossy().into_owned()
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

fn run_audit(args: &[&str]) -> Output {
    Command::new(example_binary())
        .args(args)
        .output()
        .expect("the example runs")
}

const IDENTITY: [&str; 4] = [
    "--name",
    "my-vcluster",
    "--host-namespace",
    "vcluster-my-vcluster",
];

fn with_identity<'a>(args: &[&'a str]) -> Vec<&'a str> {
    args.iter().copied().chain(IDENTITY).collect()
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).unwrap()
}

/// The example's findings equal the library's for the same dumps.
fn assert_prints_the_library_findings(output: &Output, virtual_file: &str, host_file: &str) {
    let printed: Value = serde_saphyr::from_str(&stdout(output)).unwrap();
    let snapshot = Snapshot::new(
        read_objects(&std::fs::read_to_string(virtual_file).unwrap()).unwrap(),
        read_objects(&std::fs::read_to_string(host_file).unwrap()).unwrap(),
    );
    let cluster = VirtualCluster::new("my-vcluster", "vcluster-my-vcluster").unwrap();
    let expected = serde_json::to_value(Translator::new(cluster).audit(&snapshot)).unwrap();
    assert_eq!(printed, expected);
}

#[test]
fn audit_example_exits_0_and_prints_an_empty_list_without_findings() {
    let empty = TempFile::new("");
    let output = run_audit(&with_identity(&[
        "--virtual",
        &empty.path(),
        "--host",
        &empty.path(),
    ]));
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(stdout(&output), "[]\n");
    assert_eq!(stderr(&output), "");

    // A near miss, the dumps as kubectl prints them (a List; several documents).
    for file in [
        "capacity-drift-near-miss.yaml",
        "fake-pv-without-claim-near-miss.yaml",
    ] {
        let raw: Value =
            serde_saphyr::from_str(&std::fs::read_to_string(audits_dir().join(file)).unwrap())
                .unwrap();
        let virtual_dump = TempFile::new(raw["virtual"].as_str().unwrap());
        let host_dump = TempFile::new(raw["host"].as_str().unwrap());
        let output = run_audit(&with_identity(&[
            "--virtual",
            &virtual_dump.path(),
            "--host",
            &host_dump.path(),
        ]));
        assert_eq!(output.status.code(), Some(0), "{file}: {}", stderr(&output));
        assert_eq!(stdout(&output), "[]\n", "{file}");
    }
}

#[test]
fn audit_example_exits_0_with_warnings_only() {
    let (virtual_file, host_file) = (data("fake-mode-virtual.yaml"), data("fake-mode-host.yaml"));
    let output = run_audit(&with_identity(&[
        "--virtual",
        &virtual_file,
        "--host",
        &host_file,
    ]));
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_prints_the_library_findings(&output, &virtual_file, &host_file);
    let printed: Value = serde_saphyr::from_str(&stdout(&output)).unwrap();
    let printed = printed.as_array().unwrap();
    assert!(!printed.is_empty());
    assert!(printed.iter().all(|f| f["severity"] == "warning"));
}

#[test]
fn audit_example_exits_3_with_a_high_finding() {
    let (virtual_file, host_file) = (data("sync-mode-virtual.yaml"), data("sync-mode-host.yaml"));
    let output = run_audit(&with_identity(&[
        "--virtual",
        &virtual_file,
        "--host",
        &host_file,
    ]));
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    assert_eq!(stderr(&output), "");
    assert_prints_the_library_findings(&output, &virtual_file, &host_file);
    let printed: Value = serde_saphyr::from_str(&stdout(&output)).unwrap();
    let first = &printed[0];
    assert_eq!(first["severity"], "high");
    for key in ["kind", "severity", "message"] {
        assert!(first[key].is_string(), "{key} in {first}");
    }

    // The same with --format prometheus: the exposition, and the same exit status.
    let output = run_audit(&with_identity(&[
        "--virtual",
        &virtual_file,
        "--host",
        &host_file,
        "--format",
        "prometheus",
    ]));
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    let samples = check_exposition(&stdout(&output)).unwrap();
    assert_eq!(
        gauge(
            &samples,
            "pv_translate_audit_findings",
            &[
                ("kind", "TenantSeesRetainHostDeletes"),
                ("severity", "high")
            ]
        ),
        Some(1.0)
    );
}

/// Bad input: exit status 1, nothing on stdout, one line on stderr naming the file.
fn assert_bad_input(output: &Output, file: &str, what: &str) {
    assert_eq!(output.status.code(), Some(1), "{what}: {}", stderr(output));
    assert_eq!(stdout(output), "", "{what}");
    let message = stderr(output);
    assert_eq!(message.lines().count(), 1, "{what}: one line: {message:?}");
    assert!(message.ends_with('\n'), "{what}: {message:?}");
    assert!(message.contains(file), "{what}: {message:?} names {file}");
}

#[test]
fn audit_example_exits_1_on_bad_input_naming_the_file() {
    let host = data("sync-mode-host.yaml");
    let not_yaml =
        TempFile::new("apiVersion: v1\nkind: List\nitems: [\n  - {kind: PersistentVolume\n");
    let bad_pv = TempFile::new(
        "apiVersion: v1\nkind: PersistentVolume\nmetadata:\n  name: pvc-1\nspec:\n  capacity: 5Gi\n",
    );
    let missing = std::env::temp_dir()
        .join(format!(
            "pv-translate-audit-rules-{}-missing.yaml",
            std::process::id()
        ))
        .to_string_lossy()
        .into_owned();

    let output = run_audit(&with_identity(&[
        "--virtual",
        &not_yaml.path(),
        "--host",
        &host,
    ]));
    assert_bad_input(&output, &not_yaml.path(), "not YAML");

    let output = run_audit(&with_identity(&["--virtual", &missing, "--host", &host]));
    assert_bad_input(&output, &missing, "a missing file");

    let output = run_audit(&with_identity(&[
        "--virtual",
        &host,
        "--host",
        &bad_pv.path(),
    ]));
    assert_bad_input(&output, &bad_pv.path(), "a PV that does not parse");
    // ... and the object and the field at fault.
    let message = stderr(&output);
    assert!(message.contains("PersistentVolume pvc-1"), "{message}");
    assert!(message.contains("spec.capacity"), "{message}");
}
