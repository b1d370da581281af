//! Case files (format in docs/formats.md): one YAML document describing what a syncer knows at one
//! moment, read into typed inputs and run through a [`Translator`].
//!
//! ```
//! use pv_translate::case::Case;
//! let case = Case::from_yaml(r#"
//! options: {fakeReclaimPolicy: Inherit}
//! virtualPvc:
//!   metadata: {name: data, namespace: default}
//!   spec:
//!     accessModes: [ReadWriteOnce]
//!     resources: {requests: {storage: 1Gi}}
//!     volumeName: pvc-1
//! hostPv:
//!   metadata: {name: pvc-1}
//!   spec: {persistentVolumeReclaimPolicy: Retain}
//! "#)?;
//! let outcome = case.run()?;
//! let yaml = pv_translate::case::to_yaml(outcome.desired.as_ref())?;
//! assert!(yaml.contains("persistentVolumeReclaimPolicy: Retain"));
//! # Ok::<(), pv_translate::Error>(())
//! ```

use k8s_openapi::api::core::v1::{PersistentVolume, PersistentVolumeClaim};
use k8s_openapi::api::storage::v1::StorageClass;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;

use crate::cluster::VirtualCluster;
use crate::decision::{Action, Decision};
use crate::error::Error;
use crate::explain::Explanation;
use crate::inputs::Inputs;
use crate::mode::{StorageClassMode, SyncMode};
use crate::options::Options;
use crate::translator::Translator;

/// The most bytes an input file may hold: 16 MiB, far more than any real case, dump or
/// configuration, and a bound on what a hostile or mistaken input (e.g. `/dev/zero`) can cost.
pub const MAX_INPUT_BYTES: u64 = 16 * 1024 * 1024;

/// Reads an input file (a case, a scenario, a dump, a vcluster.yaml), refusing more than
/// [`MAX_INPUT_BYTES`] and text that is not UTF-8. `-` reads standard input.
///
/// # Errors
///
/// The file cannot be read, is too large, or is not UTF-8; the message says which.
pub fn read_input(path: &str) -> Result<String, Error> {
    use std::io::Read as _;
    let fail = |reason: String| Error::Case { reason };
    let mut bytes = Vec::new();
    let read = if path == "-" {
        std::io::stdin()
            .lock()
            .take(MAX_INPUT_BYTES.saturating_add(1))
            .read_to_end(&mut bytes)
    } else {
        std::fs::File::open(path).and_then(|f| {
            f.take(MAX_INPUT_BYTES.saturating_add(1))
                .read_to_end(&mut bytes)
        })
    };
    read.map_err(|e| fail(format!("cannot read: {e}")))?;
    if u64::try_from(bytes.len()).unwrap_or(u64::MAX) > MAX_INPUT_BYTES {
        return Err(fail(format!(
            "larger than {} MiB: not read",
            MAX_INPUT_BYTES / (1024 * 1024)
        )));
    }
    String::from_utf8(bytes).map_err(|e| {
        fail(format!(
            "not UTF-8 text (byte {} is not)",
            e.utf8_error().valid_up_to()
        ))
    })
}

/// Which desired object a case asks for (`want:`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Want {
    /// The desired virtual PV (default).
    #[default]
    VirtualPv,
    /// The desired host PV for the given virtual PV (SPEC H1).
    HostPv,
    /// The desired host PVC for the given virtual PVC (SPEC P1, P2).
    HostPvc,
    /// The virtual copy of the given host class (SPEC C1).
    VirtualStorageClass,
    /// The host copy of the given virtual class (SPEC C2).
    HostStorageClass,
}

/// What a fixture expects (`expect:` / `expectError:`); ignored by the example.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Expectation {
    /// Neither key given.
    #[default]
    Unspecified,
    /// `expect: null`: the object should not exist.
    Absent,
    /// `expect: {...}`: the desired object, as YAML data.
    Object(Value),
    /// `expectError: text`: translation fails with a message containing `text`.
    Error(String),
}

