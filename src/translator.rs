//! The façade: a translator configured once with the cluster identity, mode and options, whose
//! methods answer for one object or one pair. Every method shares the rules' one
//! implementation; explanations are built only when asked for ([`Translator::with_explanations`]).

use k8s_openapi::api::core::v1::{PersistentVolume, PersistentVolumeClaim};
use k8s_openapi::api::storage::v1::StorageClass;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;

use crate::cluster::VirtualCluster;
use crate::context::Context;
use crate::decision::{Decision, host_decision, resolve};
use crate::error::Error;
use crate::explain::{Explanation, Why};
use crate::fake::{self, FakeInputs};
use crate::inputs::Inputs;
use crate::mode::{PvMode, SyncMode};
use crate::object::{VirtualPvKind, pv_ref, virtual_pv_kind};
use crate::options::Options;
use crate::plan::Plan;
use crate::pvc::{self, PvcInputs, PvcWhys, Related};
use crate::snapshot::Snapshot;
use crate::storage_class::{self, ClassInputs, ClassPairDecision, ClassWhys};
use crate::sync::{self, Conflict, MirrorDecision, PairInputs};

/// Translates objects for one virtual cluster. Cheap to clone; holds no client, cache or clock.
///
/// ```
/// use pv_translate::{Options, SyncMode, Translator, VirtualCluster};
/// let translator = Translator::new(VirtualCluster::new("my-vcluster", "team-a")?)
///     .with_mode(SyncMode::default())
///     .with_options(Options::default());
/// assert_eq!(translator.context().cluster().host_namespace(), "team-a");
/// # Ok::<(), pv_translate::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Translator {
    context: Context,
    explain: bool,
}

/// A virtual PV and its host PV, as seen at one moment.
#[derive(Debug, Clone, Copy)]
pub struct PvPair<'a> {
    /// The virtual PersistentVolume.
    pub virtual_pv: &'a PersistentVolume,
    /// The host PersistentVolume it is paired with (its mirror source, or its copy).
    pub host_pv: &'a PersistentVolume,
}

impl<'a> PvPair<'a> {
    /// The pair of `virtual_pv` and `host_pv`.
    pub const fn new(virtual_pv: &'a PersistentVolume, host_pv: &'a PersistentVolume) -> Self {
        Self {
            virtual_pv,
            host_pv,
        }
    }
}

/// The decisions about both PVs of a pair in sync mode.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct PairDecision {
    /// The virtual PV.
    pub virtual_pv: Decision<PersistentVolume>,
    /// The host PV.
    pub host_pv: Decision<PersistentVolume>,
    /// B1 field groups both sides changed (`conflicts: Report`); always empty with the default
    /// `VirtualWins`. The host PV's action is then a conflict: nothing is written to it.
    pub conflicts: Vec<Conflict>,
    /// Why, for both PVs, when asked (fields named `virtualPv.<path>` or `hostPv.<path>` where
    /// B1/B2 decided them).
    pub explanation: Option<Explanation>,
}

impl Translator {
    /// A translator for `cluster` with the default mode (fake PVs, no class sync) and options.
    pub fn new(cluster: VirtualCluster) -> Self {
        Self {
            context: Context::new(cluster),
            explain: false,
        }
    }

    /// A translator with these settings.
    pub fn from_context(context: Context) -> Self {
        Self {
            context,
            explain: false,
        }
    }

    /// Sets the sync mode.
    #[must_use]
    pub fn with_mode(mut self, mode: SyncMode) -> Self {
        self.context = self.context.with_mode(mode);
        self
    }

    /// Sets the options.
    #[must_use]
    pub fn with_options(mut self, options: Options) -> Self {
        self.context = self.context.with_options(options);
        self
    }

    /// Sets `sync.fromHost.storageClasses.selector` (C1, C3).
    #[must_use]
    pub fn with_class_selector(mut self, selector: Option<LabelSelector>) -> Self {
        self.context = self.context.with_class_selector(selector);
        self
    }

    /// Whether decisions carry their explanation (SPEC E1). Off by default: an unexplained
    /// decision formats no string and records no provenance.
    #[must_use]
    pub fn with_explanations(mut self, explain: bool) -> Self {
        self.explain = explain;
        self
    }

    /// The settings every rule reads.
    pub fn context(&self) -> &Context {
        &self.context
    }

    /// Whether decisions carry explanations.
    pub fn explains(&self) -> bool {
        self.explain
    }

