//! Explanations (SPEC E1): which rules decided a result and where each field came from.
//!
//! Rules record what they do into a `Why`, which is either switched off (the default, and
//! free: no string is formatted, nothing is stored) or collecting an [`Explanation`]. A caller
//! that does not ask for the explanation does not pay for it.

use std::borrow::Cow;
use std::fmt;

use serde::{Serialize, Serializer};

macro_rules! rules {
    ($($id:ident),* $(,)?) => {
        /// A rule of the crate's specification, by its id (see the module that implements it).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum Rule {
            $(
                #[doc = concat!("Rule ", stringify!($id), ".")]
                $id,
            )*
        }

        impl Rule {
            /// The id as the specification writes it, e.g. `"F3"`.
            pub const fn id(self) -> &'static str {
                match self {
                    $(Self::$id => stringify!($id),)*
                }
            }
        }
    };
}

rules!(
    M1, M2, M3, M4, M5, N1, N2, N3, N4, N5, F1, F2, F3, F4, F5, F6, F7, S1, S2, S3, S4, S5, S6, S7,
    S8, H1, B1, B2, D1, D2, D3, D4, C1, C2, C3, P1, P2, P3, P4, E1, L1, A1, R1, R2, R3, R4, R5, K1,
    K2, K3, K4, K5, Y1, Y2, Y3, T0, T1, T2, T3, T4, T5, T6, U1, U2, U3, U4, U5,
);

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

impl Serialize for Rule {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.id())
    }
}

/// One of the inputs of a translation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub enum Input {
    /// The virtual PersistentVolumeClaim.
    VirtualPvc,
    /// The host PersistentVolumeClaim.
    HostPvc,
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
    /// The case-file key of this input.
    pub const fn key(self) -> &'static str {
        match self {
            Self::VirtualPvc => "virtualPvc",
            Self::HostPvc => "hostPvc",
            Self::HostPv => "hostPv",
            Self::HostStorageClass => "hostStorageClass",
            Self::VirtualPv => "virtualPv",
            Self::VirtualStorageClass => "virtualStorageClass",
        }
    }
}

/// Where the value of one field of a desired object came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase", tag = "kind")]
#[non_exhaustive]
pub enum Source {
    /// Copied from a field of an input.
    Input {
        /// The input.
        input: Input,
        /// Its field.
        field: &'static str,
    },
    /// A fixed value that vcluster always writes.
    Constant,
    /// Computed by a rule (a name, a marker, a translated key).
    Rule {
        /// The rule.
        rule: Rule,
    },
    /// Chosen by an option; `from` is the input field it took, `None` for the option's fallback.
    Option {
        /// The option's key, e.g. `fakeReclaimPolicy`.
        name: &'static str,
        /// The option's value as its documentation writes it.
        value: &'static str,
        /// The input and field used, if any.
        from: Option<(Input, &'static str)>,
    },
    /// Left as the current object has it.
    Kept,
}

impl Source {
    /// Copied from `field` of `input`.
    pub const fn input(input: Input, field: &'static str) -> Self {
        Self::Input { input, field }
    }

    /// Computed by `rule`.
    pub const fn rule(rule: Rule) -> Self {
        Self::Rule { rule }
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Input { input, field } => write!(f, "{} {field}", input.key()),
            Self::Constant => f.write_str("vcluster constant"),
            Self::Rule { rule } => write!(f, "computed by {rule}"),
            Self::Option { name, value, from } => {
                write!(f, "option {name}={value}: ")?;
                match from {
                    Some((input, field)) => write!(f, "{} {field}", input.key()),
                    None => f.write_str("fallback"),
                }
            }
            Self::Kept => f.write_str("kept as it is"),
        }
    }
}

/// The origin of one field of a desired object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldOrigin {
    /// The field path in the desired object, e.g. `spec.persistentVolumeReclaimPolicy`.
    pub field: &'static str,
    /// Where its value came from.
    pub source: Source,
}

/// One rule applied, with a sentence saying what it decided.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Step {
    /// The rule.
    pub rule: Rule,
    /// What it decided.
    pub reason: Cow<'static, str>,
}

/// Why a result is what it is (SPEC E1). Serialisable, e.g. for structured logs.
///
/// ```
/// use pv_translate::explain::{Explanation, Rule};
/// let mut why = Explanation::default();
/// why.rule(Rule::F1, "the PVC is not bound");
/// assert_eq!(why.rules(), vec![Rule::F1]);
/// assert_eq!(why.to_string(), "F1: the PVC is not bound\n");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Explanation {
    /// The rules applied, in order, each with a sentence.
    pub steps: Vec<Step>,
    /// Where each field of the desired object came from.
    pub fields: Vec<FieldOrigin>,
}

impl Explanation {
    /// Records that `rule` decided something, with a short reason.
    pub fn rule(&mut self, rule: Rule, reason: impl Into<Cow<'static, str>>) {
        self.steps.push(Step {
            rule,
            reason: reason.into(),
        });
    }

