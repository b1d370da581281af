//! vcluster's own answers (`tests/golden/`, see its README.md) against the crate.
//!
//! Every case of the corpus runs through the case API; the result is compared with the object
//! vcluster's Go code built for the same inputs. Only what is not a behaviour difference is
//! normalised (as the harness's `compare.py`): empty and absent are equal outside string maps,
//! Go drops `readOnly: false`, and the top-level `apiVersion`/`kind` are not compared.
//! Quantities are compared exactly as vcluster wrote them (SPEC 0.2 §0: canonical form).
//!
//! Every other difference must be a deviation that docs/rules.md documents. Each one is a function
//! below, named after the rule that documents it: it turns vcluster's answer into what the SPEC
//! requires, only for the cases where its rule applies, judged from the case's inputs (never
//! from the crate's output). Whatever differs after that fails the test, with every failing case,
//! path and both values listed; the number of cases each deviation changed is printed.
#![cfg(feature = "yaml")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::collections::BTreeMap;
use std::fmt::Write as _;

use pv_translate::case::Case;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden");

const HOST_PV: &str = "vcluster.loft.sh/host-pv";
const MANAGED_BY: &str = "vcluster.loft.sh/managed-by";
const FAKE_PV_LABEL: &str = "vcluster.loft.sh/fake-pv";
const SKIP_TRANSLATE: &str = "vcluster.loft.sh/skip-translate";
const MANAGED_ANNOTATIONS: &str = "vcluster.loft.sh/managed-annotations";
const DEPRECATED_CLASS: &str = "volume.beta.kubernetes.io/storage-class";
const BETA_DEFAULT_CLASS: &str = "storageclass.beta.kubernetes.io/is-default-class";

/// SPEC §0: the bookkeeping annotations.
const BOOKKEEPING: [&str; 8] = [
    "vcluster.loft.sh/object-name",
    "vcluster.loft.sh/object-namespace",
    "vcluster.loft.sh/object-uid",
    "vcluster.loft.sh/object-kind",
    "vcluster.loft.sh/object-host-name",
    "vcluster.loft.sh/object-host-namespace",
    MANAGED_ANNOTATIONS,
    "vcluster.loft.sh/managed-labels",
];

/// SPEC H1: the bookkeeping annotations the host PV gets from the rule itself.
const WRITTEN_BY_H1: [&str; 5] = [
    MANAGED_ANNOTATIONS,
    "vcluster.loft.sh/object-name",
    "vcluster.loft.sh/object-uid",
    "vcluster.loft.sh/object-host-name",
    "vcluster.loft.sh/object-kind",
];

/// SPEC P1: the host PVC gets H1's plus these two.
const WRITTEN_BY_P1_TOO: [&str; 2] = [
    "vcluster.loft.sh/object-namespace",
    "vcluster.loft.sh/object-host-namespace",
];

/// SPEC N5: label keys rewritten on the host.
const TRANSLATED_LABELS: [&str; 4] = [
    "release",
    "vcluster.loft.sh/namespace",
    MANAGED_BY,
    "vcluster.loft.sh/controlled-by",
];

/// compare.py's string maps: inside them an empty value is still a key.
const STRING_MAPS: [&str; 6] = [
    "labels",
    "annotations",
    "volumeAttributes",
    "matchLabels",
    "parameters",
    "nodeSelector",
];

// ---------------------------------------------------------------------------------------------
// The corpus
// ---------------------------------------------------------------------------------------------

/// What the crate must produce for a case.
#[derive(Debug, Clone, PartialEq)]
enum Expected {
    /// This object (vcluster's JSON, possibly changed by deviations).
    Object(Value),
    /// No object ("none").
    Absent,
    /// An input error.
    Error,
}

/// One case's inputs, read from its YAML file as plain data (independent of the crate's types).
struct Inputs {
    raw: Value,
}

impl Inputs {
    fn str_at(&self, pointer: &str) -> Option<&str> {
        self.raw.pointer(pointer).and_then(Value::as_str)
    }

    /// `want:`, `virtualPv` when absent.
    fn want(&self) -> &str {
        self.str_at("/want").unwrap_or("virtualPv")
    }

    /// `mode.persistentVolumes`, `fake` when absent.
    fn pv_mode(&self) -> &str {
        self.str_at("/mode/persistentVolumes").unwrap_or("fake")
    }

    /// `mode.storageClasses`, `off` when absent.
    fn class_mode(&self) -> &str {
        self.str_at("/mode/storageClasses").unwrap_or("off")
    }

    /// `V`.
    fn v(&self) -> &str {
        self.str_at("/virtualCluster/name").unwrap_or("vcluster")
    }

    /// `H`.
    fn h(&self) -> &str {
        self.str_at("/virtualCluster/hostNamespace")
            .unwrap_or("vcluster")
    }

    fn option(&self, key: &str) -> Option<&Value> {
        self.raw.get("options").and_then(|o| o.get(key))
    }

    /// An input object (`virtualPvc`, `hostPv`, ...), when given.
    fn object(&self, key: &str) -> Option<&Value> {
        self.raw.get(key).filter(|o| !o.is_null())
    }

    fn is_host_pv(&self) -> bool {
        self.want() == "hostPv"
    }

    fn is_host_pvc(&self) -> bool {
        self.want() == "hostPvc"
    }

    fn is_mirror(&self) -> bool {
        self.want() == "virtualPv" && self.pv_mode() == "sync"
    }

    fn is_fake(&self) -> bool {
        self.want() == "virtualPv" && self.pv_mode() == "fake"
    }

    /// The virtual object a host object is built from (H1: the virtual PV, P1: the PVC).
    fn host_source(&self) -> Option<&Value> {
        match self.want() {
            "hostPv" => self.object("virtualPv"),
            "hostPvc" => self.object("virtualPvc"),
            "hostStorageClass" => self.object("virtualStorageClass"),
            _ => None,
        }
    }

    /// The host PV is virtual-originated: its marker label is N4's cluster marker (SPEC S1).
    fn host_pv_is_ours(&self, host_pv: &Value) -> bool {
        label(host_pv, MANAGED_BY) == Some(cluster_marker(self.h(), self.v()).as_str())
    }

