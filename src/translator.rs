//! The entry point: a translator configured once with the cluster identity, mode and options.

use k8s_openapi::api::core::v1::PersistentVolume;

use crate::cluster::VirtualCluster;
use crate::error::Error;
use crate::explain::Translation;
use crate::fake;
use crate::inputs::Inputs;
use crate::mode::{PvMode, SyncMode};
use crate::options::Options;

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
            PvMode::Sync => Err(Error::Unsupported(
                "sync mode is not implemented yet".to_owned(),
            )),
            PvMode::Disabled => Err(Error::Unsupported(
                "PV mode None (legacy, both PV syncers off) manages no PersistentVolume".to_owned(),
            )),
        }
    }

    /// The desired virtual PV for `inputs`, without the explanation.
    pub fn desired_virtual_pv(
        &self,
        inputs: &Inputs<'_>,
    ) -> Result<Option<PersistentVolume>, Error> {
        self.virtual_pv(inputs).map(|t| t.desired)
    }
}
