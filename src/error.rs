//! The crate's one error type.

use std::fmt;

/// What went wrong, naming the object and the field at fault.
///
/// Messages are stable and tested verbatim: `<object>: <field>: <reason>`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An input object breaks a rule: a missing required field or an invalid value (SPEC F7, I7).
    #[error("{object}: {field}: {reason}")]
    InvalidField {
        /// The object, e.g. `PersistentVolumeClaim default/data`.
        object: ObjectRef,
        /// The field path inside the object, e.g. `spec.accessModes`.
        field: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The inputs do not describe one volume (SPEC F4, S4): e.g. a host PV that is not the one the
    /// PVC names.
    #[error("{object}: {field}: {reason}")]
    Inconsistent {
        /// The object that does not fit the others.
        object: ObjectRef,
        /// The field that disagrees.
        field: String,
        /// How it disagrees.
        reason: String,
    },
    /// A translation needs an input that was not given, e.g. `virtualPv` for a host PV.
    #[error("{input}: {reason}")]
    MissingInput {
        /// The input's case-file key, e.g. `virtualPv`.
        input: &'static str,
        /// Why it is needed.
        reason: String,
    },
    /// A vcluster configuration value has the wrong type or an impossible combination (SPEC M2-M4).
    #[error("vcluster configuration: {}{path}: {reason}", line.map(|l| format!("line {l}: ")).unwrap_or_default())]
    Config {
        /// Dotted path of the key, e.g. `sync.toHost.persistentVolumes.enabled`.
        path: String,
        /// The 1-based line of the key in the configuration text, when it was read from text.
        line: Option<usize>,
        /// What is wrong with it.
        reason: String,
    },
    /// The virtual cluster's identity is not usable (SPEC M5): `V` or `H` is not a DNS-1123
    /// label.
    #[error("virtual cluster identity: {field} {value:?}: {reason}")]
    InvalidIdentity {
        /// `name` (`V`) or `hostNamespace` (`H`).
        field: &'static str,
        /// The value given (cut to 100 bytes).
        value: String,
        /// Why it is refused.
        reason: &'static str,
    },
    /// A case file (docs/formats.md) could not be read.
    #[error("{reason}")]
    Case {
        /// What is wrong, naming the key.
        reason: String,
    },
    /// A lifecycle simulation cannot go on (SPEC Y2): a step names an object that does not
    /// exist, a prediction asks about an unbound claim, or the syncer never settles.
    #[error("{reason}")]
    Lifecycle {
        /// What went wrong, naming the step and the object.
        reason: String,
    },
    /// A name part that no Kubernetes name can contain (SPEC N1), from the [`crate::names`]
    /// functions used directly; the rules report it as [`Error::InvalidField`] with the object.
    #[error(transparent)]
    Name(#[from] crate::names::NameError),
    /// The sync mode manages no object of the kind asked for (PV mode `None`, SPEC M2, M3).
    #[error("not managed: {reason}")]
    NotManaged {
        /// What is not managed, and why.
        reason: String,
    },
}

impl Error {
    pub(crate) fn invalid(
        object: ObjectRef,
        field: impl Into<String>,
        reason: impl Into<String>,
    ) -> Self {
        Self::InvalidField {
            object,
            field: field.into(),
            reason: reason.into(),
        }
    }

    pub(crate) fn inconsistent(
        object: ObjectRef,
        field: impl Into<String>,
        reason: impl Into<String>,
    ) -> Self {
        Self::Inconsistent {
            object,
            field: field.into(),
            reason: reason.into(),
        }
    }
}

/// Names one Kubernetes object in messages: its kind, and `namespace/name` or `name`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ObjectRef {
    /// The kind, e.g. `PersistentVolume`.
    pub kind: &'static str,
    /// The namespace; empty for cluster-scoped objects.
    pub namespace: String,
    /// The name; may be empty when the object has none (then shown as `<unnamed>`).
    pub name: String,
}

impl ObjectRef {
    /// An object of `kind` named by its metadata.
    pub fn new(
        kind: &'static str,
        meta: &k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta,
    ) -> Self {
        Self {
            kind,
            namespace: meta.namespace.clone().unwrap_or_default(),
            name: meta.name.clone().unwrap_or_default(),
        }
    }
}

impl fmt::Display for ObjectRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = if self.name.is_empty() {
            "<unnamed>"
        } else {
            &self.name
        };
        if self.namespace.is_empty() {
            write!(f, "{} {name}", self.kind)
        } else {
            write!(f, "{} {}/{name}", self.kind, self.namespace)
        }
    }
}
