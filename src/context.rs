//! What every rule reads besides the objects: the virtual cluster's identity, the sync mode, the
//! options, and the StorageClass selector that limits syncing (SPEC C3).

use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;

use crate::cluster::VirtualCluster;
use crate::mode::{StorageClassMode, SyncMode};
use crate::options::Options;

/// The fixed settings of one virtual cluster's syncer: identity (`V`, `H`), mode and options.
///
/// Rules take a `&Context`; [`crate::Translator`] holds one. Cheap to clone.
///
/// ```
/// use pv_translate::{Context, Options, SyncMode, VirtualCluster};
/// let context = Context::new(VirtualCluster::new("my-vcluster", "team-a")?)
///     .with_mode(SyncMode::default())
///     .with_options(Options::default());
/// assert_eq!(context.cluster().host_namespace(), "team-a");
/// # Ok::<(), pv_translate::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Context {
    cluster: VirtualCluster,
    mode: SyncMode,
    options: Options,
    class_selector: Option<LabelSelector>,
}

impl Context {
    /// The settings of `cluster` with the default mode (fake PVs, no class sync) and options.
    pub fn new(cluster: VirtualCluster) -> Self {
        Self {
            cluster,
            ..Self::default()
        }
    }

    /// Sets the sync mode.
    #[must_use]
    pub fn with_mode(mut self, mode: SyncMode) -> Self {
        self.mode = mode;
        self
    }

    /// Sets the options.
    #[must_use]
    pub fn with_options(mut self, options: Options) -> Self {
        self.options = options;
        self
    }

    /// Sets `sync.fromHost.storageClasses.selector` (SPEC C1, C3). It limits only in
    /// `FromHost` mode and only when it has a requirement; see [`Context::class_limit`].
    #[must_use]
    pub fn with_class_selector(mut self, selector: Option<LabelSelector>) -> Self {
        self.class_selector = selector;
        self
    }

    /// The virtual cluster's identity.
    pub fn cluster(&self) -> &VirtualCluster {
        &self.cluster
    }

    /// The sync mode.
    pub fn mode(&self) -> SyncMode {
        self.mode
    }

    /// The options.
    pub fn options(&self) -> &Options {
        &self.options
    }

    /// The host class selector as configured (it limits which host classes appear, C1).
    pub fn class_selector(&self) -> Option<&LabelSelector> {
        self.class_selector.as_ref()
    }

    /// The selector that limits syncing PVCs and tenant PVs by class (SPEC C3): the configured
    /// one in `FromHost` mode when it has at least one requirement (vcluster's
    /// `applyLimitByClass`). An empty selector matches every class, so it limits nothing.
    pub fn class_limit(&self) -> Option<&LabelSelector> {
        let selector = self.class_selector.as_ref()?;
        let empty = selector.match_labels.as_ref().is_none_or(|m| m.is_empty())
            && selector
                .match_expressions
                .as_ref()
                .is_none_or(|e| e.is_empty());
        (self.mode.storage_classes == StorageClassMode::FromHost && !empty).then_some(selector)
    }
}