/// The file as written; only used to check keys before typing the objects.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RawCase {
    #[serde(default)]
    mode: Option<SyncMode>,
    #[serde(default)]
    vcluster: Option<Value>,
    #[serde(default)]
    virtual_cluster: Option<VirtualCluster>,
    #[serde(default)]
    options: Option<Options>,
    #[serde(default)]
    want: Option<Want>,
    #[serde(default)]
    virtual_pvc: Option<Value>,
    #[serde(default)]
    host_pv: Option<Value>,
    #[serde(default)]
    host_storage_class: Option<Value>,
    #[serde(default)]
    virtual_pv: Option<Value>,
    #[serde(default)]
    virtual_storage_class: Option<Value>,
    #[serde(default, deserialize_with = "present")]
    expect: Option<Value>,
    #[serde(default)]
    expect_error: Option<String>,
}

/// Keeps `expect: null` apart from a missing `expect`.
fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Value>, D::Error> {
    Value::deserialize(d).map(Some)
}

/// One case, typed.
#[derive(Debug, Clone, PartialEq, Default)]
#[non_exhaustive]
pub struct Case {
    /// The sync mode (`mode:`, or resolved from `vcluster:`).
    pub mode: SyncMode,
    /// `virtualCluster:` (`V` and `H`).
    pub cluster: VirtualCluster,
    /// `options:`.
    pub options: Options,
    /// `want:`.
    pub want: Want,
    /// `virtualPvc:`.
    pub virtual_pvc: Option<PersistentVolumeClaim>,
    /// `hostPv:`.
    pub host_pv: Option<PersistentVolume>,
    /// `hostStorageClass:`.
    pub host_storage_class: Option<StorageClass>,
    /// `virtualPv:`.
    pub virtual_pv: Option<PersistentVolume>,
    /// `virtualStorageClass:`.
    pub virtual_storage_class: Option<StorageClass>,
    /// The host class selector of `sync.fromHost.storageClasses.selector`, from `vcluster:`.
    pub storage_class_selector: Option<LabelSelector>,
    /// How `vcluster:` resolved [`Case::mode`] (SPEC M2/M3: the keys that decided); empty when
    /// the case states `mode:` or neither.
    pub mode_reasons: Vec<crate::config::ModeReason>,
    /// `expect:` / `expectError:`.
    pub expectation: Expectation,
    /// Fields inside the objects that their Kubernetes type does not know, as dotted paths
    /// (`virtualPvc.spec.volumName`): ignored, as `kubectl --validate=warn` ignores them, and
    /// listed here so that a caller can warn.
    pub unknown_fields: Vec<String>,
}

/// A desired object of any kind a case can ask for.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum DesiredObject {
    /// A PersistentVolume (virtual or host).
    PersistentVolume(Box<PersistentVolume>),
    /// A PersistentVolumeClaim (host).
    PersistentVolumeClaim(Box<PersistentVolumeClaim>),
    /// A StorageClass (virtual or host).
    StorageClass(Box<StorageClass>),
}

/// The result of running a case.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Outcome {
    /// The desired object, `None` when it should not exist.
    pub desired: Option<DesiredObject>,
    /// What the syncer does, compared with the current object the case gives.
    pub action: Action,
    /// Why.
    pub explanation: Explanation,
}

