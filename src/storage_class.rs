//! StorageClasses between the clusters (SPEC C1, C2) and the label selector that limits them.
//!
//! - `FromHost` (C1): a host class appears in the virtual cluster under the same name, as a copy
//!   without server-set metadata; `sync.fromHost.storageClasses.selector` limits which do.
//! - `ToHost` (C2): a virtual class is created on the host under its N3 name, with the metadata of
//!   SPEC H1, except that the default-class annotation never reaches the host.
//!
//! ```
//! use k8s_openapi::api::storage::v1::StorageClass;
//! use pv_translate::VirtualCluster;
//! use pv_translate::storage_class::host_storage_class;
//!
//! let class: StorageClass = serde_json::from_value(serde_json::json!({
//!     "metadata": {"name": "testsc"},
//!     "provisioner": "my-provisioner",
//! }))?;
//! let host = host_storage_class(&class, &VirtualCluster::new("suffix", "test"))?;
//! assert_eq!(host.metadata.name.as_deref(), Some("vcluster-testsc-x-test-x-suffix"));
//! assert_eq!(host.provisioner, "my-provisioner");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::BTreeMap;

use k8s_openapi::api::storage::v1::StorageClass;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, LabelSelectorRequirement};

use crate::cluster::VirtualCluster;
use crate::error::Error;
use crate::explain::{Explanation, Input, Rule, Source, Translation};
use crate::host_meta::{Scope, host_metadata};
use crate::object::{name, storage_class_ref, without_server_fields};
use crate::wellknown::{
    DEFAULT_CLASS_ANNOTATION, STORAGE_CLASS_OBJECT_KIND, TRANSLATED_LABEL_KEYS,
};

/// The configuration key of the StorageClass selector; selector errors are reported under it.
pub const SELECTOR_KEY: &str = "sync.fromHost.storageClasses.selector";

/// The spec fields of a StorageClass, all copied as they are by C1 and C2.
const SPEC_FIELDS: [&str; 7] = [
    "provisioner",
    "parameters",
    "reclaimPolicy",
    "mountOptions",
    "allowVolumeExpansion",
    "volumeBindingMode",
    "allowedTopologies",
];

// ---------------------------------------------------------------------------------------------
// Label selectors, as Kubernetes evaluates them (`metav1.LabelSelectorAsSelector`).
// ---------------------------------------------------------------------------------------------

/// A label selector operator (`matchExpressions[].operator`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Operator {
    In,
    NotIn,
    Exists,
    DoesNotExist,
}

impl Operator {
    fn parse(operator: &str) -> Option<Self> {
        match operator {
            "In" => Some(Self::In),
            "NotIn" => Some(Self::NotIn),
            "Exists" => Some(Self::Exists),
            "DoesNotExist" => Some(Self::DoesNotExist),
            _ => None,
        }
    }
}

/// A selector error at `field` below [`SELECTOR_KEY`].
fn selector_error(field: &str, reason: impl Into<String>) -> Error {
    Error::Config {
        path: format!("{SELECTOR_KEY}.{field}"),
        reason: reason.into(),
    }
}

/// Checks a label selector as Kubernetes does before using it.
///
/// Label keys must be qualified names (`[prefix/]name`), label values valid label values;
/// operators are `In`, `NotIn`, `Exists` or `DoesNotExist` (case-sensitive); `In` and `NotIn`
/// need at least one value, `Exists` and `DoesNotExist` take none. Errors are
/// [`Error::Config`] naming the offending field below [`SELECTOR_KEY`], e.g.
/// `sync.fromHost.storageClasses.selector.matchExpressions[0].operator`.
pub fn validate_selector(selector: &LabelSelector) -> Result<(), Error> {
    for (key, value) in selector.match_labels.iter().flatten() {
        let field = format!("matchLabels.{key}");
        check_label_key(key).map_err(|reason| selector_error(&field, reason))?;
        check_label_value(value).map_err(|reason| selector_error(&field, reason))?;
    }
    for (index, requirement) in selector.match_expressions.iter().flatten().enumerate() {
        validate_requirement(requirement, index)?;
    }
    Ok(())
}