    fn why(&self) -> Why {
        Why::new(self.explain)
    }

    fn pv_mode(&self, what: &str) -> Result<PvMode, Error> {
        match self.context.mode().persistent_volumes {
            PvMode::Disabled => Err(Error::NotManaged {
                reason: format!(
                    "PV mode None (both PV syncers off, or private nodes) manages no {what}"
                ),
            }),
            mode => Ok(mode),
        }
    }

    /// The desired virtual PV for `inputs`.
    ///
    /// In fake mode (SPEC F1-F7) the virtual PVC decides; in sync mode (S1-S8, B1-B2, D1-D4)
    /// the pair of `inputs.virtual_pv` and `inputs.host_pv`, with the last synced versions when
    /// given (R2).
    ///
    /// # Errors
    ///
    /// Invalid or inconsistent inputs, naming the object and field; PV mode `None`.
    pub fn virtual_pv(&self, inputs: &Inputs<'_>) -> Result<Decision<PersistentVolume>, Error> {
        match self.pv_mode("PersistentVolume")? {
            PvMode::Sync => {
                let (fates, explanation) = self.pair_fates(inputs)?;
                Ok(resolve(inputs.virtual_pv, fates.virtual_pv, explanation))
            }
            _ => {
                let mut why = self.why();
                let fate = fake::decide(
                    &FakeInputs {
                        claim: inputs.virtual_pvc,
                        current: inputs.virtual_pv,
                        host_pv: inputs.host_pv,
                        host_class: inputs.host_storage_class,
                    },
                    &self.context,
                    &mut why,
                )?;
                Ok(resolve(inputs.virtual_pv, fate, why.finish()))
            }
        }
    }

    /// The desired host PV for the virtual PV `inputs.virtual_pv` (SPEC H1, B1-B2, D1-D4).
    ///
    /// # Errors
    ///
    /// No virtual PV given; a mirrored virtual PV without its host PV (the host PV is the source
    /// there); fake mode, where no host PV is made; invalid or inconsistent inputs.
    pub fn host_pv(&self, inputs: &Inputs<'_>) -> Result<Decision<PersistentVolume>, Error> {
        let Some(virtual_pv) = inputs.virtual_pv else {
            return Err(Error::MissingInput {
                input: "virtualPv",
                reason: "the host PV is made from a virtual PV (SPEC H1); none given".to_owned(),
            });
        };
        if self.pv_mode("PersistentVolume")? != PvMode::Sync {
            return Err(Error::NotManaged {
                reason: "host PVs are made from virtual PVs only in sync mode (SPEC H1)".to_owned(),
            });
        }
        if inputs.host_pv.is_none() {
            refuse_mirror(virtual_pv)?;
        }
        let (fates, explanation) = self.pair_fates(inputs)?;
        Ok(host_decision(
            inputs.host_pv,
            fates.host_pv,
            &fates.conflicts,
            explanation,
        ))
    }

    /// Both PVs of a pair in sync mode (SPEC S1-S8, H1, B1-B2, D1-D4, C3): the one
    /// implementation behind [`Translator::virtual_pv`], [`Translator::host_pv`] and
    /// [`Translator::keep_in_step`].
    ///
    /// # Errors
    ///
    /// Not in sync mode; invalid or inconsistent inputs.
    pub fn pv_pair(&self, inputs: &Inputs<'_>) -> Result<PairDecision, Error> {
        if self.pv_mode("PersistentVolume")? != PvMode::Sync {
            return Err(Error::NotManaged {
                reason: "PV pairs exist only in sync mode".to_owned(),
            });
        }
        let (fates, explanation) = self.pair_fates(inputs)?;
        let sync::PairFates {
            virtual_pv,
            host_pv,
            conflicts,
        } = fates;
        Ok(PairDecision {
            virtual_pv: resolve(inputs.virtual_pv, virtual_pv, None),
            host_pv: host_decision(inputs.host_pv, host_pv, &conflicts, None),
            conflicts,
            explanation,
        })
    }

