//! The reclaim policy as a typed value.

use std::fmt;
use std::str::FromStr;

/// A PersistentVolume reclaim policy (`spec.persistentVolumeReclaimPolicy`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReclaimPolicy {
    /// The volume and its data are deleted when the claim goes.
    Delete,
    /// The volume is kept (`Released`) with its data when the claim goes.
    Retain,
    /// Deprecated: the volume is scrubbed and made available again.
    Recycle,
}

impl ReclaimPolicy {
    /// The wire string.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Delete => "Delete",
            Self::Retain => "Retain",
            Self::Recycle => "Recycle",
        }
    }

    /// Whether the data survives the claim's deletion.
    pub const fn keeps_data(self) -> bool {
        matches!(self, Self::Retain)
    }
}

impl fmt::Display for ReclaimPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A string that is not one of `Delete`, `Retain`, `Recycle`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown reclaim policy {0:?} (want Delete, Retain or Recycle)")]
pub struct UnknownReclaimPolicy(pub String);

impl FromStr for ReclaimPolicy {
    type Err = UnknownReclaimPolicy;

    /// Parses the exact wire strings (the API server is case-sensitive too).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "Delete" => Ok(Self::Delete),
            "Retain" => Ok(Self::Retain),
            "Recycle" => Ok(Self::Recycle),
            other => Err(UnknownReclaimPolicy(other.to_owned())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn k1_only_retain_keeps_the_data() {
        assert!(ReclaimPolicy::Retain.keeps_data());
        assert!(!ReclaimPolicy::Delete.keeps_data());
        assert!(!ReclaimPolicy::Recycle.keeps_data());
    }
}