    /// SPEC S5's evidence that this virtual cluster owns `host_pv`: a current virtual PV whose
    /// `host-pv` names it and whose claimRef maps by N2 to the host PV's claimRef name in `H`.
    fn owns(&self, host_pv: &Value) -> bool {
        let Some(virtual_pv) = self.object("virtualPv") else {
            return false;
        };
        let host_name = str_at(host_pv, "/metadata/name");
        let claim_name = str_at(host_pv, "/spec/claimRef/name");
        annotation(virtual_pv, HOST_PV) == Some(host_name)
            && !host_name.is_empty()
            && str_at(host_pv, "/spec/claimRef/namespace") == self.h()
            && !claim_name.is_empty()
            && host_name_namespaced(
                str_at(virtual_pv, "/spec/claimRef/name"),
                str_at(virtual_pv, "/spec/claimRef/namespace"),
                self.v(),
            ) == claim_name
    }

    /// `skip-translate: "true"` on the virtual PVC, honoured (option `honorSkipTranslate`).
    fn skip_translate_honoured(&self) -> bool {
        self.skip_translate_asked()
            && self.option("honorSkipTranslate").and_then(Value::as_bool) == Some(true)
    }

    fn skip_translate_asked(&self) -> bool {
        self.object("virtualPvc")
            .and_then(|pvc| annotation(pvc, SKIP_TRANSLATE))
            == Some("true")
    }
}

fn str_at<'v>(value: &'v Value, pointer: &str) -> &'v str {
    value.pointer(pointer).and_then(Value::as_str).unwrap_or("")
}

fn string_map<'v>(object: &'v Value, map: &str) -> Option<&'v Map<String, Value>> {
    object.get("metadata")?.get(map)?.as_object()
}

fn annotation<'v>(object: &'v Value, key: &str) -> Option<&'v str> {
    string_map(object, "annotations")?.get(key)?.as_str()
}

fn label<'v>(object: &'v Value, key: &str) -> Option<&'v str> {
    string_map(object, "labels")?.get(key)?.as_str()
}

fn annotations_mut(object: &mut Value) -> Option<&mut Map<String, Value>> {
    object
        .get_mut("metadata")?
        .get_mut("annotations")?
        .as_object_mut()
}

/// Removes `keys` from the object's annotations and from its `managed-annotations` list (SPEC
/// H1: "the copied keys, sorted, joined by `\n`; absent when none").
fn drop_copied_annotations(object: &mut Value, keys: &[String]) {
    let Some(annotations) = annotations_mut(object) else {
        return;
    };
    for key in keys {
        annotations.remove(key);
    }
    let managed = annotations
        .get(MANAGED_ANNOTATIONS)
        .and_then(Value::as_str)
        .map(|list| {
            list.split('\n')
                .filter(|k| !keys.iter().any(|d| d == k))
                .collect::<Vec<_>>()
                .join("\n")
        });
    match managed {
        Some(list) if list.is_empty() => {
            annotations.remove(MANAGED_ANNOTATIONS);
        }
        Some(list) => {
            annotations.insert(MANAGED_ANNOTATIONS.to_owned(), Value::String(list));
        }
        None => {}
    }
}

// ---------------------------------------------------------------------------------------------
// Names (SPEC N1-N5), written again here so that a bug in the crate's cannot hide
// ---------------------------------------------------------------------------------------------

fn sha256_hex(input: &str) -> String {
    Sha256::digest(input.as_bytes())
        .iter()
        .fold(String::new(), |mut s, b| {
            write!(s, "{b:02x}").unwrap();
            s
        })
}

/// SPEC N1.
fn safe_concat(parts: &[&str]) -> String {
    let full = parts.join("-");
    if full.len() <= 63 {
        return full;
    }
    let hash = sha256_hex(&full);
    // A non-ASCII part is an input error (N1 *(0.2)*), so any cut will do for one.
    let cut = (0..=52)
        .rev()
        .find(|&i| full.is_char_boundary(i))
        .unwrap_or(0);
    format!("{}-{}", full.get(..cut).unwrap(), hash.get(..10).unwrap()).replace(".-", "-")
}

/// SPEC N2.
fn host_name_namespaced(name: &str, namespace: &str, v: &str) -> String {
    if name.is_empty() {
        return String::new();
    }
    safe_concat(&[name, "x", namespace, "x", v])
}

/// SPEC N3.
fn host_name_cluster(name: &str, h: &str, v: &str) -> String {
    if name.is_empty() {
        return String::new();
    }
    safe_concat(&["vcluster", name, "x", h, "x", v])
}

/// SPEC N4, cluster-scoped.
fn cluster_marker(h: &str, v: &str) -> String {
    safe_concat(&[h, "x", v])
}

/// SPEC N5.
fn host_label_key(key: &str, v: &str) -> String {
    if !TRANSLATED_LABELS.contains(&key) {
        return key.to_owned();
    }
    let hash = sha256_hex(key);
    safe_concat(&["vcluster.loft.sh/label", v, "x", hash.get(..10).unwrap()])
}

