//! The plan (SPEC R1-R5): every action the syncer must take so that both clusters match the
//! desired objects of every rule, composed from the single-object decisions (it never
//! re-implements a rule), in a deterministic order.
//!
//! - **R1** Each action names its cluster, kind and object: create, update (with the changed
//!   fields), recreate, delete (and whether finalizers are removed after), wait, conflict.
//! - **R2** The previous snapshot (the state after the last settled sync) gives B1 and B2 their
//!   last synced values, D2 and P4 what was seen; without one, everything counts as unchanged
//!   except the virtual labels.
//! - **R3** One action per object: when rules disagree, a conflict wins (nothing is written),
//!   then delete, recreate, create or update, wait. Ordered by cluster (host first), kind
//!   (StorageClass, PersistentVolume, PersistentVolumeClaim), namespace, name.
//! - **R4** Linear in the number of objects: every lookup goes through the snapshot's indexes;
//!   explanations only when asked.
//! - **R5** A host object found under a computed name (N2, N3) is updated or deleted only when it
//!   carries this virtual cluster's marker and the `object-name` of its source; otherwise the
//!   action is a conflict. (A mirrored host PV is not found by a computed name: S5's evidence
//!   proves it is this cluster's.)

mod classes;
mod pvcs;
mod pvs;

use std::collections::HashMap;
use std::fmt;

use k8s_openapi::api::core::v1::{PersistentVolume, PersistentVolumeClaim};
use k8s_openapi::api::storage::v1::StorageClass;
use serde::Serialize;

use crate::context::Context;
use crate::decision::{Action, Decision};
use crate::error::Error;
use crate::explain::{Explanation, Rule, Why};
use crate::snapshot::Snapshot;

/// Which cluster an action is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum ClusterSide {
    /// The host cluster (first in a plan).
    Host,
    /// The virtual cluster.
    Virtual,
}

/// The kind of object an action is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[non_exhaustive]
pub enum Kind {
    /// A StorageClass.
    StorageClass,
    /// A PersistentVolume.
    PersistentVolume,
    /// A PersistentVolumeClaim.
    PersistentVolumeClaim,
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::StorageClass => "StorageClass",
            Self::PersistentVolume => "PersistentVolume",
            Self::PersistentVolumeClaim => "PersistentVolumeClaim",
        })
    }
}

/// A desired object of any kind a plan writes.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
#[non_exhaustive]
pub enum Object {
    /// A StorageClass.
    StorageClass(Box<StorageClass>),
    /// A PersistentVolume.
    PersistentVolume(Box<PersistentVolume>),
    /// A PersistentVolumeClaim.
    PersistentVolumeClaim(Box<PersistentVolumeClaim>),
}

/// One action of a plan.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct PlannedAction {
    /// The cluster it is for.
    pub cluster: ClusterSide,
    /// The kind of object.
    pub kind: Kind,
    /// The object's namespace; empty for cluster-scoped objects.
    pub namespace: String,
    /// The object's name.
    pub name: String,
    /// What to do.
    pub action: Action,
    /// The object as it should be afterwards; `None` when it should not exist.
    pub desired: Option<Object>,
    /// Why, when asked for (SPEC E1).
    pub explanation: Option<Explanation>,
}

impl fmt::Display for PlannedAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let side = match self.cluster {
            ClusterSide::Host => "host",
            ClusterSide::Virtual => "virtual",
        };
        if self.namespace.is_empty() {
            write!(f, "{side} {} {}: {}", self.kind, self.name, self.action)
        } else {
            write!(
                f,
                "{side} {} {}/{}: {}",
                self.kind, self.namespace, self.name, self.action
            )
        }
    }
}

/// What the syncer must do for a snapshot (SPEC R1).
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct Plan {
    /// Every action, in R3's order; objects already as desired have none.
    pub actions: Vec<PlannedAction>,
    /// Objects no rule could decide about (invalid or inconsistent inputs), each error naming
    /// the object; the rest of the plan stands.
    pub errors: Vec<Error>,
}

impl Plan {
    /// Whether the plan writes nothing: it holds only waits and conflicts (a fixed point, Y3).
    pub fn is_settled(&self) -> bool {
        self.actions.iter().all(|a| a.action.writes_nothing())
    }
}

