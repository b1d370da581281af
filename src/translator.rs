//! The entry point: a translator configured once with the cluster identity, mode and options.

use k8s_openapi::api::core::v1::{PersistentVolume, PersistentVolumeClaim};

use crate::cluster::VirtualCluster;
use crate::error::Error;
use crate::explain::Translation;
use crate::fake;
use crate::inputs::Inputs;
use crate::mode::{PvMode, SyncMode};
use crate::options::Options;
use crate::sync;

/// Translates objects for one virtual cluster. Cheap to clone; holds no client, cache or clock.
///
/// ```
/// use pv_translate::{Options, SyncMode, Translator, VirtualCluster};
/// let translator = Translator::new(VirtualCluster::new("my-vcluster", "team-a"))
///     .with_mode(SyncMode::default())
///     .with_options(Options::default());
/// assert_eq!(translator.cluster.host_namespace, "team-a");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Translator {
    /// The virtual cluster's identity (`V`, `H`).
    pub cluster: VirtualCluster,
    /// The sync mode.
    pub mode: SyncMode,
    /// The options.
    pub options: Options,
}

impl Translator {
    /// A translator for `cluster` with the default mode (fake PVs, no class sync) and options.
    pub fn new(cluster: VirtualCluster) -> Self {
        Self {
            cluster,
            ..Self::default()
        }
    }

    /// Sets the sync mode.
    pub fn with_mode(mut self, mode: SyncMode) -> Self {
        self.mode = mode;
        self
    }

    /// Sets the options.
    pub fn with_options(mut self, options: Options) -> Self {
        self.options = options;
        self
    }

    /// The desired virtual PV for `inputs`, with its explanation.
    ///
    /// In fake mode (SPEC F1-F7) `inputs.virtual_pvc` decides; in sync mode (S1-S8) the host PV.
    pub fn virtual_pv(&self, inputs: &Inputs<'_>) -> Result<Translation<PersistentVolume>, Error> {
        match self.mode.persistent_volumes {
            PvMode::Fake => fake::translate(self, inputs),
            PvMode::Sync => sync::translate(self, inputs),
            PvMode::Disabled => Err(Error::NotManaged {
                reason: "PV mode None (legacy, both PV syncers off) manages no PersistentVolume"
                    .to_owned(),
            }),
        }
    }

    /// The desired host PV for the virtual PV `inputs.virtual_pv` (SPEC H1), explained.
    ///
    /// Only a virtual-originated PV (one without `vcluster.loft.sh/host-pv`) has a host PV made
    /// from it; for a mirrored PV this is an error, since the host PV is the source there.
    pub fn host_pv(&self, inputs: &Inputs<'_>) -> Result<Translation<PersistentVolume>, Error> {
        let Some(virtual_pv) = inputs.virtual_pv else {
            return Err(Error::MissingInput {
                input: "virtualPv",
                reason: "the host PV is made from a virtual PV (SPEC H1); none given".to_owned(),
            });
        };
        if self.mode.persistent_volumes != PvMode::Sync {
            return Err(Error::NotManaged {
                reason: "host PVs are made from virtual PVs only in sync mode (SPEC H1)".to_owned(),
            });
        }
        sync::host_pv(virtual_pv, &self.cluster)
    }

    /// The desired host PVC for the virtual PVC `inputs.virtual_pvc` (SPEC P1, P2), explained.
    ///
    /// In sync mode a PVC naming a PV in `spec.volumeName` needs that virtual PV as
    /// `inputs.virtual_pv` to translate the name (P2).
    pub fn host_pvc(
        &self,
        inputs: &Inputs<'_>,
    ) -> Result<Translation<PersistentVolumeClaim>, Error> {
        let Some(pvc) = inputs.virtual_pvc else {
            return Err(Error::MissingInput {
                input: "virtualPvc",
                reason: "the host PVC is made from a virtual PVC (SPEC P1); none given".to_owned(),
            });
        };
        sync::host_pvc(pvc, inputs.virtual_pv, self)
    }

    /// The desired virtual PV for `inputs`, without the explanation.
    pub fn desired_virtual_pv(
        &self,
        inputs: &Inputs<'_>,
    ) -> Result<Option<PersistentVolume>, Error> {
        self.virtual_pv(inputs).map(|t| t.desired)
    }
}