/// SPEC M5: a non-empty DNS-1123 label.
fn dns_label(s: &str) -> bool {
    let edge = |c: Option<char>| c.is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    s.len() <= 63
        && edge(s.chars().next())
        && edge(s.chars().last())
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

// ---------------------------------------------------------------------------------------------
// The deviations, in the order they are applied: input errors first (nothing applies after
// one), then "none", then fields. Each returns the expectation unchanged where its rule does
// not apply.
// ---------------------------------------------------------------------------------------------

type Deviation = fn(&Inputs, Expected) -> Expected;

macro_rules! deviations {
    ($($f:ident),* $(,)?) => {
        [$((stringify!($f), $f as Deviation)),*]
    };
}

const DEVIATIONS: [(&str, Deviation); 26] = deviations![
    m5_invalid_identity_is_an_error,
    n1_non_ascii_name_is_an_error,
    f7_invalid_pvc_is_an_error,
    f7_fake_mode_without_inputs_is_an_error,
    s5_unowned_retained_pvs_not_mirrored,
    d3_deleting_host_pv_not_mirrored,
    h1_fake_pvs_not_sent_to_host,
    h1_node_volumes_need_option,
    t2_fake_mode_claims_only_its_own_volumes,
    t4_a_data_source_in_another_namespace_is_refused,
    t5_a_class_naming_secrets_namespaces_or_paths_is_not_sent,
    s6_bookkeeping_annotations_not_mirrored,
    h1_no_status_on_host_pv,
    h1_tenant_bookkeeping_annotations_never_copied,
    h1_csi_secret_annotations_never_copied,
    p1_no_status_on_host_pvc,
    p1_skip_translate_needs_option,
    t2_a_classless_claim_gets_this_clusters_classless_class,
    t4_data_sources_name_host_copies_in_the_own_namespace,
    t4_host_controller_annotations_never_reach_the_host,
    p2_mirrored_pv_keeps_host_name_with_evidence,
    c2_beta_default_class_key_stripped,
    t1_secret_references_name_the_host_copies,
    t2_classless_tenant_pvs_get_a_class_of_their_own,
    t2_claimed_tenant_pvs_are_reserved_for_their_claim,
    t3_host_controller_annotations_never_copied,
];

/// SPEC M5 *(0.2)*: "`V` and `H` are non-empty DNS-1123 labels (at most 63 bytes of `a-z`,
/// `0-9`, `-`, starting and ending alphanumeric); anything else is an input error (an empty `H`
/// would make a claimRef without namespace look like one of ours)."
fn m5_invalid_identity_is_an_error(c: &Inputs, e: Expected) -> Expected {
    if dns_label(c.v()) && dns_label(c.h()) {
        e
    } else {
        Expected::Error
    }
}

/// SPEC N1 *(0.2)*: "A part with a non-ASCII byte is an input error: Kubernetes names are
/// ASCII, and vcluster's byte cut could split a UTF-8 sequence."
///
/// Applies where the rule of the case joins a name with N1: H1 (N3 of the PV and its class),
/// P1 (N2 of the PVC, N3 of its class and volume, N2 of a PVC data source) and S4/S5 (N2 of a
/// claim).
fn n1_non_ascii_name_is_an_error(c: &Inputs, e: Expected) -> Expected {
    let mut parts = vec![c.v(), c.h()];
    if c.is_host_pv() {
        if let Some(pv) = c.object("virtualPv") {
            parts.extend([
                str_at(pv, "/metadata/name"),
                str_at(pv, "/spec/storageClassName"),
            ]);
        }
    } else if c.is_host_pvc() || c.is_mirror() {
        if let Some(pvc) = c.object("virtualPvc") {
            parts.extend([
                str_at(pvc, "/metadata/name"),
                str_at(pvc, "/metadata/namespace"),
            ]);
            if c.is_host_pvc() {
                parts.extend([
                    str_at(pvc, "/spec/storageClassName"),
                    annotation(pvc, DEPRECATED_CLASS).unwrap_or(""),
                    str_at(pvc, "/spec/volumeName"),
                    str_at(pvc, "/spec/dataSource/name"),
                    str_at(pvc, "/spec/dataSourceRef/name"),
                    str_at(pvc, "/spec/dataSourceRef/namespace"),
                ]);
            }
        }
        if c.is_mirror()
            && let Some(pv) = c.object("virtualPv")
        {
            parts.extend([
                str_at(pv, "/spec/claimRef/name"),
                str_at(pv, "/spec/claimRef/namespace"),
            ]);
        }
    }
    if parts.iter().all(|p| p.is_ascii()) {
        e
    } else {
        Expected::Error
    }
}

/// SPEC F7: "Invalid PVCs are errors, not half-built PVs: missing name or namespace, no access
/// mode, or missing `spec.resources.requests.storage` (the API server would reject such a PV;
/// **deviation**: vcluster builds it anyway)."
///
/// Applies to fake PVs built for a bound PVC (F1): an unbound PVC gets no PV from either side.
fn f7_invalid_pvc_is_an_error(c: &Inputs, e: Expected) -> Expected {
    let Some(pvc) = c.object("virtualPvc").filter(|_| c.is_fake()) else {
        return e;
    };
    if str_at(pvc, "/spec/volumeName").is_empty() {
        return e;
    }
    let no_modes = pvc
        .pointer("/spec/accessModes")
        .and_then(Value::as_array)
        .is_none_or(Vec::is_empty);
    let invalid = str_at(pvc, "/metadata/name").is_empty()
        || str_at(pvc, "/metadata/namespace").is_empty()
        || no_modes
        || pvc.pointer("/spec/resources/requests/storage").is_none();
    if invalid { Expected::Error } else { e }
}

/// SPEC F7 *(0.2)*: "A fake-mode translation given neither a virtual PVC nor a current virtual
/// PV is an input error, not \"none\": \"none\" means \"delete the PV\"".
fn f7_fake_mode_without_inputs_is_an_error(c: &Inputs, e: Expected) -> Expected {
    if c.is_fake() && c.object("virtualPvc").is_none() && c.object("virtualPv").is_none() {
        Expected::Error
    } else {
        e
    }
}

/// SPEC S5: "A host PV in `H` whose claim matches no given virtual PVC is mirrored only with
/// evidence that this virtual cluster owns it [...] **Deviation**, for security: vcluster also
/// mirrors every `Retain` or `Released` PV bound in `H` (upstream #1041), which shows tenants the
/// PVs of claims they never made, e.g. the virtual cluster's own data volume. Option
/// `retainedPvMirroring: Legacy` restores vcluster's rule."
fn s5_unowned_retained_pvs_not_mirrored(c: &Inputs, e: Expected) -> Expected {
    if !c.is_mirror()
        || c.object("virtualPvc").is_some()
        || c.option("retainedPvMirroring").and_then(Value::as_str) == Some("Legacy")
    {
        return e;
    }
    let Some(host_pv) = c.object("hostPv") else {
        return e;
    };
    let claimed_in_h = host_pv
        .pointer("/spec/claimRef")
        .is_some_and(|r| !r.is_null())
        && str_at(host_pv, "/spec/claimRef/namespace") == c.h();
    if claimed_in_h && !c.host_pv_is_ours(host_pv) && !c.owns(host_pv) {
        Expected::Absent
    } else {
        e
    }
}

/// SPEC D3: "Host PV being deleted (deletionTimestamp): the virtual PV is deleted too
/// (**deviation**: vcluster keeps syncing it until it is gone). *(0.2)* Only for a mirrored
/// (host-originated) PV".
fn d3_deleting_host_pv_not_mirrored(c: &Inputs, e: Expected) -> Expected {
    match c.object("hostPv") {
        Some(host_pv)
            if c.is_mirror()
                && !str_at(host_pv, "/metadata/deletionTimestamp").is_empty()
                && !c.host_pv_is_ours(host_pv) =>
        {
            Expected::Absent
        }
        _ => e,
    }
}

/// SPEC H1 *(0.2)*: "A virtual PV without the `host-pv` annotation is virtual-originated
/// (unless it carries the `vcluster.loft.sh/fake-pv` label: a fake PV left from fake mode is
/// never sent to the host [...])".
fn h1_fake_pvs_not_sent_to_host(c: &Inputs, e: Expected) -> Expected {
    match c.object("virtualPv") {
        Some(pv) if c.is_host_pv() && label(pv, FAKE_PV_LABEL) == Some("true") => Expected::Absent,
        _ => e,
    }
}

/// SPEC H1 *(0.2, security deviations)*: "A tenant PV whose source is `hostPath` or `local` is
/// not sent to the host (nor changed to one by B1) unless option `tenantNodeVolumes: Allow`: on
/// the host it would hand the tenant a node's filesystem."
fn h1_node_volumes_need_option(c: &Inputs, e: Expected) -> Expected {
    let allowed = c.option("tenantNodeVolumes").and_then(Value::as_str) == Some("Allow");
    match c.object("virtualPv") {
        Some(pv)
            if c.is_host_pv()
                && !allowed
                && ["/spec/hostPath", "/spec/local"]
                    .iter()
                    .any(|p| pv.pointer(p).is_some_and(|s| !s.is_null())) =>
        {
            Expected::Absent
        }
        _ => e,
    }
}

/// SPEC S6: "annotations = host annotations minus `host-pv` and the bookkeeping keys, plus
/// `vcluster.loft.sh/host-pv: <host name>` [...] (**Deviation**: vcluster copies the bookkeeping
/// annotations too; they describe the host object and do not belong in the tenant's view.)"
fn s6_bookkeeping_annotations_not_mirrored(c: &Inputs, mut e: Expected) -> Expected {
    let (Some(host_pv), Expected::Object(object)) = (c.object("hostPv"), &mut e) else {
        return e;
    };
    if !c.is_mirror() {
        return e;
    }
    if let Some(annotations) = annotations_mut(object) {
        for key in BOOKKEEPING {
            if annotation(host_pv, key).is_some() {
                annotations.remove(key);
            }
        }
    }
    e
}

/// SPEC H1: "no status (**deviation**: vcluster writes the virtual status right after creating
/// the host PV; the host's PV controller owns it)."
fn h1_no_status_on_host_pv(c: &Inputs, mut e: Expected) -> Expected {
    if let (true, Expected::Object(Value::Object(object))) = (c.is_host_pv(), &mut e) {
        object.remove("status");
    }
    e
}

/// SPEC H1 *(0.2)*: "Bookkeeping annotations written by the tenant are never copied
/// (**deviation**: vcluster copies some, e.g. `managed-labels`; they would mislead the ownership
/// checks)." P1: the host PVC has "bookkeeping annotations like H1 plus `object-namespace` and
/// `object-host-namespace`".
///
/// Removes the tenant's bookkeeping keys that the rule does not write itself.
fn h1_tenant_bookkeeping_annotations_never_copied(c: &Inputs, mut e: Expected) -> Expected {
    let (Some(source), Expected::Object(object)) = (c.host_source(), &mut e) else {
        return e;
    };
    if !(c.is_host_pv() || c.is_host_pvc()) {
        return e;
    }
    let written = |key: &str| {
        WRITTEN_BY_H1.contains(&key) || (c.is_host_pvc() && WRITTEN_BY_P1_TOO.contains(&key))
    };
    if let Some(annotations) = annotations_mut(object) {
        for key in BOOKKEEPING {
            if annotation(source, key).is_some() && !written(key) {
                annotations.remove(key);
            }
        }
    }
    e
}

/// SPEC H1 *(0.2, security deviations)*: "Annotations naming CSI secrets (keys ending in
/// `-secret-name` or `-secret-namespace`) are never copied to a host object".
fn h1_csi_secret_annotations_never_copied(c: &Inputs, mut e: Expected) -> Expected {
    let (Some(source), Expected::Object(object)) = (c.host_source(), &mut e) else {
        return e;
    };
    let secret_keys: Vec<String> = string_map(source, "annotations")
        .into_iter()
        .flat_map(Map::keys)
        .filter(|k| k.ends_with("-secret-name") || k.ends_with("-secret-namespace"))
        .cloned()
        .collect();
    if !secret_keys.is_empty() {
        drop_copied_annotations(object, &secret_keys);
    }
    e
}

/// SPEC T1 *(0.3)*: every secret reference of a tenant PV (the five CSI ones, `secretRef` of
/// cephfs, rbd, iscsi, flexVolume, scaleIO, storageos, cinder, azureFile's and glusterfs's)
/// "names the host copy of the tenant's own object: namespace `H`, name N2(name, namespace of
/// the reference)"; a reference without namespace resolves to the claim's; a
/// `csi.volumeAttributes` key containing `secret` or `namespace` keeps the PV off the host.
fn t1_secret_references_name_the_host_copies(c: &Inputs, mut e: Expected) -> Expected {
    let verbatim = c.option("tenantSecretRefs").and_then(Value::as_str) == Some("Verbatim");
    let (Some(pv), true, false) = (c.object("virtualPv"), c.is_host_pv(), verbatim) else {
        return e;
    };
    let opaque = pv
        .pointer("/spec/csi/volumeAttributes")
        .and_then(Value::as_object)
        .is_some_and(|attributes| {
            attributes.keys().any(|k| {
                let k = k.to_ascii_lowercase();
                k.contains("secret") || k.contains("namespace")
            })
        });
    if opaque && matches!(e, Expected::Object(_)) {
        return Expected::Absent;
    }
    let Expected::Object(object) = &mut e else {
        return e;
    };
    let claim_namespace = str_at(pv, "/spec/claimRef/namespace").to_owned();
    let references = [
        ("/spec/csi/controllerPublishSecretRef", "name", "namespace"),
        ("/spec/csi/nodeStageSecretRef", "name", "namespace"),
        ("/spec/csi/nodePublishSecretRef", "name", "namespace"),
        ("/spec/csi/controllerExpandSecretRef", "name", "namespace"),
        ("/spec/csi/nodeExpandSecretRef", "name", "namespace"),
        ("/spec/cephfs/secretRef", "name", "namespace"),
        ("/spec/rbd/secretRef", "name", "namespace"),
        ("/spec/iscsi/secretRef", "name", "namespace"),
        ("/spec/flexVolume/secretRef", "name", "namespace"),
        ("/spec/scaleIO/secretRef", "name", "namespace"),
        ("/spec/cinder/secretRef", "name", "namespace"),
        ("/spec/storageos/secretRef", "name", "namespace"),
        ("/spec/azureFile", "secretName", "secretNamespace"),
        ("/spec/glusterfs", "endpoints", "endpointsNamespace"),
    ];
    for (pointer, name_key, namespace_key) in references {
        let Some(reference) = pv.pointer(pointer) else {
            continue;
        };
        let name = str_at(reference, &format!("/{name_key}"));
        let namespace = match str_at(reference, &format!("/{namespace_key}")) {
            "" => claim_namespace.as_str(),
            written => written,
        };
        if namespace.is_empty() {
            return Expected::Absent;
        }
        if let Some(target) = object.pointer_mut(pointer).and_then(Value::as_object_mut) {
            if !name.is_empty() {
                target.insert(
                    name_key.to_owned(),
                    Value::String(host_name_namespaced(name, namespace, c.v())),
                );
            }
            target.insert(namespace_key.to_owned(), Value::String(c.h().to_owned()));
        }
    }
    e
}

/// SPEC T2 *(0.3)*: "a class of `\"\"` (no class) [...] on the host copy of a tenant PV is written
/// as N3(`\"\"`) in every mode" (the N3 formula over the empty name), unless
/// `tenantBinding: Verbatim`.
fn t2_classless_tenant_pvs_get_a_class_of_their_own(c: &Inputs, mut e: Expected) -> Expected {
    let verbatim = c.option("tenantBinding").and_then(Value::as_str) == Some("Verbatim");
    let (Some(pv), true, false, Expected::Object(object)) =
        (c.object("virtualPv"), c.is_host_pv(), verbatim, &mut e)
    else {
        return e;
    };
    if str_at(pv, "/spec/storageClassName").is_empty()
        && let Some(spec) = object.get_mut("spec").and_then(Value::as_object_mut)
    {
        spec.insert(
            "storageClassName".to_owned(),
            Value::String(safe_concat(&["vcluster", "", "x", c.h(), "x", c.v()])),
        );
    }
    e
}

/// SPEC T2 *(0.3)*: "the host copy of a claimed tenant PV is reserved for its claim
/// (`claimRef`: namespace `H`, name N2 of the virtual claim)", unless `tenantBinding: Verbatim`.
fn t2_claimed_tenant_pvs_are_reserved_for_their_claim(c: &Inputs, mut e: Expected) -> Expected {
    let verbatim = c.option("tenantBinding").and_then(Value::as_str) == Some("Verbatim");
    let (Some(pv), true, false, Expected::Object(object)) =
        (c.object("virtualPv"), c.is_host_pv(), verbatim, &mut e)
    else {
        return e;
    };
    let (name, namespace) = (
        str_at(pv, "/spec/claimRef/name"),
        str_at(pv, "/spec/claimRef/namespace"),
    );
    if !name.is_empty()
        && !namespace.is_empty()
        && let Some(spec) = object.get_mut("spec").and_then(Value::as_object_mut)
    {
        spec.insert(
            "claimRef".to_owned(),
            serde_json::json!({
                "apiVersion": "v1", "kind": "PersistentVolumeClaim",
                "namespace": c.h(), "name": host_name_namespaced(name, namespace, c.v()),
            }),
        );
    }
    e
}

/// SPEC T0/T3 *(0.3)*: the annotations through which the host's controllers act on a PV
/// (`pv.kubernetes.io/provisioned-by`, `pv.kubernetes.io/migrated-to`,
/// `pv.kubernetes.io/bound-by-controller`, `kubernetes.io/createdby`) never go from a tenant PV
/// to its host copy.
fn t3_host_controller_annotations_never_copied(c: &Inputs, mut e: Expected) -> Expected {
    let (Some(pv), true, Expected::Object(object)) =
        (c.object("virtualPv"), c.is_host_pv(), &mut e)
    else {
        return e;
    };
    let keys: Vec<String> = [
        "pv.kubernetes.io/provisioned-by",
        "pv.kubernetes.io/migrated-to",
        "pv.kubernetes.io/bound-by-controller",
        "kubernetes.io/createdby",
    ]
    .into_iter()
    .filter(|k| annotation(pv, k).is_some())
    .map(str::to_owned)
    .collect();
    if !keys.is_empty() {
        drop_copied_annotations(object, &keys);
    }
    e
}

/// SPEC P1: "The host PVC has no `status` (**deviation**: vcluster writes the virtual status
/// after creating it; the host's controllers own it)."
fn p1_no_status_on_host_pvc(c: &Inputs, mut e: Expected) -> Expected {
    if let (true, Expected::Object(Value::Object(object))) = (c.is_host_pvc(), &mut e) {
        object.remove("status");
    }
    e
}

/// SPEC P1 *(0.2)*: "`skip-translate` is honoured only with option `honorSkipTranslate: true`
/// (**deviation**: vcluster honours it from any tenant, who can then bind any host PV by name or
/// clone any PVC in `H`, such as the virtual cluster's own data volume)."
///
/// Re-applies what vcluster skipped, by P1 and P2: "In `Sync` mode [...] a non-empty class
/// becomes N3(class) when the PVC is static (it has `volumeName` or a selector) or when the host
/// has no class of that name, otherwise it is kept; the selector's label keys go through N5;
/// `volumeName` goes through P2. In every mode [...] a `dataSource` or `dataSourceRef` of kind
/// `PersistentVolumeClaim` is renamed by N2 (with `dataSourceRef.namespace` when set)." (P2
/// without S5's evidence, which `p2_...` adds: N3(name).)
fn p1_skip_translate_needs_option(c: &Inputs, mut e: Expected) -> Expected {
    let (Some(pvc), Expected::Object(object)) = (c.object("virtualPvc"), &mut e) else {
        return e;
    };
    if !c.is_host_pvc() || !c.skip_translate_asked() || c.skip_translate_honoured() {
        return e;
    }
    let (v, h) = (c.v(), c.h());
    let namespace = str_at(pvc, "/metadata/namespace");
    let spec = object
        .as_object_mut()
        .unwrap()
        .entry("spec")
        .or_insert_with(|| Value::Object(Map::new()))
        .as_object_mut()
        .unwrap();
    for (field, ns_pointer) in [
        ("dataSource", None),
        ("dataSourceRef", Some("/spec/dataSourceRef/namespace")),
    ] {
        let kind = str_at(pvc, &format!("/spec/{field}/kind"));
        let name = str_at(pvc, &format!("/spec/{field}/name"));
        let source_ns = ns_pointer
            .and_then(|p| pvc.pointer(p))
            .and_then(Value::as_str)
            .unwrap_or(namespace);
        if let (Some(target), "PersistentVolumeClaim") = (spec.get_mut(field), kind) {
            target.as_object_mut().unwrap().insert(
                "name".into(),
                Value::String(host_name_namespaced(name, source_ns, v)),
            );
        }
    }
    if c.pv_mode() != "sync" {
        return e;
    }
    let selector = pvc.pointer("/spec/selector").filter(|s| !s.is_null());
    if let Some(selector) = selector {
        spec.insert("selector".into(), host_selector(selector, v));
    }
    let volume = str_at(pvc, "/spec/volumeName");
    if !volume.is_empty() {
        spec.insert(
            "volumeName".into(),
            Value::String(host_name_cluster(volume, h, v)),
        );
    }
    if c.class_mode() != "toHost" {
        let field = str_at(pvc, "/spec/storageClassName");
        let class = if field.is_empty() {
            annotation(pvc, DEPRECATED_CLASS).unwrap_or("")
        } else {
            field
        };
        let host_has_class = c
            .object("hostStorageClass")
            .is_some_and(|sc| str_at(sc, "/metadata/name") == class);
        if !class.is_empty() && (selector.is_some() || !volume.is_empty() || !host_has_class) {
            spec.insert(
                "storageClassName".into(),
                Value::String(host_name_cluster(class, h, v)),
            );
            if let Some(annotations) = annotations_mut(object) {
                annotations.remove(DEPRECATED_CLASS);
            }
        }
    }
    e
}

/// SPEC T2 *(0.3)*: "a host PVC made by P1 names in `volumeName` only a host PV that is this
/// virtual cluster's (P2 in sync mode; in fake mode a host PV claimed in `H` for this very PVC's
/// N2, or none yet existing: otherwise the claim is not synced, a conflict with the reason), and
/// has no `selector` in fake mode (conflict)". Option `tenantBinding: Verbatim` restores
/// vcluster. (A case gives the host PV the claim names as `hostPv`; none given is none existing.)
fn t2_fake_mode_claims_only_its_own_volumes(c: &Inputs, e: Expected) -> Expected {
    let Some(pvc) = c.object("virtualPvc") else {
        return e;
    };
    if !c.is_host_pvc()
        || c.pv_mode() == "sync"
        || c.option("tenantBinding").and_then(Value::as_str) == Some("Verbatim")
    {
        return e;
    }
    if pvc.pointer("/spec/selector").is_some_and(|s| !s.is_null()) {
        return Expected::Absent;
    }
    let volume = str_at(pvc, "/spec/volumeName");
    let Some(host_pv) = c
        .object("hostPv")
        .filter(|pv| !volume.is_empty() && str_at(pv, "/metadata/name") == volume)
    else {
        return e;
    };
    let own = host_name_namespaced(
        str_at(pvc, "/metadata/name"),
        str_at(pvc, "/metadata/namespace"),
        c.v(),
    );
    let reserved = str_at(host_pv, "/spec/claimRef/namespace") == c.h()
        && str_at(host_pv, "/spec/claimRef/name") == own;
    if reserved { e } else { Expected::Absent }
}

/// SPEC T4 *(0.3)*: "a `dataSourceRef.namespace` other than the PVC's is a conflict" (nothing
/// is created). `honorSkipTranslate` turns the renaming off, and the check with it.
fn t4_a_data_source_in_another_namespace_is_refused(c: &Inputs, e: Expected) -> Expected {
    let Some(pvc) = c.object("virtualPvc") else {
        return e;
    };
    let other = str_at(pvc, "/spec/dataSourceRef/namespace");
    if c.is_host_pvc()
        && !c.skip_translate_honoured()
        && !other.is_empty()
        && other != str_at(pvc, "/metadata/namespace")
    {
        return Expected::Absent;
    }
    e
}

/// SPEC T2 *(0.3)*: "a class of `""` (no class) on a host PVC [...] is written as N3(`""`) in
/// every mode" (N3's formula on the empty name). Option `tenantBinding: Verbatim` restores
/// vcluster.
fn t2_a_classless_claim_gets_this_clusters_classless_class(
    c: &Inputs,
    mut e: Expected,
) -> Expected {
    let (Some(pvc), Expected::Object(object)) = (c.object("virtualPvc"), &mut e) else {
        return e;
    };
    let asks_for_no_class = pvc.pointer("/spec/storageClassName")
        == Some(&Value::String(String::new()))
        && annotation(pvc, DEPRECATED_CLASS).unwrap_or("").is_empty();
    if c.is_host_pvc()
        && asks_for_no_class
        && c.option("tenantBinding").and_then(Value::as_str) != Some("Verbatim")
        && let Some(spec) = object.get_mut("spec").and_then(Value::as_object_mut)
    {
        spec.insert(
            "storageClassName".into(),
            Value::String(safe_concat(&["vcluster", "", "x", c.h(), "x", c.v()])),
        );
    }
    e
}

/// SPEC T4 *(0.3)*: "every `dataSource`/`dataSourceRef`, whatever its kind (PVC, VolumeSnapshot,
/// a populator's object), names an object in the PVC's own namespace and is renamed by N2" (the
/// host reference has no namespace: the host copy is in `H`), unless `honorSkipTranslate`.
fn t4_data_sources_name_host_copies_in_the_own_namespace(c: &Inputs, mut e: Expected) -> Expected {
    let (Some(pvc), Expected::Object(object)) = (c.object("virtualPvc"), &mut e) else {
        return e;
    };
    if !c.is_host_pvc() || c.skip_translate_honoured() {
        return e;
    }
    let namespace = str_at(pvc, "/metadata/namespace");
    let Some(spec) = object.get_mut("spec").and_then(Value::as_object_mut) else {
        return e;
    };
    for field in ["dataSource", "dataSourceRef"] {
        let name = str_at(pvc, &format!("/spec/{field}/name"));
        if let Some(target) = spec.get_mut(field).and_then(Value::as_object_mut) {
            target.insert(
                "name".into(),
                Value::String(host_name_namespaced(name, namespace, c.v())),
            );
            if field == "dataSourceRef" {
                target.remove("namespace");
            }
        }
    }
    e
}

/// SPEC T4 *(0.3)*: "The annotations through which the host's controllers are steered,
/// `volume.kubernetes.io/selected-node`, `volume.kubernetes.io/storage-provisioner`,
/// `volume.beta.kubernetes.io/storage-provisioner` and `volume.kubernetes.io/storage-resizer`,
/// never go from tenant to host".
fn t4_host_controller_annotations_never_reach_the_host(c: &Inputs, mut e: Expected) -> Expected {
    if let (true, Expected::Object(object)) = (c.is_host_pvc(), &mut e) {
        drop_copied_annotations(
            object,
            &[
                "volume.kubernetes.io/selected-node".to_owned(),
                "volume.kubernetes.io/storage-provisioner".to_owned(),
                "volume.beta.kubernetes.io/storage-provisioner".to_owned(),
                "volume.kubernetes.io/storage-resizer".to_owned(),
            ],
        );
    }
    e
}

/// N5 applied to a label selector's keys (matchLabels and matchExpressions).
fn host_selector(selector: &Value, v: &str) -> Value {
    let mut out = selector.clone();
    if let Some(labels) = out.get_mut("matchLabels").and_then(Value::as_object_mut) {
        *labels = std::mem::take(labels)
            .into_iter()
            .map(|(k, val)| (host_label_key(&k, v), val))
            .collect();
    }
    if let Some(expressions) = out
        .get_mut("matchExpressions")
        .and_then(Value::as_array_mut)
    {
        for expression in expressions {
            if let Some(key) = expression.get_mut("key") {
                *key = Value::String(host_label_key(key.as_str().unwrap_or(""), v));
            }
        }
    }
    out
}

/// SPEC P2: "a host-originated PV keeps its host name (its `host-pv` annotation) [...] *(0.2)*
/// The `host-pv` annotation counts only with S5's evidence (the named host PV's claimRef maps by
/// N2 to a claim of this virtual cluster in `H`); otherwise N3(name), so a forged annotation
/// cannot point a claim at another host PV. (**Deviation**: vcluster always applies N3, which
/// breaks re-binding of retained dynamic volumes; upstream PRs #4034/#4035.)"
fn p2_mirrored_pv_keeps_host_name_with_evidence(c: &Inputs, mut e: Expected) -> Expected {
    let (Some(pvc), Some(pv), Some(host_pv), Expected::Object(object)) = (
        c.object("virtualPvc"),
        c.object("virtualPv"),
        c.object("hostPv"),
        &mut e,
    ) else {
        return e;
    };
    let volume = str_at(pvc, "/spec/volumeName");
    let applies = c.is_host_pvc()
        && c.pv_mode() == "sync"
        && !c.skip_translate_honoured()
        && !volume.is_empty()
        && str_at(pv, "/metadata/name") == volume
        && c.owns(host_pv);
    if let (true, Some(spec)) = (
        applies,
        object.get_mut("spec").and_then(Value::as_object_mut),
    ) {
        let host_name = str_at(host_pv, "/metadata/name").to_owned();
        spec.insert("volumeName".into(), Value::String(host_name));
    }
    e
}

/// SPEC C2: "neither default-class annotation (`storageclass.kubernetes.io/is-default-class`,
/// `storageclass.beta.kubernetes.io/is-default-class`) is copied to the host. (*(0.2)*
/// **Deviation**: vcluster strips only the first, so a tenant can make its class the host's
/// default with the beta key.)"
fn c2_beta_default_class_key_stripped(c: &Inputs, mut e: Expected) -> Expected {
    let (Some(class), Expected::Object(object)) = (c.object("virtualStorageClass"), &mut e) else {
        return e;
    };
    if c.want() == "hostStorageClass" && annotation(class, BETA_DEFAULT_CLASS).is_some() {
        drop_copied_annotations(object, &[BETA_DEFAULT_CLASS.to_owned()]);
    }
    e
}

/// SPEC T5 *(0.3)*: "C2 (`ToHost`) sends a tenant class only when no parameter key contains
/// `secret`, `namespace` or `path` (any case)" (it supersedes H1 0.2's dropping of
/// `csi.storage.k8s.io/*-secret-name` parameters: every such key contains `secret`).
fn t5_a_class_naming_secrets_namespaces_or_paths_is_not_sent(c: &Inputs, e: Expected) -> Expected {
    let Some(class) = c.object("virtualStorageClass") else {
        return e;
    };
    let forbidden = class
        .get("parameters")
        .and_then(Value::as_object)
        .is_some_and(|parameters| {
            parameters.keys().any(|k| {
                let k = k.to_ascii_lowercase();
                ["secret", "namespace", "path"]
                    .iter()
                    .any(|w| k.contains(w))
            })
        });
    if c.want() == "hostStorageClass" && forbidden {
        Expected::Absent
    } else {
        e
    }
}

// ---------------------------------------------------------------------------------------------
// Normalisation and diff (compare.py's)
// ---------------------------------------------------------------------------------------------

fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        _ => false,
    }
}