/// The key an action is filed under: R3's order.
type Key = (ClusterSide, Kind, String, String);

/// Collects the single-object decisions into a plan, one action per object (R3).
pub(crate) struct Builder<'a> {
    context: &'a Context,
    explain: bool,
    // Hashed while collecting, sorted once at the end: cheaper than a B-tree of string keys.
    actions: HashMap<Key, PlannedAction>,
    errors: Vec<Error>,
}

/// R3's precedence: a conflict writes nothing and wins; then delete, recreate, create or
/// update, wait.
/// Whether an action writes (R3's ranks between wait and conflict).
fn writes(action: &Action) -> bool {
    matches!(
        action,
        Action::Delete { .. } | Action::Recreate | Action::Create | Action::Update { .. }
    )
}

fn rank(action: &Action) -> u8 {
    match action {
        Action::Conflict { .. } => 5,
        Action::Delete { .. } => 4,
        Action::Recreate => 3,
        Action::Create | Action::Update { .. } => 2,
        Action::Wait { .. } => 1,
        Action::Unchanged => 0,
    }
}

impl<'a> Builder<'a> {
    fn new(context: &'a Context, explain: bool) -> Self {
        Self {
            context,
            explain,
            actions: HashMap::new(),
            errors: Vec::new(),
        }
    }

    /// A recorder for one decision.
    pub(crate) fn why(&self) -> Why {
        Why::new(self.explain)
    }

    /// The settings the rules read.
    pub(crate) fn context(&self) -> &'a Context {
        self.context
    }

    /// Records an error about one object.
    pub(crate) fn error(&mut self, error: Error) {
        self.errors.push(error);
    }

    /// Files a rule's fate for an object as it is now; an object the fate leaves as it is files
    /// nothing, and costs no copy.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn record_fate<T: crate::decision::Object>(
        &mut self,
        cluster: ClusterSide,
        kind: Kind,
        key: (&str, &str),
        current: Option<&T>,
        fate: crate::fate::Fate<T>,
        explanation: Option<Explanation>,
        wrap: fn(T) -> Object,
    ) {
        if crate::decision::is_noop(current, &fate) {
            return;
        }
        let decision = crate::decision::resolve(current, fate, explanation);
        self.record(cluster, kind, key, current, decision, wrap);
    }

    /// Files a decision about the object `current`; an unchanged object files nothing.
    pub(crate) fn record<T: crate::decision::Object>(
        &mut self,
        cluster: ClusterSide,
        kind: Kind,
        (namespace, name): (&str, &str),
        current: Option<&T>,
        decision: Decision<T>,
        wrap: fn(T) -> Object,
    ) {
        if decision.action == Action::Unchanged {
            return;
        }
        let planned = PlannedAction {
            cluster,
            kind,
            namespace: namespace.to_owned(),
            name: name.to_owned(),
            action: decision.action,
            desired: decision.desired.map(wrap),
            explanation: decision.explanation,
        };
        let key = (
            cluster,
            kind,
            planned.namespace.clone(),
            planned.name.clone(),
        );
        let Some(existing) = self.actions.get_mut(&key) else {
            self.actions.insert(key, planned);
            return;
        };
        let (filed, new) = (rank(&existing.action), rank(&planned.action));
        if new > filed {
            *existing = planned;
        } else if new == filed
            && writes(&planned.action)
            && (existing.action != planned.action || existing.desired != planned.desired)
        {
            // Two rules would write the same object differently (e.g. two virtual PVs that
            // both claim one host PV): R3's "when rules disagree, a conflict wins", and nothing
            // is written rather than whichever was decided first.
            let reason = format!(
                "two decisions disagree about {}: {} and {}; nothing is written",
                planned.kind, existing.action, planned.action
            );
            if let Some(explanation) = existing.explanation.as_mut() {
                explanation.rule(Rule::R3, reason.clone());
            }
            existing.action = Action::Conflict {
                rule: Rule::R3,
                reason,
            };
            existing.desired = current.map(crate::decision::Object::user_part).map(wrap);
        }
    }

    fn finish(self) -> Plan {
        let mut actions: Vec<PlannedAction> = self.actions.into_values().collect();
        actions.sort_unstable_by(|a, b| {
            (a.cluster, a.kind, &a.namespace, &a.name).cmp(&(
                b.cluster,
                b.kind,
                &b.namespace,
                &b.name,
            ))
        });
        Plan {
            actions,
            errors: self.errors,
        }
    }
}