    /// The one implementation of sync mode for a pair: both fates and the explanation.
    fn pair_fates(
        &self,
        inputs: &Inputs<'_>,
    ) -> Result<(sync::PairFates, Option<Explanation>), Error> {
        if self.pv_mode("PersistentVolume")? != PvMode::Sync {
            return Err(Error::NotManaged {
                reason: "PV pairs exist only in sync mode".to_owned(),
            });
        }
        let mut why = self.why();
        let fates = sync::decide(
            &PairInputs {
                virtual_pv: inputs.virtual_pv,
                host_pv: inputs.host_pv,
                last_virtual_pv: inputs.last_virtual_pv,
                last_host_pv: inputs.last_host_pv,
                virtual_pvc: inputs.virtual_pvc,
                host_pvc: inputs.host_pvc,
                host_class: inputs.host_storage_class,
                same_storage: inputs.same_storage,
            },
            &self.context,
            &mut why,
        )?;
        Ok((fates, why.finish()))
    }

    /// B1, B2 for a pair given both PVs as they were at the last sync and as they are now, the
    /// virtual PVC, if any (S7, S8), and its host copy, if any (T3: a mirror is written through
    /// only when its host PV was provisioned for that host PVC): [`Translator::pv_pair`] with
    /// history.
    ///
    /// # Errors
    ///
    /// As [`Translator::pv_pair`].
    pub fn keep_in_step(
        &self,
        last: PvPair<'_>,
        current: PvPair<'_>,
        virtual_pvc: Option<&PersistentVolumeClaim>,
        host_pvc: Option<&PersistentVolumeClaim>,
    ) -> Result<PairDecision, Error> {
        for (before, now) in [
            (last.virtual_pv, current.virtual_pv),
            (last.host_pv, current.host_pv),
        ] {
            if before.metadata.name != now.metadata.name {
                return Err(Error::inconsistent(
                    pv_ref(before),
                    "metadata.name",
                    format!(
                        "the last-synced PV is not the current one, {:?}",
                        now.metadata.name.as_deref().unwrap_or_default()
                    ),
                ));
            }
        }
        let mut inputs = Inputs::new()
            .with_virtual_pv(current.virtual_pv)
            .with_host_pv(current.host_pv)
            .with_last_pvs(Some(last.virtual_pv), Some(last.host_pv));
        inputs.virtual_pvc = virtual_pvc;
        inputs.host_pvc = host_pvc;
        self.pv_pair(&inputs)
    }

    /// S1-S5: whether `host_pv` is mirrored, given the virtual PVC and current virtual PV the
    /// syncer knows of (either may be absent).
    ///
    /// # Errors
    ///
    /// F7: an invalid PVC; S4: a PVC that is not the host PV's claim.
    pub fn mirror_decision(
        &self,
        host_pv: &PersistentVolume,
        virtual_pvc: Option<&PersistentVolumeClaim>,
        virtual_pv: Option<&PersistentVolume>,
    ) -> Result<MirrorDecision, Error> {
        sync::mirror_decision(host_pv, virtual_pvc, virtual_pv, &self.context)
    }

    /// Both PVCs of a pair, decided together (SPEC P1-P4, T2, T4, U1, U3, U4), with the
    /// explanations of the host PVC and of the virtual PVC.
    fn pvc_fates(
        &self,
        inputs: &Inputs<'_>,
        want: &'static str,
    ) -> Result<(pvc::PvcFates, Option<Explanation>, Option<Explanation>), Error> {
        let Some(virtual_pvc) = inputs.virtual_pvc else {
            return Err(Error::MissingInput {
                input: "virtualPvc",
                reason: format!("{want}; none given"),
            });
        };
        let (mut host_why, mut virtual_why) = (self.why(), self.why());
        let fates = pvc::decide(
            &PvcInputs {
                virtual_pvc,
                host_pvc: inputs.host_pvc,
                last_virtual_pvc: inputs.last_virtual_pvc,
                last_host_pvc: inputs.last_host_pvc,
                related: Related {
                    named_pv: inputs.virtual_pv,
                    named_host_pv: inputs.host_pv,
                    claimed_host_pv: inputs.host_pv,
                    bound_host_pv: inputs.host_pv,
                    host_class: inputs.host_storage_class,
                },
            },
            &self.context,
            PvcWhys {
                host: &mut host_why,
                virtual_side: &mut virtual_why,
            },
        )?;
        Ok((fates, host_why.finish(), virtual_why.finish()))
    }

