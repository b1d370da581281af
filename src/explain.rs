//! Explanations (SPEC E1): which rules decided a result and where each field came from.

use std::fmt;

macro_rules! rules {
    ($($id:ident),* $(,)?) => {
        /// A rule of SPEC.md, by its id.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum Rule {
            $(
                #[doc = concat!("SPEC rule ", stringify!($id), ".")]
                $id,
            )*
        }

        impl Rule {
            /// The id as SPEC.md writes it, e.g. `"F3"`.
            pub const fn id(self) -> &'static str {
                match self {
                    $(Self::$id => stringify!($id),)*
                }
            }
        }
    };
}

rules!(
    M1, M2, M3, M4, N1, N2, N3, N4, N5, F1, F2, F3, F4, F5, F6, F7, S1, S2, S3, S4, S5, S6, S7, S8,
    H1, B1, B2, D1, D2, D3, D4, C1, C2, P1, P2, L1, A1,
);

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// One of the inputs of a translation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Input {
    /// The virtual PersistentVolumeClaim.
    VirtualPvc,
    /// The host PersistentVolume.
    HostPv,
    /// The host StorageClass.
    HostStorageClass,
    /// The current virtual PersistentVolume.
    VirtualPv,
    /// The virtual StorageClass.
    VirtualStorageClass,
}

impl Input {
    /// The case-file key of this input (CASES.md).
    pub const fn key(self) -> &'static str {
        match self {
            Self::VirtualPvc => "virtualPvc",
            Self::HostPv => "hostPv",
            Self::HostStorageClass => "hostStorageClass",
            Self::VirtualPv => "virtualPv",
            Self::VirtualStorageClass => "virtualStorageClass",
        }
    }
}

/// Where the value of one field of a desired object came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// Copied from a field of an input.
    Input(Input, &'static str),
    /// A fixed value that vcluster always writes.
    Constant,
    /// Computed by a rule (a name, a marker, a translated key).
    Rule(Rule),
    /// Chosen by an option; `from` is the input field it took, `None` for the option's fallback.
    Option {
        /// The option's key, e.g. `fakeReclaimPolicy`.
        name: &'static str,
        /// The option's value as written in SPEC §7.
        value: &'static str,
        /// The input field used, if any.
        from: Option<(Input, &'static str)>,
    },
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Input(input, field) => write!(f, "{} {field}", input.key()),
            Self::Constant => f.write_str("vcluster constant"),
            Self::Rule(rule) => write!(f, "computed by {rule}"),
            Self::Option { name, value, from } => {
                write!(f, "option {name}={value}: ")?;
                match from {
                    Some((input, field)) => write!(f, "{} {field}", input.key()),
                    None => f.write_str("fallback"),
                }
            }
        }
    }
}

/// The origin of one field of a desired object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldOrigin {
    /// The field path in the desired object, e.g. `spec.persistentVolumeReclaimPolicy`.
    pub field: &'static str,
    /// Where its value came from.
    pub source: Source,
}

/// Why a result is what it is (SPEC E1).
///
/// ```
/// use pv_translate::explain::{Explanation, Rule};
/// let mut why = Explanation::default();
/// why.rule(Rule::F1, "the PVC is not bound");
/// assert_eq!(why.rules(), vec![Rule::F1]);
/// assert_eq!(why.to_string(), "F1: the PVC is not bound\n");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Explanation {
    /// The rules applied, in order, each with a sentence.
    pub steps: Vec<(Rule, String)>,
    /// Where each field of the desired object came from.
    pub fields: Vec<FieldOrigin>,
}

impl Explanation {
    /// Records that `rule` decided something, with a short reason.
    pub fn rule(&mut self, rule: Rule, reason: impl Into<String>) {
        self.steps.push((rule, reason.into()));
    }

    /// Records where `field` came from.
    pub fn field(&mut self, field: &'static str, source: Source) {
        self.fields.push(FieldOrigin { field, source });
    }

    /// The distinct rules applied, in the order first applied.
    pub fn rules(&self) -> Vec<Rule> {
        let mut out: Vec<Rule> = Vec::new();
        for (rule, _) in &self.steps {
            if !out.contains(rule) {
                out.push(*rule);
            }
        }
        out
    }

    /// Whether `rule` took part.
    pub fn applied(&self, rule: Rule) -> bool {
        self.steps.iter().any(|(r, _)| *r == rule)
    }
}

impl fmt::Display for Explanation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (rule, reason) in &self.steps {
            writeln!(f, "{rule}: {reason}")?;
        }
        for origin in &self.fields {
            writeln!(f, "  {} <- {}", origin.field, origin.source)?;
        }
        Ok(())
    }
}

/// A desired object (or none) together with the explanation of how it was decided.
#[derive(Debug, Clone, PartialEq)]
pub struct Translation<T> {
    /// The desired object; `None` means it should not exist (delete it if it does).
    pub desired: Option<T>,
    /// Why.
    pub explanation: Explanation,
}