    /// Records where `field` came from.
    pub fn field(&mut self, field: &'static str, source: Source) {
        self.fields.push(FieldOrigin { field, source });
    }

    /// The distinct rules applied, in the order first applied.
    pub fn rules(&self) -> Vec<Rule> {
        let mut out: Vec<Rule> = Vec::new();
        for step in &self.steps {
            if !out.contains(&step.rule) {
                out.push(step.rule);
            }
        }
        out
    }

    /// Whether `rule` took part.
    pub fn applied(&self, rule: Rule) -> bool {
        self.steps.iter().any(|s| s.rule == rule)
    }

    /// Where `field` came from, if recorded (the last record wins).
    pub fn source_of(&self, field: &str) -> Option<&Source> {
        self.fields
            .iter()
            .rev()
            .find(|o| o.field == field)
            .map(|o| &o.source)
    }
}

impl fmt::Display for Explanation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for step in &self.steps {
            writeln!(f, "{}: {}", step.rule, step.reason)?;
        }
        for origin in &self.fields {
            writeln!(f, "  {} <- {}", origin.field, origin.source)?;
        }
        Ok(())
    }
}

/// A reason a rule gives: a fixed sentence, or one built only when the explanation is kept.
pub(crate) trait Reason {
    /// The sentence.
    fn text(self) -> Cow<'static, str>;
}

impl Reason for &'static str {
    fn text(self) -> Cow<'static, str> {
        Cow::Borrowed(self)
    }
}

impl<F: FnOnce() -> String> Reason for F {
    fn text(self) -> Cow<'static, str> {
        Cow::Owned(self())
    }
}

/// The recorder rules write to: off (nothing recorded, nothing formatted) or collecting.
#[derive(Debug, Default)]
pub(crate) struct Why {
    log: Option<Explanation>,
}

impl Why {
    /// A recorder that keeps an explanation when `on`.
    pub(crate) fn new(on: bool) -> Self {
        Self {
            log: on.then(Explanation::default),
        }
    }

    /// Whether anything is recorded.
    pub(crate) const fn is_on(&self) -> bool {
        self.log.is_some()
    }

    /// Records that `rule` decided something; a closure reason runs only when recording.
    #[inline]
    pub(crate) fn rule(&mut self, rule: Rule, reason: impl Reason) {
        if let Some(log) = self.log.as_mut() {
            log.rule(rule, reason.text());
        }
    }

    /// Records where `field` came from.
    #[inline]
    pub(crate) fn field(&mut self, field: &'static str, source: Source) {
        if let Some(log) = self.log.as_mut() {
            log.field(field, source);
        }
    }

    /// Records where `field` came from: copied from `field_of` of `input`.
    #[inline]
    pub(crate) fn copied(&mut self, field: &'static str, input: Input, field_of: &'static str) {
        self.field(field, Source::input(input, field_of));
    }

    /// Appends another recorder's explanation, renaming its fields with `rename`.
    pub(crate) fn absorb(&mut self, other: Why, rename: impl Fn(&'static str) -> &'static str) {
        if let (Some(log), Some(other)) = (self.log.as_mut(), other.log) {
            log.steps.extend(other.steps);
            log.fields
                .extend(other.fields.into_iter().map(|mut origin| {
                    origin.field = rename(origin.field);
                    origin
                }));
        }
    }

    /// The explanation, when recording.
    pub(crate) fn finish(self) -> Option<Explanation> {
        self.log
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    #[test]
    fn e1_an_unasked_explanation_formats_nothing() {
        let mut why = Why::new(false);
        let mut called = false;
        why.rule(Rule::F1, || {
            called = true;
            String::from("formatted")
        });
        why.field("spec", Source::Constant);
        assert!(!called, "a reason was formatted for nobody");
        assert!(why.finish().is_none());
    }

    #[test]
    fn e1_an_asked_explanation_keeps_rules_and_fields_in_order() {
        let mut why = Why::new(true);
        why.rule(Rule::F1, "bound");
        why.rule(Rule::F3, || format!("policy {}", "Delete"));
        why.copied("spec.accessModes", Input::VirtualPvc, "spec.accessModes");
        let explanation = why.finish().unwrap();
        assert_eq!(explanation.rules(), vec![Rule::F1, Rule::F3]);
        assert_eq!(
            explanation.to_string(),
            "F1: bound\nF3: policy Delete\n  spec.accessModes <- virtualPvc spec.accessModes\n"
        );
        assert_eq!(
            explanation.source_of("spec.accessModes"),
            Some(&Source::input(Input::VirtualPvc, "spec.accessModes"))
        );
        let json = serde_json::to_value(&explanation).unwrap();
        assert_eq!(json["steps"][1]["rule"], "F3");
        assert_eq!(json["fields"][0]["source"]["kind"], "input");
    }
}