fn validate_requirement(
    requirement: &LabelSelectorRequirement,
    index: usize,
) -> Result<Operator, Error> {
    let at = |field: &str| format!("matchExpressions[{index}].{field}");
    check_label_key(&requirement.key).map_err(|reason| selector_error(&at("key"), reason))?;
    let operator = Operator::parse(&requirement.operator).ok_or_else(|| {
        selector_error(
            &at("operator"),
            format!(
                "{:?} is not a valid label selector operator (In, NotIn, Exists, DoesNotExist)",
                requirement.operator
            ),
        )
    })?;
    let values = requirement.values.as_deref().unwrap_or_default();
    match operator {
        Operator::In | Operator::NotIn if values.is_empty() => Err(selector_error(
            &at("values"),
            format!("operator {} needs at least one value", requirement.operator),
        )),
        Operator::Exists | Operator::DoesNotExist if !values.is_empty() => Err(selector_error(
            &at("values"),
            format!("operator {} takes no values", requirement.operator),
        )),
        _ => {
            for (i, value) in values.iter().enumerate() {
                check_label_value(value)
                    .map_err(|reason| selector_error(&at(&format!("values[{i}]")), reason))?;
            }
            Ok(operator)
        }
    }
}

/// Whether `labels` match `selector`, exactly as Kubernetes decides it.
///
/// Every `matchLabels` pair and every `matchExpressions` requirement must hold (AND); an empty
/// selector matches everything. `In`: the label is set to one of the values; `NotIn`: the label
/// is absent or set to none of them; `Exists`: the label is set; `DoesNotExist`: it is not.
/// An invalid selector is an error ([`validate_selector`]), as it is for Kubernetes.
///
/// ```
/// use std::collections::BTreeMap;
/// use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
/// use pv_translate::storage_class::selector_matches;
///
/// let selector = LabelSelector {
///     match_labels: Some(BTreeMap::from([("value".to_owned(), "one".to_owned())])),
///     match_expressions: None,
/// };
/// let labels = BTreeMap::from([("value".to_owned(), "one".to_owned())]);
/// assert!(selector_matches(&selector, Some(&labels))?);
/// assert!(!selector_matches(&selector, None)?);
/// # Ok::<(), pv_translate::Error>(())
/// ```
pub fn selector_matches(
    selector: &LabelSelector,
    labels: Option<&BTreeMap<String, String>>,
) -> Result<bool, Error> {
    validate_selector(selector)?;
    let get = |key: &str| labels.and_then(|l| l.get(key)).map(String::as_str);
    let labels_hold = selector
        .match_labels
        .iter()
        .flatten()
        .all(|(key, value)| get(key) == Some(value.as_str()));
    if !labels_hold {
        return Ok(false);
    }
    for (index, requirement) in selector.match_expressions.iter().flatten().enumerate() {
        let operator = validate_requirement(requirement, index)?;
        let values = requirement.values.as_deref().unwrap_or_default();
        let actual = get(&requirement.key);
        let holds = match operator {
            Operator::In => actual.is_some_and(|a| values.iter().any(|v| v == a)),
            Operator::NotIn => actual.is_none_or(|a| values.iter().all(|v| v != a)),
            Operator::Exists => actual.is_some(),
            Operator::DoesNotExist => actual.is_none(),
        };
        if !holds {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Whether `s` is a label name: at most 63 characters, alphanumerics, `-`, `_`, `.`, starting
/// and ending alphanumeric (`IsQualifiedName`'s name part, `IsValidLabelValue` when non-empty).
fn is_label_name(s: &str) -> bool {
    let bytes = s.as_bytes();
    bytes.len() <= 63
        && bytes.first().is_some_and(u8::is_ascii_alphanumeric)
        && bytes.last().is_some_and(u8::is_ascii_alphanumeric)
        && bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// Whether `s` is a DNS-1123 subdomain (a label key prefix).
fn is_dns_subdomain(s: &str) -> bool {
    s.len() <= 253
        && s.split('.').all(|part| {
            let bytes = part.as_bytes();
            let edge = |b: &u8| b.is_ascii_lowercase() || b.is_ascii_digit();
            bytes.first().is_some_and(edge)
                && bytes.last().is_some_and(edge)
                && bytes.iter().all(|b| edge(b) || *b == b'-')
        })
}

/// Kubernetes' label key rule (`IsQualifiedName`).
fn check_label_key(key: &str) -> Result<(), String> {
    let (prefix, label) = match key.split_once('/') {
        Some((prefix, label)) => (Some(prefix), label),
        None => (None, key),
    };
    if let Some(prefix) = prefix
        && !is_dns_subdomain(prefix)
    {
        return Err(format!(
            "invalid label key {key:?}: the prefix must be a DNS subdomain (lowercase \
             alphanumerics, '-' and '.', at most 253 characters)"
        ));
    }
    if !is_label_name(label) {
        return Err(format!(
            "invalid label key {key:?}: the name must be 1-63 characters, alphanumerics, '-', '_' \
             or '.', starting and ending with an alphanumeric"
        ));
    }
    Ok(())
}

/// Kubernetes' label value rule (`IsValidLabelValue`): empty or a label name.
fn check_label_value(value: &str) -> Result<(), String> {
    if value.is_empty() || is_label_name(value) {
        Ok(())
    } else {
        Err(format!(
            "invalid label value {value:?}: at most 63 characters, alphanumerics, '-', '_' or '.', \
             starting and ending with an alphanumeric"
        ))
    }
}

// ---------------------------------------------------------------------------------------------
// C1: host -> virtual.
// ---------------------------------------------------------------------------------------------

/// The class's name; a class without one is an input error.
fn required_name(class: &StorageClass) -> Result<&str, Error> {
    match name(&class.metadata) {
        "" => Err(Error::invalid(
            storage_class_ref(class),
            "metadata.name",
            "a StorageClass needs a name",
        )),
        name => Ok(name),
    }
}

/// C1, explained: the virtual copy of host class `host`, or none when `selector` (from
/// `sync.fromHost.storageClasses.selector`) does not match its labels. `None` selector: no limit.
///
/// The copy has the host's name, labels and annotations (the default-class annotation included)
/// and every spec field; server-set metadata (uid, resourceVersion, ...) is dropped (SPEC §0).
/// When none is desired, an existing virtual class of that name should be deleted.
pub fn translate_from_host(
    host: &StorageClass,
    selector: Option<&LabelSelector>,
) -> Result<Translation<StorageClass>, Error> {
    let class_name = required_name(host)?;
    let mut why = Explanation::default();
    if let Some(selector) = selector
        && !selector_matches(selector, host.metadata.labels.as_ref())?
    {
        why.rule(
            Rule::C1,
            format!(
                "host class {class_name:?} does not match {SELECTOR_KEY}: not synced (a \
                 virtual class of that name is deleted)"
            ),
        );
        return Ok(Translation {
            desired: None,
            explanation: why,
        });
    }
    why.rule(
        Rule::C1,
        format!("host class {class_name:?} appears in the virtual cluster under the same name"),
    );
    for field in ["metadata.name", "metadata.labels", "metadata.annotations"] {
        why.field(field, Source::Input(Input::HostStorageClass, field));
    }
    for field in SPEC_FIELDS {
        why.field(field, Source::Input(Input::HostStorageClass, field));
    }
    let desired = StorageClass {
        metadata: without_server_fields(&host.metadata),
        ..host.clone()
    };
    Ok(Translation {
        desired: Some(desired),
        explanation: why,
    })
}

/// C1: the virtual copy of host class `host`; `None` when `selector` does not match it.
/// See [`translate_from_host`].
pub fn virtual_storage_class(
    host: &StorageClass,
    selector: Option<&LabelSelector>,
) -> Result<Option<StorageClass>, Error> {
    translate_from_host(host, selector).map(|t| t.desired)
}

// ---------------------------------------------------------------------------------------------
// C2: virtual -> host.
// ---------------------------------------------------------------------------------------------

/// C2, explained: the host copy of virtual class `virtual_class`.
///
/// Name N3 (`vcluster-<name>-x-<H>-x-<V>`); labels through N5 plus the N4 marker; annotations
/// minus bookkeeping keys and minus `storageclass.kubernetes.io/is-default-class` (a virtual
/// default class never becomes a host default; the key is not listed in `managed-annotations`
/// either), plus the bookkeeping annotations of H1 with `object-kind: storage.k8s.io/v1,
/// Kind=StorageClass`; every spec field copied.
pub fn translate_to_host(
    virtual_class: &StorageClass,
    cluster: &VirtualCluster,
) -> Result<Translation<StorageClass>, Error> {
    let (desired, explanation) = to_host(virtual_class, cluster)?;
    Ok(Translation {
        desired: Some(desired),
        explanation,
    })
}

/// C2: the host class and its explanation.
fn to_host(
    virtual_class: &StorageClass,
    cluster: &VirtualCluster,
) -> Result<(StorageClass, Explanation), Error> {
    let class_name = required_name(virtual_class)?;
    let host_name = cluster.host_name_cluster(class_name);
    let mut why = Explanation::default();
    why.rule(
        Rule::C2,
        format!("virtual class {class_name:?} is created on the host as {host_name:?}"),
    );
    why.rule(
        Rule::N3,
        format!("host name of cluster-scoped {class_name:?}"),
    );
    why.rule(
        Rule::N4,
        format!(
            "marker label vcluster.loft.sh/managed-by: {}",
            cluster.cluster_marker()
        ),
    );
    let translated: Vec<&str> = virtual_class
        .metadata
        .labels
        .iter()
        .flatten()
        .map(|(k, _)| k.as_str())
        .filter(|k| TRANSLATED_LABEL_KEYS.contains(k))
        .collect();
    if !translated.is_empty() {
        why.rule(
            Rule::N5,
            format!(
                "label keys rewritten on the host: {}",
                translated.join(", ")
            ),
        );
    }
    if virtual_class
        .metadata
        .annotations
        .as_ref()
        .is_some_and(|a| a.contains_key(DEFAULT_CLASS_ANNOTATION))
    {
        why.rule(
            Rule::C2,
            format!("annotation {DEFAULT_CLASS_ANNOTATION} is not copied to the host"),
        );
    }
    why.field("metadata.name", Source::Rule(Rule::N3));
    why.field(
        "metadata.labels",
        Source::Input(Input::VirtualStorageClass, "metadata.labels"),
    );
    why.field(
        "metadata.labels.vcluster.loft.sh/managed-by",
        Source::Rule(Rule::N4),
    );
    why.field(
        "metadata.annotations",
        Source::Input(Input::VirtualStorageClass, "metadata.annotations"),
    );
    for field in SPEC_FIELDS {
        why.field(field, Source::Input(Input::VirtualStorageClass, field));
    }
    let metadata = host_metadata(
        &virtual_class.metadata,
        &host_name,
        STORAGE_CLASS_OBJECT_KIND,
        Scope::Cluster,
        &[DEFAULT_CLASS_ANNOTATION],
        cluster,
    );
    let desired = StorageClass {
        metadata,
        ..virtual_class.clone()
    };
    Ok((desired, why))
}

/// C2: the host copy of virtual class `virtual_class`. See [`translate_to_host`].
pub fn host_storage_class(
    virtual_class: &StorageClass,
    cluster: &VirtualCluster,
) -> Result<StorageClass, Error> {
    to_host(virtual_class, cluster).map(|(class, _)| class)
}
