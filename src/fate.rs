//! What a rule decides for one object: the vocabulary the rules answer in, before the decision
//! layer compares it with the object as it is.

use std::borrow::Cow;

use crate::explain::Rule;

/// The fate a rule gives one object.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Fate<T> {
    /// It should look like this (created when missing, updated when different).
    Desired(T),
    /// It should look like this, but the object as it is cannot be updated to it (a field the
    /// API server will not change): delete it, removing its finalizers, and create it again.
    Recreate(T),
    /// It should not exist: delete it when it does, then remove its finalizers when asked.
    Gone {
        /// Whether the finalizers are removed after the delete (no controller would).
        remove_finalizers: bool,
        /// The grace period to delete with; `None` for the object's default.
        grace_period_seconds: Option<i64>,
    },
    /// Not this rule's to change: leave it as it is.
    Untouched,
    /// Leave it as it is for now: something else must happen first.
    Wait {
        /// The rule that waits.
        rule: Rule,
        /// What it waits for.
        reason: Cow<'static, str>,
    },
    /// Two claims on the object, or a host object that is not provably this cluster's: nothing
    /// is written.
    Conflict {
        /// The rule that found it.
        rule: Rule,
        /// What conflicts.
        reason: Cow<'static, str>,
    },
}

impl<T> Fate<T> {
    /// Deleted, with finalizers removed after: a virtual PV, whose protection no virtual
    /// controller releases (vcluster runs no PV binder there).
    pub(crate) const fn deleted() -> Self {
        Self::Gone {
            remove_finalizers: true,
            grace_period_seconds: None,
        }
    }

    /// Deleted, the cluster's controllers doing the rest: a host object.
    pub(crate) const fn removed() -> Self {
        Self::Gone {
            remove_finalizers: false,
            grace_period_seconds: None,
        }
    }

    /// Deleted at once (grace period 0): a virtual PVC whose host PVC is gone (P4).
    pub(crate) const fn deleted_now() -> Self {
        Self::Gone {
            remove_finalizers: false,
            grace_period_seconds: Some(0),
        }
    }
}