/// Empty equals absent (outside string maps); Go's `omitempty` drops `readOnly: false`.
fn norm(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter_map(|(k, v)| {
                    let v = if STRING_MAPS.contains(&k.as_str()) && v.is_object() {
                        v.clone()
                    } else {
                        norm(v)
                    };
                    let omitted = is_empty(&v) || (k == "readOnly" && v == Value::Bool(false));
                    (!omitted).then(|| (k.clone(), v))
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(norm).collect()),
        other => other.clone(),
    }
}

/// A top-level object without `apiVersion` and `kind`, normalised.
fn comparable(object: &Value) -> Value {
    let mut object = object.clone();
    if let Some(map) = object.as_object_mut() {
        map.remove("apiVersion");
        map.remove("kind");
    }
    norm(&object)
}

fn child_path(path: &str, key: &str) -> String {
    let plain = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    match (plain, path.is_empty()) {
        (true, true) => key.to_owned(),
        (true, false) => format!("{path}.{key}"),
        (false, _) => format!("{path}[{key:?}]"),
    }
}

/// (path, vcluster's value, the crate's value) for every difference.
fn diff(expected: &Value, actual: &Value, path: &str, out: &mut Vec<(String, String, String)>) {
    match (expected, actual) {
        (Value::Object(a), Value::Object(b)) => {
            let keys: std::collections::BTreeSet<&String> = a.keys().chain(b.keys()).collect();
            for key in keys {
                let p = child_path(path, key);
                match (a.get(key), b.get(key)) {
                    (Some(x), Some(y)) => diff(x, y, &p, out),
                    (Some(x), None) => out.push((p, x.to_string(), "<absent>".into())),
                    (None, Some(y)) => out.push((p, "<absent>".into(), y.to_string())),
                    (None, None) => {}
                }
            }
        }
        (Value::Array(a), Value::Array(b)) if a.len() == b.len() => {
            for (i, (x, y)) in a.iter().zip(b).enumerate() {
                diff(x, y, &format!("{path}[{i}]"), out);
            }
        }
        (a, b) if a != b => out.push((path.to_owned(), a.to_string(), b.to_string())),
        _ => {}
    }
}

