//! The timeline of a simulation: every action each controller took, with its rule ids.

use std::fmt;

use serde::Serialize;

use crate::explain::{Reason, Rule};

/// Who acted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub enum Actor {
    /// A person working in the virtual cluster (a step).
    Tenant,
    /// A person working in the host cluster (a step).
    HostAdmin,
    /// vcluster's syncer, carrying out the plan (SPEC R1).
    Syncer,
    /// The host's Kubernetes controllers (SPEC K1-K5).
    HostKubernetes,
    /// The virtual cluster's API server and protection controllers (SPEC Y1).
    VirtualKubernetes,
}

impl Actor {
    /// The name as timelines print it.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Tenant => "tenant",
            Self::HostAdmin => "host admin",
            Self::Syncer => "syncer",
            Self::HostKubernetes => "host kubernetes",
            Self::VirtualKubernetes => "virtual kubernetes",
        }
    }
}

/// What an action was done to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub enum Target {
    /// An object of the virtual cluster.
    Virtual,
    /// An object of the host cluster.
    Host,
    /// A disk.
    Disk,
}

/// One action in the timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Event {
    /// The step it belongs to (0: the starting world's settle).
    pub step: usize,
    /// The settle round (0: the step itself).
    pub round: usize,
    /// Who acted.
    pub actor: Actor,
    /// On what.
    pub target: Target,
    /// What happened, in one sentence.
    pub text: String,
    /// The rules behind it.
    pub rules: Vec<Rule>,
}

impl fmt::Display for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.actor.as_str(), self.text)?;
        if !self.rules.is_empty() {
            let ids: Vec<&str> = self.rules.iter().map(|r| r.id()).collect();
            write!(f, " [{}]", ids.join(", "))?;
        }
        Ok(())
    }
}

/// The recorder; off, it formats nothing.
#[derive(Debug, Clone, Default)]
pub(crate) struct Log {
    pub(crate) events: Vec<Event>,
    pub(crate) step: usize,
    pub(crate) round: usize,
    pub(crate) enabled: bool,
}

impl Log {
    /// Records an action; a closure text runs only when recording.
    pub(crate) fn record(
        &mut self,
        actor: Actor,
        target: Target,
        text: impl Reason,
        rules: &[Rule],
    ) {
        if !self.enabled {
            return;
        }
        self.events.push(Event {
            step: self.step,
            round: self.round,
            actor,
            target,
            text: text.text().into_owned(),
            rules: rules.to_vec(),
        });
    }
}