    /// The desired host PVC for `inputs.virtual_pvc` (SPEC P1-P4, T2, T4, U1, U3, U4): created by
    /// P1, then following the virtual requests, labels and annotations.
    ///
    /// `inputs.virtual_pv` is the PV the PVC names and `inputs.host_pv` the host PV of the
    /// volume (P2's evidence in sync mode; in fake mode the host PV the PVC names, whose absence
    /// means none exists yet, T2); `inputs.host_storage_class` the host class of the PVC's class,
    /// absent when the host has none; `inputs.last_host_pvc` and `inputs.last_virtual_pvc` the
    /// PVCs at the last sync (R2): a host PVC seen then and gone now is not made again (P4), and
    /// labels and annotations follow the side that changed since (U1).
    ///
    /// # Errors
    ///
    /// No virtual PVC; invalid or inconsistent inputs.
    pub fn host_pvc(&self, inputs: &Inputs<'_>) -> Result<Decision<PersistentVolumeClaim>, Error> {
        let (fates, explanation, _) =
            self.pvc_fates(inputs, "the host PVC is made from a virtual PVC (SPEC P1)")?;
        Ok(resolve(inputs.host_pvc, fates.host_pvc, explanation))
    }

    /// The desired virtual PVC after the PVC syncer's back sync from `inputs.host_pvc` (SPEC P3,
    /// P4, U1, U3, U4): status, binder annotations, `volumeName`, the host's label and
    /// annotation changes; deleted when its host PVC is being deleted or gone. Reads the inputs
    /// [`Translator::host_pvc`] reads, and agrees with it.
    ///
    /// # Errors
    ///
    /// No virtual PVC given; invalid or inconsistent inputs.
    pub fn virtual_pvc(
        &self,
        inputs: &Inputs<'_>,
    ) -> Result<Decision<PersistentVolumeClaim>, Error> {
        let (fates, _, explanation) =
            self.pvc_fates(inputs, "the back sync updates a virtual PVC (SPEC P3)")?;
        let pvc = inputs.virtual_pvc;
        Ok(match fates.virtual_pvc {
            pvc::VirtualPvcFate::Plain(fate) => resolve(pvc, fate, explanation),
            pvc::VirtualPvcFate::Recreate(desired) => Decision {
                desired: Some(desired),
                action: crate::decision::Action::Recreate,
                explanation,
            },
        })
    }

    /// C1: the virtual copy of host class `host` (gone when the selector does not select it),
    /// compared with the current virtual class of that name, if any. A current virtual class that
    /// must take a field the API server will not update (`parameters`, `provisioner`,
    /// `reclaimPolicy`, `volumeBindingMode`) is recreated, never updated (U2).
    ///
    /// # Errors
    ///
    /// A class without a name; an invalid selector.
    pub fn virtual_storage_class(
        &self,
        host: &StorageClass,
        current: Option<&StorageClass>,
    ) -> Result<Decision<StorageClass>, Error> {
        let mut why = self.why();
        let fate = storage_class::from_host(host, self.context.class_selector(), &mut why)?;
        let fate = storage_class::from_host_fate(fate, current, &mut why);
        Ok(fate.resolve(current, why.finish()))
    }

    /// C2, T5, U2: a virtual class in `ToHost` mode and its host copy. Without a host class the
    /// host copy is created (N3 of the name, H1's metadata, T5's refusals); once both exist they
    /// are kept in step both ways from their last synced versions (R2): B1 on the seven class
    /// fields, B2 on labels and annotations. A field the API server will not update
    /// (`parameters`, `provisioner`, `reclaimPolicy`, `volumeBindingMode`) is never an update:
    /// the class that must take it is recreated. A host class seen at the last sync and gone
    /// now deletes the virtual class, as vcluster does.
    ///
    /// ```
    /// # use k8s_openapi::api::storage::v1::StorageClass;
    /// use pv_translate::storage_class::ClassInputs;
    /// use pv_translate::{Action, PvMode, StorageClassMode, SyncMode, Translator, VirtualCluster};
    /// let t = Translator::new(VirtualCluster::new("vc", "team-a")?)
    ///     .with_mode(SyncMode::new(PvMode::Fake, StorageClassMode::ToHost));
    /// let class: StorageClass = serde_json::from_value(serde_json::json!({
    ///     "metadata": {"name": "fast"}, "provisioner": "ebs.csi.aws.com"}))?;
    /// let pair = t.host_storage_class(&ClassInputs::new(&class))?;
    /// assert_eq!(pair.host_class.action, Action::Create);
    /// assert_eq!(pair.virtual_class.action, Action::Unchanged);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// A class without a name; a non-ASCII name (N1); a host class that is not N3 of the
    /// virtual class's name.
    pub fn host_storage_class(&self, inputs: &ClassInputs<'_>) -> Result<ClassPairDecision, Error> {
        let (mut host_why, mut virtual_why) = (self.why(), self.why());
        let fates = storage_class::to_host_pair(
            inputs,
            &self.context,
            ClassWhys {
                host: &mut host_why,
                virtual_side: &mut virtual_why,
            },
        )?;
        Ok(ClassPairDecision {
            virtual_class: fates
                .virtual_class
                .resolve(Some(inputs.virtual_class), virtual_why.finish()),
            host_class: fates
                .host_class
                .resolve(inputs.host_class, host_why.finish()),
        })
    }