// ---------------------------------------------------------------------------------------------
// The test
// ---------------------------------------------------------------------------------------------

/// The crate's answer.
enum Got {
    Object(Value),
    Absent,
    Error(String),
}

fn run_crate(text: &str) -> Got {
    let outcome = Case::from_yaml(text).and_then(|case| case.run());
    match outcome {
        Ok(outcome) => match outcome.desired {
            Some(object) => Got::Object(serde_json::to_value(&object).unwrap()),
            None => Got::Absent,
        },
        Err(err) => Got::Error(err.to_string()),
    }
}

/// The problems of one case, empty when it matches. "expected" is vcluster's answer after the
/// deviations that apply to the case.
fn check(expected: &Expected, got: &Got) -> Vec<String> {
    let describe = |got: &Got| match got {
        Got::Object(_) => "an object".to_owned(),
        Got::Absent => "none".to_owned(),
        Got::Error(e) => format!("error {e:?}"),
    };
    match (expected, got) {
        (Expected::Object(want), Got::Object(have)) => {
            let mut out = Vec::new();
            diff(&comparable(want), &comparable(have), "", &mut out);
            out.into_iter()
                .map(|(p, w, h)| format!("{p}: expected {w}, crate {h}"))
                .collect()
        }
        (Expected::Absent, Got::Absent) | (Expected::Error, Got::Error(_)) => Vec::new(),
        (Expected::Object(_), got) => vec![format!("expected an object, crate {}", describe(got))],
        (Expected::Absent, got) => vec![format!("expected none, crate {}", describe(got))],
        (Expected::Error, got) => vec![format!("expected an error, crate {}", describe(got))],
    }
}