impl Case {
    /// Reads a case from YAML text. Unknown top-level keys are errors; objects may omit
    /// `apiVersion` and `kind`.
    pub fn from_yaml(text: &str) -> Result<Self, Error> {
        let raw: RawCase = serde_saphyr::from_str(text).map_err(|e| {
            // One line: the parser's rendering of the source below it is for a terminal, not for
            // a message a caller logs.
            let message = e.to_string();
            let first = message.lines().next().unwrap_or_default();
            Error::Case {
                reason: first.strip_prefix("error: ").unwrap_or(first).to_owned(),
            }
        })?;
        let mut raw = raw;
        for (_, steps, exact) in crate::config::inexact_numbers(text) {
            let Some((crate::config::Step::Key(top), rest)) = steps.split_first() else {
                continue;
            };
            let object = match top.as_str() {
                "virtualPvc" => raw.virtual_pvc.as_mut(),
                "hostPv" => raw.host_pv.as_mut(),
                "hostStorageClass" => raw.host_storage_class.as_mut(),
                "virtualPv" => raw.virtual_pv.as_mut(),
                "virtualStorageClass" => raw.virtual_storage_class.as_mut(),
                "expect" => raw.expect.as_mut(),
                _ => None,
            };
            if let Some(object) = object {
                crate::dump::put_back(object, rest, &exact);
            }
        }
        let mut selector = None;
        let mut mode_reasons = Vec::new();
        let mode = match (raw.mode, raw.vcluster) {
            (Some(_), Some(_)) => {
                return Err(case_error(
                    "mode, vcluster",
                    "give either `mode` or `vcluster`, not both",
                ));
            }
            (Some(mode), None) => mode,
            (None, Some(document)) => {
                let config = crate::config::resolve(&document)?;
                selector = config.class_limit().cloned();
                mode_reasons.clone_from(&config.reasons);
                config.mode
            }
            (None, None) => SyncMode::default(),
        };
        let expectation = match (raw.expect, raw.expect_error) {
            (Some(_), Some(_)) => {
                return Err(case_error(
                    "expect, expectError",
                    "give at most one of them",
                ));
            }
            (Some(Value::Null), None) => Expectation::Absent,
            (Some(object), None) => Expectation::Object(object),
            (None, Some(text)) => Expectation::Error(text),
            (None, None) => Expectation::Unspecified,
        };
        let mut unknown = Vec::new();
        let unknown_fields = &mut unknown;
        let case = Self {
            mode,
            cluster: raw.virtual_cluster.unwrap_or_default(),
            options: raw.options.unwrap_or_default(),
            want: raw.want.unwrap_or_default(),
            virtual_pvc: object(
                raw.virtual_pvc,
                "virtualPvc",
                "v1",
                "PersistentVolumeClaim",
                unknown_fields,
                text,
            )?,
            host_pv: object(
                raw.host_pv,
                "hostPv",
                "v1",
                "PersistentVolume",
                unknown_fields,
                text,
            )?,
            host_storage_class: object(
                raw.host_storage_class,
                "hostStorageClass",
                "storage.k8s.io/v1",
                "StorageClass",
                unknown_fields,
                text,
            )?,
            virtual_pv: object(
                raw.virtual_pv,
                "virtualPv",
                "v1",
                "PersistentVolume",
                unknown_fields,
                text,
            )?,
            virtual_storage_class: object(
                raw.virtual_storage_class,
                "virtualStorageClass",
                "storage.k8s.io/v1",
                "StorageClass",
                unknown_fields,
                text,
            )?,
            storage_class_selector: selector,
            mode_reasons,
            expectation,
            unknown_fields: Vec::new(),
        };
        Ok(Self {
            unknown_fields: unknown,
            ..case
        })
    }

    /// The translator this case describes, with explanations on.
    pub fn translator(&self) -> Translator {
        Translator::new(self.cluster.clone())
            .with_mode(self.mode)
            .with_options(self.options.clone())
            .with_class_selector(self.storage_class_selector.clone())
            .with_explanations(true)
    }