/// R1-R5: the plan for `current`, given the snapshot after the last settled sync (`previous`,
/// `None` after a restart).
pub(crate) fn plan(
    context: &Context,
    explain: bool,
    previous: Option<&Snapshot>,
    current: &Snapshot,
) -> Plan {
    let mut builder = Builder::new(context, explain);
    classes::plan(&mut builder, previous, current);
    pvs::plan(&mut builder, previous, current);
    pvcs::plan(&mut builder, previous, current);
    builder.finish()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use k8s_openapi::api::core::v1::PersistentVolume;

    use super::*;

    fn pv(policy: &str) -> PersistentVolume {
        serde_json::from_value(serde_json::json!({
            "metadata": {"name": "pv", "uid": "server-set"},
            "spec": {"persistentVolumeReclaimPolicy": policy},
        }))
        .unwrap()
    }

    fn update(desired: PersistentVolume) -> Decision<PersistentVolume> {
        Decision {
            desired: Some(desired),
            action: Action::Update {
                changed: vec!["/spec/persistentVolumeReclaimPolicy".to_owned()],
            },
            explanation: None,
        }
    }

    fn other(action: Action) -> Decision<PersistentVolume> {
        Decision {
            desired: None,
            action,
            explanation: None,
        }
    }

    /// Files the decisions in order about one PV whose current state is `pv("Retain")`; returns
    /// the one action filed.
    fn filed(decisions: Vec<Decision<PersistentVolume>>) -> PlannedAction {
        let context = Context::default();
        let mut builder = Builder::new(&context, false);
        let current = pv("Retain");
        for decision in decisions {
            builder.record(
                ClusterSide::Host,
                Kind::PersistentVolume,
                ("", "pv"),
                Some(&current),
                decision,
                |pv| Object::PersistentVolume(Box::new(pv)),
            );
        }
        let mut plan = builder.finish();
        assert_eq!(plan.actions.len(), 1, "{plan:?}");
        plan.actions.remove(0)
    }

    fn wait() -> Action {
        Action::Wait {
            rule: Rule::D1,
            reason: "w".to_owned(),
        }
    }

    fn conflict(rule: Rule) -> Action {
        Action::Conflict {
            rule,
            reason: "c".to_owned(),
        }
    }

    #[test]
    fn r3_a_higher_rank_wins_in_either_order() {
        let kept = filed(vec![update(pv("Delete")), other(wait())]);
        assert!(
            matches!(kept.action, Action::Update { .. }),
            "{}",
            kept.action
        );
        let kept = filed(vec![other(wait()), update(pv("Delete"))]);
        assert!(
            matches!(kept.action, Action::Update { .. }),
            "{}",
            kept.action
        );
        // A conflict filed first is kept as it is, not turned into R3's.
        let kept = filed(vec![other(conflict(Rule::S6)), update(pv("Delete"))]);
        assert_eq!(kept.action, conflict(Rule::S6));
        let kept = filed(vec![update(pv("Delete")), other(conflict(Rule::S6))]);
        assert_eq!(kept.action, conflict(Rule::S6));
    }

    #[test]
    fn r3_equal_writes_agree_and_different_ones_conflict() {
        let kept = filed(vec![update(pv("Delete")), update(pv("Delete"))]);
        assert!(
            matches!(kept.action, Action::Update { .. }),
            "{}",
            kept.action
        );
        let kept = filed(vec![update(pv("Delete")), update(pv("Recycle"))]);
        assert!(
            matches!(kept.action, Action::Conflict { rule: Rule::R3, .. }),
            "{}",
            kept.action
        );
        // The conflict keeps the object as it is, without what the server set.
        let mut as_it_is = pv("Retain");
        as_it_is.metadata.uid = None;
        assert_eq!(
            kept.desired,
            Some(Object::PersistentVolume(Box::new(as_it_is)))
        );
        // Two waits of one object are not writes: the first stays.
        let kept = filed(vec![other(wait()), other(conflict(Rule::R5))]);
        assert_eq!(kept.action, conflict(Rule::R5));
    }
}