#[test]
fn vcluster_golden_cases() {
    let mut ids: Vec<String> = std::fs::read_dir(DIR)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter_map(|name| name.strip_suffix(".yaml").map(str::to_owned))
        .collect();
    ids.sort();
    assert_eq!(ids.len(), 400, "the corpus has 400 cases");
    // The names written again above, on SPEC §2's examples.
    assert_eq!(
        host_name_namespaced("testpvc", "test", "suffix"),
        "testpvc-x-test-x-suffix"
    );
    assert_eq!(
        host_name_cluster(
            "azureblob-fuse-premium",
            "test1-orntd",
            "vcluster-commerce-dev-eastus2-001"
        ),
        "vcluster-azureblob-fuse-premium-x-test1-orntd-x-vclu-bde7a601ce"
    );
    assert_eq!(
        host_label_key("release", "suffix"),
        "vcluster.loft.sh/label-suffix-x-a4d451ec23"
    );

    let mut changed: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    let mut failures = Vec::new();
    for id in &ids {
        let text = std::fs::read_to_string(format!("{DIR}/{id}.yaml")).unwrap();
        let golden: Value = serde_json::from_str(
            &std::fs::read_to_string(format!("{DIR}/{id}.vcluster.json")).unwrap(),
        )
        .unwrap();
        let inputs = Inputs {
            raw: serde_saphyr::from_str(&text).unwrap(),
        };
        assert!(
            inputs.object("vcluster").is_none(),
            "{id}: golden cases give `mode`, not `vcluster`"
        );
        let mut expected = match golden.get("object") {
            Some(Value::Null) | None => Expected::Absent,
            Some(object) => Expected::Object(object.clone()),
        };
        let mut applied = Vec::new();
        for (name, deviation) in DEVIATIONS {
            if expected == Expected::Error {
                break; // an input error stops the translation: no later rule applies
            }
            let next = deviation(&inputs, expected.clone());
            if next != expected {
                changed.entry(name).or_default().push(id);
                applied.push(name);
            }
            expected = next;
        }
        let problems = check(&expected, &run_crate(&text));
        if !problems.is_empty() {
            let after = if applied.is_empty() {
                String::from("vcluster's answer as is")
            } else {
                format!("after {}", applied.join(", "))
            };
            failures.push(format!("{id} ({after}):\n    {}", problems.join("\n    ")));
        }
    }

    let mut table = String::from("deviation                                         cases  e.g.\n");
    for (name, _) in DEVIATIONS {
        let cases = changed.get(name).map(Vec::as_slice).unwrap_or_default();
        let examples = cases.iter().take(3).copied().collect::<Vec<_>>().join(" ");
        writeln!(table, "{name:<48} {:>6}  {examples}", cases.len()).unwrap();
    }
    let matched = ids.len().saturating_sub(failures.len());
    writeln!(
        table,
        "{matched} of {} cases match vcluster after deviations",
        ids.len()
    )
    .unwrap();
    println!("{table}");
    assert!(
        failures.is_empty(),
        "{} of {} case(s) differ from vcluster's answer beyond SPEC's deviations \
         (expected: vcluster's value after the deviations named):\n{}\n\n{table}",
        failures.len(),
        ids.len(),
        failures.join("\n")
    );
}