    /// The inputs this case gives.
    pub fn inputs(&self) -> Inputs<'_> {
        let mut inputs = Inputs::new();
        inputs.virtual_pvc = self.virtual_pvc.as_ref();
        inputs.host_pv = self.host_pv.as_ref();
        inputs.host_storage_class = self.host_storage_class.as_ref();
        inputs.virtual_pv = self.virtual_pv.as_ref();
        inputs
    }

    /// Translates: the desired object that `want` names, explained.
    pub fn run(&self) -> Result<Outcome, Error> {
        let translator = self.translator();
        match self.want {
            Want::VirtualPv => {
                let t = translator.virtual_pv(&self.inputs())?;
                Ok(outcome(t, |pv| {
                    DesiredObject::PersistentVolume(Box::new(pv))
                }))
            }
            Want::HostPv => {
                let t = translator.host_pv(&self.inputs())?;
                Ok(outcome(t, |pv| {
                    DesiredObject::PersistentVolume(Box::new(pv))
                }))
            }
            Want::HostPvc => {
                let t = translator.host_pvc(&self.inputs())?;
                Ok(outcome(t, |pvc| {
                    DesiredObject::PersistentVolumeClaim(Box::new(pvc))
                }))
            }
            Want::VirtualStorageClass => {
                self.require_class_mode(StorageClassMode::FromHost, "virtualStorageClass", "C1")?;
                let host = required(self.host_storage_class.as_ref(), "hostStorageClass")?;
                let t = translator.virtual_storage_class(host, None)?;
                Ok(outcome(t, |c| DesiredObject::StorageClass(Box::new(c))))
            }
            Want::HostStorageClass => {
                self.require_class_mode(StorageClassMode::ToHost, "hostStorageClass", "C2")?;
                let class = required(self.virtual_storage_class.as_ref(), "virtualStorageClass")?;
                let t = translator
                    .host_storage_class(&crate::storage_class::ClassInputs::new(class))?
                    .host_class;
                Ok(outcome(t, |c| DesiredObject::StorageClass(Box::new(c))))
            }
        }
    }

    /// StorageClasses cross only in their own mode; anything else would be a made-up answer.
    fn require_class_mode(
        &self,
        mode: StorageClassMode,
        want: &str,
        rule: &str,
    ) -> Result<(), Error> {
        if self.mode.storage_classes == mode {
            return Ok(());
        }
        let wanted = serde_json::to_value(mode).ok();
        let wanted = wanted.as_ref().and_then(Value::as_str).unwrap_or_default();
        Err(case_error(
            "want",
            &format!("`{want}` needs `storageClasses: {wanted}` (SPEC {rule})"),
        ))
    }
}

fn required<'a, T>(object: Option<&'a T>, key: &'static str) -> Result<&'a T, Error> {
    object.ok_or_else(|| Error::MissingInput {
        input: key,
        reason: "required by `want`".to_owned(),
    })
}

fn outcome<T>(t: Decision<T>, wrap: fn(T) -> DesiredObject) -> Outcome {
    Outcome {
        desired: t.desired.map(wrap),
        action: t.action,
        explanation: t.explanation.unwrap_or_default(),
    }
}

fn case_error(key: &str, reason: &str) -> Error {
    Error::Case {
        reason: format!("{key}: {reason}"),
    }
}

/// Types the object under `key`, adding `apiVersion` and `kind` when omitted.
fn object<T: DeserializeOwned + Serialize>(
    value: Option<Value>,
    key: &str,
    api_version: &str,
    kind: &str,
    unknown: &mut Vec<String>,
    text: &str,
) -> Result<Option<T>, Error> {
    let mut map = match value {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Object(map)) => map,
        Some(_) => {
            return Err(case_error(
                key,
                &format!("expected a {kind} object (a mapping)"),
            ));
        }
    };
    for (field, expected) in [("apiVersion", api_version), ("kind", kind)] {
        match map.get(field) {
            None => {
                map.insert(field.to_owned(), Value::String(expected.to_owned()));
            }
            Some(Value::String(found)) if found == expected => {}
            Some(found) => {
                return Err(case_error(
                    &format!("{key}.{field}"),
                    &format!("expected {expected:?}, found {found}"),
                ));
            }
        }
    }
    // The path of the field at fault (`virtualPvc.metadata.namespace: ...`), not just the object.
    let input = Value::Object(map);
    let typed: T = serde_path_to_error::deserialize(&input).map_err(|e| {
        let path = e.path().to_string();
        let field = if path == "." {
            key.to_owned()
        } else {
            format!("{key}.{path}")
        };
        // The line is looked up only for the error: reading the file again costs nothing on
        // the path that succeeds.
        let reason = e.into_inner().to_string();
        match crate::config::line_of_key(text, &field) {
            Some(line) => case_error(&format!("line {line}: {field}"), &reason),
            None => case_error(&field, &reason),
        }
    })?;
    unknown.extend(crate::unknown_fields::unknown_fields(key, &input, &typed));
    Ok(Some(typed))
}

/// The desired object as YAML with `apiVersion` and `kind`, or `null` when there is none.
pub fn to_yaml(desired: Option<&DesiredObject>) -> Result<String, Error> {
    match desired {
        None => Ok("null\n".to_owned()),
        Some(object) => serde_saphyr::to_string(object).map_err(|e| Error::Case {
            reason: format!("cannot write YAML: {e}"),
        }),
    }
}