    /// S6 on an owned host PV: its mirror for a new virtual PV, reusing the host PV's
    /// allocations. `None` when the host PV is not mirrored (S1-S5). Same result as
    /// [`Translator::virtual_pv`] with only the host PV and the PVC given.
    ///
    /// # Errors
    ///
    /// As [`Translator::virtual_pv`].
    pub fn mirrored_pv_owned(
        &self,
        host_pv: PersistentVolume,
        virtual_pvc: Option<&PersistentVolumeClaim>,
    ) -> Result<Option<PersistentVolume>, Error> {
        if self.pv_mode("PersistentVolume")? != PvMode::Sync {
            // Fake mode mirrors nothing: the fake PV is built from the PVC, not the host PV.
            let mut inputs = Inputs::new().with_host_pv(&host_pv);
            inputs.virtual_pvc = virtual_pvc;
            return self.virtual_pv(&inputs).map(|decision| decision.desired);
        }
        sync::mirror_owned(host_pv, virtual_pvc, &self.context)
    }

    /// H1 on an owned tenant PV: its host PV, reusing the virtual PV's allocations. `None` when
    /// it does not go to the host. Same result as [`Translator::host_pv`] with only the virtual
    /// PV given.
    ///
    /// # Errors
    ///
    /// As [`Translator::host_pv`].
    pub fn host_pv_owned(
        &self,
        virtual_pv: PersistentVolume,
    ) -> Result<Option<PersistentVolume>, Error> {
        if self.pv_mode("PersistentVolume")? != PvMode::Sync {
            return Err(Error::NotManaged {
                reason: "host PVs are made from virtual PVs only in sync mode (SPEC H1)".to_owned(),
            });
        }
        refuse_mirror(&virtual_pv)?;
        sync::host_pv_owned(virtual_pv, &self.context)
    }

    /// The plan for `current` (SPEC R1-R5): every action the syncer must take, in a
    /// deterministic order, given the snapshot after the last settled sync (`None` after a
    /// restart: R2). Objects no rule can decide about are listed in [`Plan::errors`]; the rest
    /// of the plan stands.
    pub fn plan(&self, previous: Option<&Snapshot>, current: &Snapshot) -> Plan {
        crate::plan::plan(&self.context, self.explain, previous, current)
    }

    /// The audit of both clusters (SPEC A1): typed findings, ordered by severity, kind and
    /// object. It reads the snapshot only; a pending plan is not a finding.
    pub fn audit(&self, snapshot: &Snapshot) -> Vec<crate::audit::Finding> {
        crate::audit::audit(&self.context, snapshot)
    }

    /// P1 on an owned virtual PVC: its host PVC as created, reusing the PVC's allocations. Same
    /// result as [`Translator::host_pvc`] given only the PVC (no host PVC yet, no named PV, no
    /// host class): `None` when no host PVC is to be made (a PVC being deleted, or one that
    /// class limiting holds back, C3).
    ///
    /// # Errors
    ///
    /// As [`Translator::host_pvc`].
    pub fn host_pvc_owned(
        &self,
        virtual_pvc: PersistentVolumeClaim,
    ) -> Result<Option<PersistentVolumeClaim>, Error> {
        pvc::host_pvc_owned(virtual_pvc, &self.context)
    }
}

/// H1: only a tenant's own PV has a host PV made from it; a mirror's host PV is its source.
fn refuse_mirror(virtual_pv: &PersistentVolume) -> Result<(), Error> {
    match virtual_pv_kind(virtual_pv) {
        VirtualPvKind::Mirror(host) => Err(Error::inconsistent(
            pv_ref(virtual_pv),
            "metadata.annotations",
            format!(
                "the virtual PV mirrors host PV {host:?} (vcluster.loft.sh/host-pv); only a \
                 tenant's own PV has a host PV made from it (SPEC H1)"
            ),
        )),
        _ => Ok(()),
    }
}
