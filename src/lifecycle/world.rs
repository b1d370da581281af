//! The world (SPEC Y1) and its steps and settles (Y2).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use k8s_openapi::api::core::v1::{PersistentVolume, PersistentVolumeClaim};
use k8s_openapi::api::storage::v1::StorageClass;

use super::apply;
use super::ids::Ids;
use super::invariants::{self, Violation};
use super::kube::{Disk, Disks, Facts, Kube, admit_pv, admit_pvc};
use super::log::{Actor, Event, Log, Target};
use crate::decision::Action;
use crate::error::{Error, ObjectRef};
use crate::explain::Rule;
use crate::object::{claimed_volume, has_cluster_marker, name, namespace};
use crate::plan::{ClusterSide, Kind, Object, Plan};
use crate::snapshot::{Objects, Snapshot};
use crate::translator::Translator;

/// The most rounds a settle may take before it is a sync loop (SPEC Y2).
pub const MAX_ROUNDS: usize = 100;

/// One action of a person (SPEC Y2).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Step {
    /// Create an object in a cluster.
    Create {
        /// Where.
        cluster: ClusterSide,
        /// The object.
        object: Object,
    },
    /// Replace an object of the same kind and name (its server-set fields and status stay).
    Update {
        /// Where.
        cluster: ClusterSide,
        /// The new object.
        object: Object,
    },
    /// Delete an object.
    Delete {
        /// Where.
        cluster: ClusterSide,
        /// Its kind.
        kind: Kind,
        /// Its namespace (empty for cluster-scoped objects).
        namespace: String,
        /// Its name.
        name: String,
    },
    /// A host admin changes a host PV's reclaim policy.
    SetReclaimPolicy {
        /// The host PV.
        name: String,
        /// The new policy.
        policy: String,
    },
    /// The syncer restarts: it forgets its previous snapshot (R2).
    Restart,
    /// A fact of the host (SPEC K3, K4): the external provisioner (or, for a `kubernetes.io/`
    /// name, the in-tree plugin) `name` runs or does not. One no fact names runs when a host
    /// StorageClass names it.
    Provisioner {
        /// The provisioner's name.
        name: String,
        /// Whether it runs.
        running: bool,
    },
    /// A fact of the world (SPEC K3): a consumer (a pod the scheduler placed) uses the claim
    /// `namespace/name`, so that a `WaitForFirstConsumer` class binds or provisions it. In the
    /// virtual cluster, the consumer uses the claim's host copy (N2 in `H`).
    Consumer {
        /// The claim's cluster.
        cluster: ClusterSide,
        /// The claim's namespace.
        namespace: String,
        /// The claim's name.
        name: String,
    },
}

/// One cluster's objects before the first step, in the order written (SPEC Y1 numbers the uids
/// of objects written without one by this order: classes, then PVs, then PVCs).
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct Starting {
    /// The StorageClasses.
    pub storage_classes: Vec<StorageClass>,
    /// The PersistentVolumes.
    pub persistent_volumes: Vec<PersistentVolume>,
    /// The PersistentVolumeClaims.
    pub persistent_volume_claims: Vec<PersistentVolumeClaim>,
}

impl Starting {
    /// The objects in this order.
    pub fn new(
        storage_classes: Vec<StorageClass>,
        persistent_volumes: Vec<PersistentVolume>,
        persistent_volume_claims: Vec<PersistentVolumeClaim>,
    ) -> Self {
        Self {
            storage_classes,
            persistent_volumes,
            persistent_volume_claims,
        }
    }
}

impl From<Objects> for Starting {
    /// A snapshot's objects, in its order (by namespace and name).
    fn from(objects: Objects) -> Self {
        Self {
            storage_classes: objects.storage_classes().cloned().collect(),
            persistent_volumes: objects.pvs().cloned().collect(),
            persistent_volume_claims: objects.pvcs().cloned().collect(),
        }
    }
}

/// What the world records of one virtual PVC: the volumes it is or was bound to (SPEC Y1).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClaimRecord {
    /// The virtual PVC's uid when the record started (a new PVC starts a new record).
    pub uid: Option<String>,
    /// The virtual PV the claim is or was bound to.
    pub virtual_volume: Option<String>,
    /// The host PV behind it.
    pub host_volume: Option<String>,
    /// The disk behind that.
    pub disk: Option<String>,
}

/// Both clusters, the disks, the syncer's settings and memory, and what happened (SPEC Y1).
#[derive(Debug, Clone)]
pub struct World {
    pub(crate) translator: Translator,
    pub(crate) clusters: Snapshot,
    pub(crate) disks: Disks,
    pub(crate) ids: Ids,
    /// The world at the end of the last settle: the syncer's previous snapshot (R2).
    pub(crate) previous: Option<Snapshot>,
    /// Claim records by namespace, then name.
    pub(crate) records: BTreeMap<String, BTreeMap<String, ClaimRecord>>,
    pub(crate) log: Log,
    pub(crate) violations: Vec<Violation>,
    /// Who last asked for a host PV to go, or for the claim bound to it to go (Y3).
    pub(crate) causes: HashMap<String, Actor>,
    pub(crate) steps: usize,
    /// Facts of the host that are not objects: provisioners, consumers (K3, K4).
    pub(crate) facts: Facts,
    /// This tenant's host objects (Y3): what the syncer made for this virtual cluster, the PVs
    /// provisioned for its claims; by kind, namespace, name.
    pub(crate) owned: Owned,
    /// The disks of this tenant's PVs (Y3).
    pub(crate) owned_disks: BTreeSet<String>,
    /// The host PVs that were another tenant's when the step began (Y3).
    pub(crate) foreign: BTreeSet<String>,
    /// Who played the step being settled.
    pub(crate) actor: Actor,
    /// The last disk that backed each host PV, by PV name (kept after the PV is gone).
    pub(crate) volume_disks: BTreeMap<String, String>,
    /// The uids of this tenant's claims whose provisioned PV is known (Y3 bookkeeping).
    pub(crate) provisioned_for: BTreeSet<String>,
}

/// This tenant's host objects (Y3), by kind, namespace and name; looked up without allocating.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Owned(BTreeMap<Kind, BTreeMap<String, BTreeSet<String>>>);

impl Owned {
    /// Records an object as this tenant's.
    pub(crate) fn insert(&mut self, kind: Kind, namespace: &str, name: &str) {
        let names = self
            .0
            .entry(kind)
            .or_default()
            .entry(namespace.to_owned())
            .or_default();
        if !names.contains(name) {
            names.insert(name.to_owned());
        }
    }

    /// Whether an object is this tenant's.
    pub(crate) fn contains(&self, kind: Kind, namespace: &str, name: &str) -> bool {
        self.0
            .get(&kind)
            .and_then(|m| m.get(namespace))
            .is_some_and(|names| names.contains(name))
    }
}

/// The world as one round left it, for the sync-loop report.
fn plan_text(plan: &Plan) -> String {
    if plan.actions.is_empty() {
        return "  (empty)\n".to_owned();
    }
    plan.actions
        .iter()
        .map(|a| format!("  {a}\n"))
        .collect::<String>()
}

impl World {
    /// A world from the starting objects of both clusters, which then settles (SPEC Y1).
    /// Objects keep their uids; one without gets a starting uid by its position (host before
    /// virtual; classes, PVs, PVCs). Every host PV written with a volume source has a disk.
    /// `timeline`: whether every action is recorded for [`World::timeline`].
    ///
    /// # Errors
    ///
    /// The starting world does not settle within [`MAX_ROUNDS`] rounds.
    pub fn new(
        translator: Translator,
        virtual_objects: impl Into<Starting>,
        host_objects: impl Into<Starting>,
        timeline: bool,
    ) -> Result<Self, Error> {
        let mut world = Self {
            translator,
            clusters: Snapshot::default(),
            disks: Disks::new(),
            ids: Ids::default(),
            previous: None,
            records: BTreeMap::new(),
            log: Log {
                enabled: timeline,
                ..Log::default()
            },
            violations: Vec::new(),
            causes: HashMap::new(),
            steps: 0,
            facts: Facts::default(),
            owned: Owned::default(),
            owned_disks: BTreeSet::new(),
            foreign: BTreeSet::new(),
            actor: Actor::HostAdmin,
            volume_disks: BTreeMap::new(),
            provisioned_for: BTreeSet::new(),
        };
        let mut position = 0u64;
        let mut next = || {
            position = position.saturating_add(1);
            position
        };
        for (side, objects) in [
            (ClusterSide::Host, host_objects.into()),
            (ClusterSide::Virtual, virtual_objects.into()),
        ] {
            let objects: Starting = objects;
            let mut stamped = Objects::default();
            for mut class in objects.storage_classes {
                let label = ObjectRef::new("StorageClass", &class.metadata);
                world.ids.start(&mut class.metadata, next());
                if stamped.insert_storage_class(class)?.is_some() {
                    return Err(duplicate(label));
                }
            }
            for mut pv in objects.persistent_volumes {
                let label = ObjectRef::new("PersistentVolume", &pv.metadata);
                world.ids.start(&mut pv.metadata, next());
                admit_pv(&mut pv);
                if side == ClusterSide::Host && has_source(&pv) {
                    let id = world.ids.disk();
                    world.disks.insert(
                        id.clone(),
                        Disk {
                            id,
                            pv: pv.metadata.name.clone(),
                            exists: true,
                        },
                    );
                }
                if stamped.insert_pv(pv)?.is_some() {
                    return Err(duplicate(label));
                }
            }
            for mut pvc in objects.persistent_volume_claims {
                let label = ObjectRef::new("PersistentVolumeClaim", &pvc.metadata);
                world.ids.start(&mut pvc.metadata, next());
                admit_pvc(&mut pvc, &stamped);
                if stamped.insert_pvc(pvc)?.is_some() {
                    return Err(duplicate(label));
                }
            }
            match side {
                ClusterSide::Host => world.clusters.host_cluster = stamped,
                ClusterSide::Virtual => world.clusters.virtual_cluster = stamped,
            }
        }
        world.own_marked();
        world.update_ownership();
        world.foreign = world.foreign_pvs();
        world.settle()?;
        Ok(world)
    }

    /// Both clusters as they are.
    pub fn clusters(&self) -> &Snapshot {
        &self.clusters
    }

    /// Every disk, by id.
    pub fn disks(&self) -> impl Iterator<Item = &Disk> {
        self.disks.values()
    }

    /// The disk with this id.
    pub fn disk(&self, id: &str) -> Option<&Disk> {
        self.disks.get(id)
    }

    /// The disk that backs, or last backed, the host PV `name`.
    pub fn volume_disk(&self, name: &str) -> Option<&Disk> {
        self.volume_disks
            .get(name)
            .and_then(|id| self.disks.get(id))
    }

    /// The record of the virtual PVC `namespace/name`: the volumes it is or was bound to.
    pub fn record(&self, namespace: &str, name: &str) -> Option<&ClaimRecord> {
        self.records.get(namespace)?.get(name)
    }

    /// Every claim record, by namespace and name.
    pub fn records(&self) -> impl Iterator<Item = ((&str, &str), &ClaimRecord)> {
        self.records.iter().flat_map(|(ns, names)| {
            names
                .iter()
                .map(move |(n, record)| ((ns.as_str(), n.as_str()), record))
        })
    }

    /// Every recorded action, when the world keeps a timeline.
    pub fn timeline(&self) -> &[Event] {
        &self.log.events
    }

    /// Every broken invariant (SPEC Y3), with the step that caused it.
    pub fn violations(&self) -> &[Violation] {
        &self.violations
    }

    /// The translator the syncer runs with.
    pub fn translator(&self) -> &Translator {
        &self.translator
    }

    /// Plays one step, then settles (SPEC Y2). Steps are counted from 1.
    ///
    /// # Errors
    ///
    /// A step on an object that does not exist (or a create of one that does), or a settle
    /// that does not end within [`MAX_ROUNDS`] rounds.
    pub fn step(&mut self, step: Step) -> Result<(), Error> {
        self.step_numbered(self.steps.saturating_add(1), step)
    }

    /// [`World::step`] with the step's number given (a scenario numbers its steps itself, its
    /// expectations included), for the timeline and the violations.
    ///
    /// # Errors
    ///
    /// As [`World::step`].
    pub fn step_numbered(&mut self, number: usize, step: Step) -> Result<(), Error> {
        self.steps = number;
        self.log.step = self.steps;
        self.log.round = 0;
        self.actor = match &step {
            Step::Create { cluster, .. }
            | Step::Update { cluster, .. }
            | Step::Delete { cluster, .. } => person(*cluster),
            Step::Restart => Actor::Syncer,
            Step::SetReclaimPolicy { .. } | Step::Provisioner { .. } | Step::Consumer { .. } => {
                Actor::HostAdmin
            }
        };
        self.foreign = self.foreign_pvs();
        self.play(step)?;
        self.settle()
    }

    /// The facts of the host: which provisioners a step switched on or off, which claims have
    /// a consumer.
    pub fn provisioner_running(&self, name: &str) -> Option<bool> {
        self.facts.provisioners.get(name).copied()
    }

    /// Y3: host objects carrying this virtual cluster's marker in the starting world were made
    /// by the syncer before: they are this tenant's.
    fn own_marked(&mut self) {
        let cluster = self.translator.context().cluster().clone();
        let host = &self.clusters.host_cluster;
        let mut owned = Owned::default();
        for pvc in host.pvcs() {
            if namespace(&pvc.metadata) == cluster.host_namespace()
                && crate::object::label(&pvc.metadata, crate::wellknown::MANAGED_BY_LABEL)
                    == Some(cluster.name())
            {
                owned.insert(
                    Kind::PersistentVolumeClaim,
                    namespace(&pvc.metadata),
                    name(&pvc.metadata),
                );
            }
        }
        for pv in host.pvs() {
            if has_cluster_marker(&pv.metadata, &cluster) {
                owned.insert(Kind::PersistentVolume, "", name(&pv.metadata));
            }
        }
        for class in host.storage_classes() {
            if has_cluster_marker(&class.metadata, &cluster) {
                owned.insert(Kind::StorageClass, "", name(&class.metadata));
            }
        }
        self.owned = owned;
    }

    /// Whether a host object is this tenant's (Y3).
    pub(crate) fn is_owned(&self, kind: Kind, namespace: &str, name: &str) -> bool {
        self.owned.contains(kind, namespace, name)
    }

    /// Y3: a PV provisioned for one of this tenant's claims (`pvc-<its uid>`, its claimRef
    /// naming the claim by uid) is this tenant's, and so are the disks of its PVs.
    pub(crate) fn update_ownership(&mut self) {
        let host = &self.clusters.host_cluster;
        let mut provisioned = Vec::new();
        if let Some(claims) = self
            .owned
            .0
            .get(&Kind::PersistentVolumeClaim)
            .and_then(|m| m.get(self.translator.context().cluster().host_namespace()))
        {
            for claim in claims {
                let Some(uid) = host
                    .pvc(self.translator.context().cluster().host_namespace(), claim)
                    .and_then(|pvc| pvc.metadata.uid.as_deref())
                    .filter(|u| !u.is_empty())
                else {
                    continue;
                };
                if self.provisioned_for.contains(uid) {
                    continue;
                }
                let volume = format!("pvc-{uid}");
                let ours = host.pv(&volume).is_some_and(|pv| {
                    pv.spec
                        .as_ref()
                        .and_then(|s| s.claim_ref.as_ref())
                        .is_some_and(|c| c.uid.as_deref() == Some(uid))
                });
                if ours {
                    provisioned.push((uid.to_owned(), volume));
                }
            }
        }
        for (uid, volume) in provisioned {
            self.owned.insert(Kind::PersistentVolume, "", &volume);
            self.provisioned_for.insert(uid);
        }
        let mut disks = Vec::new();
        for disk in self.disks.values() {
            let Some(pv) = disk.pv.as_deref() else {
                continue;
            };
            if self.volume_disks.get(pv) != Some(&disk.id) {
                self.volume_disks.insert(pv.to_owned(), disk.id.clone());
            }
            if !self.owned_disks.contains(&disk.id)
                && self.owned.contains(Kind::PersistentVolume, "", pv)
            {
                disks.push(disk.id.clone());
            }
        }
        self.owned_disks.extend(disks);
    }

    /// Y3: the host PVs that are another tenant's: not this tenant's, and reserved for or
    /// bound to a claim that is not one of this tenant's.
    pub(crate) fn foreign_pvs(&self) -> BTreeSet<String> {
        self.clusters
            .host_cluster
            .pvs()
            .filter(|pv| !self.is_owned(Kind::PersistentVolume, "", name(&pv.metadata)))
            .filter(|pv| {
                pv.spec
                    .as_ref()
                    .and_then(|s| s.claim_ref.as_ref())
                    .is_some_and(|c| {
                        !self.is_owned(
                            Kind::PersistentVolumeClaim,
                            c.namespace.as_deref().unwrap_or_default(),
                            c.name.as_deref().unwrap_or_default(),
                        )
                    })
            })
            .map(|pv| name(&pv.metadata).to_owned())
            .collect()
    }

    /// The person's action itself (round 0 of the step).
    fn play(&mut self, step: Step) -> Result<(), Error> {
        match step {
            Step::Create { cluster, object } => {
                let (kind, ns, n) = apply::key(&object);
                // A host PV a person writes names an existing volume: a disk backs it.
                if let (ClusterSide::Host, Object::PersistentVolume(pv)) = (cluster, &object)
                    && has_source(pv)
                    && self.clusters.host_cluster.pv(&n).is_none()
                {
                    let id = self.ids.disk();
                    self.disks.insert(
                        id.clone(),
                        Disk {
                            id,
                            pv: Some(n.clone()),
                            exists: true,
                        },
                    );
                }
                apply::create(side_mut(&mut self.clusters, cluster), &mut self.ids, object)?;
                let actor = person(cluster);
                self.log.record(
                    actor,
                    target(cluster),
                    || format!("create {}", label(kind, &ns, &n)),
                    &[Rule::Y2],
                );
            }
            Step::Update { cluster, object } => {
                let (kind, ns, n) = apply::key(&object);
                apply::update(
                    side_mut(&mut self.clusters, cluster),
                    &mut self.ids,
                    object,
                    false,
                )?;
                self.log.record(
                    person(cluster),
                    target(cluster),
                    || format!("update {}", label(kind, &ns, &n)),
                    &[Rule::Y2],
                );
            }
            Step::Delete {
                cluster,
                kind,
                namespace,
                name,
            } => {
                if cluster == ClusterSide::Host {
                    self.note_host_deletion(kind, &namespace, &name, person(cluster));
                }
                apply::delete(
                    side_mut(&mut self.clusters, cluster),
                    &mut self.ids,
                    kind,
                    &namespace,
                    &name,
                    false,
                )?;
                self.log.record(
                    person(cluster),
                    target(cluster),
                    || format!("delete {}", label(kind, &namespace, &name)),
                    &[Rule::Y2],
                );
            }
            Step::SetReclaimPolicy { name, policy } => {
                let mut pv: PersistentVolume = self
                    .clusters
                    .host_cluster
                    .pv(&name)
                    .ok_or_else(|| Error::Lifecycle {
                        reason: format!("host PersistentVolume {name} does not exist"),
                    })?
                    .clone();
                pv.spec
                    .get_or_insert_with(Default::default)
                    .persistent_volume_reclaim_policy = Some(policy.clone());
                self.ids.touch(&mut pv.metadata);
                self.clusters.host_cluster.insert_pv(pv)?;
                self.log.record(
                    Actor::HostAdmin,
                    Target::Host,
                    || format!("set the reclaim policy of PV {name} to {policy}"),
                    &[Rule::Y2],
                );
            }
            Step::Provisioner { name, running } => {
                self.log.record(
                    Actor::HostAdmin,
                    Target::Host,
                    || {
                        format!(
                            "provisioner {name} {}",
                            if running { "runs" } else { "stops" }
                        )
                    },
                    &[Rule::Y2],
                );
                self.facts.provisioners.insert(name, running);
            }
            Step::Consumer {
                cluster,
                namespace,
                name,
            } => {
                let key = match cluster {
                    ClusterSide::Host => (namespace.clone(), name.clone()),
                    ClusterSide::Virtual => {
                        let identity = self.translator.context().cluster();
                        (
                            identity.host_namespace().to_owned(),
                            identity.host_name(&name, &namespace)?,
                        )
                    }
                };
                self.log.record(
                    person(cluster),
                    target(cluster),
                    || format!("a consumer uses PersistentVolumeClaim {namespace}/{name}"),
                    &[Rule::Y2],
                );
                self.facts.consumers.insert(key);
            }
            Step::Restart => {
                self.previous = None;
                self.log.record(
                    Actor::Syncer,
                    Target::Virtual,
                    "restarted: the previous snapshot is forgotten",
                    &[Rule::R2],
                );
            }
        }
        Ok(())
    }

    /// Y3's bookkeeping: who asked for a host PV (or the claim bound to it) to go.
    fn note_host_deletion(&mut self, kind: Kind, namespace: &str, name: &str, actor: Actor) {
        let host = &self.clusters.host_cluster;
        match kind {
            Kind::PersistentVolume => {
                self.causes.insert(name.to_owned(), actor);
            }
            Kind::PersistentVolumeClaim => {
                let bound: Vec<String> = host
                    .pvs_claimed_by(namespace, name)
                    .map(|pv| pv.metadata.name.clone().unwrap_or_default())
                    .collect();
                for pv in bound {
                    self.causes.insert(pv, actor);
                }
            }
            Kind::StorageClass => {}
        }
    }

    /// Rounds of the host's Kubernetes and the syncer's plan until a round changes nothing
    /// (SPEC Y2), then the invariants (Y3).
    pub(crate) fn settle(&mut self) -> Result<(), Error> {
        let mut previous = self.previous.take();
        let mut plans: Vec<Plan> = Vec::new();
        let translator = self.translator.clone().with_explanations(self.log.enabled);
        for round in 1..=MAX_ROUNDS {
            self.log.round = round;
            let destroyed_before = self.destroyed();
            let kube_changed = Kube {
                objects: &mut self.clusters.host_cluster,
                disks: &mut self.disks,
                ids: &mut self.ids,
                log: &mut self.log,
                facts: &self.facts,
            }
            .round();
            self.update_ownership();
            self.check_destroyed(&destroyed_before);
            self.update_records();
            let plan = translator.plan(previous.as_ref(), &self.clusters);
            let writes = !plan.is_settled();
            if !kube_changed && !writes {
                invariants::check_settled(self, &plan);
                invariants::check_isolation(self);
                self.previous = Some(self.clusters.clone());
                return Ok(());
            }
            self.apply(&plan);
            self.update_ownership();
            self.update_records();
            previous = Some(self.clusters.clone());
            if plans.len() == 2 {
                plans.remove(0);
            }
            plans.push(plan);
        }
        let shown: String = plans
            .iter()
            .enumerate()
            .map(|(i, plan)| format!("plan {}:\n{}", i.saturating_add(1), plan_text(plan)))
            .collect();
        Err(Error::Lifecycle {
            reason: format!(
                "step {}: the syncer did not settle within {MAX_ROUNDS} rounds (a sync loop); the last two plans:\n{shown}",
                self.steps
            ),
        })
    }

    /// The ids of destroyed disks.
    pub(crate) fn destroyed(&self) -> Vec<String> {
        self.disks
            .values()
            .filter(|d| !d.exists)
            .map(|d| d.id.clone())
            .collect()
    }

    /// Y3: no disk destroyed by a chain the syncer started while a virtual PVC claims it; no
    /// disk that is not this tenant's destroyed after a step of the tenant.
    pub(crate) fn check_destroyed(&mut self, before: &[String]) {
        let newly: Vec<String> = self
            .destroyed()
            .into_iter()
            .filter(|id| !before.contains(id))
            .collect();
        for id in newly {
            invariants::check_destroyed_disk(self, &id);
            invariants::check_foreign_disk(self, &id);
        }
    }

    /// Carries out the syncer's plan, in its order (SPEC Y2).
    pub(crate) fn apply(&mut self, plan: &Plan) {
        for action in &plan.actions {
            invariants::check_syncer_action(self, action);
            let rules: Vec<Rule> = action
                .explanation
                .as_ref()
                .map(|e| e.rules())
                .unwrap_or_default();
            let side = action.cluster;
            let result = match (&action.action, &action.desired) {
                (Action::Create, Some(object)) => apply::create(
                    side_mut(&mut self.clusters, side),
                    &mut self.ids,
                    object.clone(),
                ),
                (Action::Update { .. }, Some(object)) => apply::update(
                    side_mut(&mut self.clusters, side),
                    &mut self.ids,
                    object.clone(),
                    true,
                ),
                (Action::Recreate, Some(object)) => {
                    let (kind, ns, n) = apply::key(object);
                    apply::delete(
                        side_mut(&mut self.clusters, side),
                        &mut self.ids,
                        kind,
                        &ns,
                        &n,
                        true,
                    )
                    .and_then(|()| {
                        apply::create(
                            side_mut(&mut self.clusters, side),
                            &mut self.ids,
                            object.clone(),
                        )
                    })
                }
                (
                    Action::Delete {
                        remove_finalizers, ..
                    },
                    _,
                ) => {
                    if side == ClusterSide::Host {
                        self.note_host_deletion(
                            action.kind,
                            &action.namespace,
                            &action.name,
                            Actor::Syncer,
                        );
                    }
                    apply::delete(
                        side_mut(&mut self.clusters, side),
                        &mut self.ids,
                        action.kind,
                        &action.namespace,
                        &action.name,
                        *remove_finalizers,
                    )
                }
                _ => Ok(()),
            };
            if result.is_ok()
                && side == ClusterSide::Host
                && matches!(action.action, Action::Create | Action::Recreate)
            {
                self.owned
                    .insert(action.kind, &action.namespace, &action.name);
            }
            if result.is_ok() && !action.action.writes_nothing() {
                self.log.record(
                    Actor::Syncer,
                    target(side),
                    || {
                        format!(
                            "{}: {}",
                            label(action.kind, &action.namespace, &action.name),
                            action.action
                        )
                    },
                    &rules,
                );
            }
        }
    }

    /// Y1: what each virtual PVC is or was bound to; a new PVC (another uid) starts a new record.
    fn update_records(&mut self) {
        let cluster = self.translator.context().cluster();
        let (virtual_objects, host) = (&self.clusters.virtual_cluster, &self.clusters.host_cluster);
        for pvc in virtual_objects.pvcs() {
            let (ns, n) = (namespace(&pvc.metadata), name(&pvc.metadata));
            if !self.records.get(ns).is_some_and(|m| m.contains_key(n)) {
                self.records
                    .entry(ns.to_owned())
                    .or_default()
                    .insert(n.to_owned(), ClaimRecord::default());
            }
            let Some(record) = self.records.get_mut(ns).and_then(|m| m.get_mut(n)) else {
                continue;
            };
            if record.uid != pvc.metadata.uid {
                *record = ClaimRecord {
                    uid: pvc.metadata.uid.clone(),
                    ..ClaimRecord::default()
                };
            }
            if let Some(volume) = claimed_volume(pvc)
                && record.virtual_volume.as_deref() != Some(volume)
            {
                record.virtual_volume = Some(volume.to_owned());
            }
            let host_pvc = cluster
                .host_name(n, ns)
                .ok()
                .and_then(|h| host.pvc(cluster.host_namespace(), &h));
            if let Some(volume) = host_pvc.and_then(claimed_volume)
                && record.host_volume.as_deref() != Some(volume)
            {
                record.host_volume = Some(volume.to_owned());
            }
            if let Some(volume) = record.host_volume.as_deref()
                && let Some(disk) = self
                    .volume_disks
                    .get(volume)
                    .and_then(|id| self.disks.get(id))
                    .filter(|d| d.pv.as_deref() == Some(volume))
                && record.disk.as_deref() != Some(disk.id.as_str())
            {
                record.disk = Some(disk.id.clone());
            }
        }
    }
}

/// Two starting objects of one kind and name.
fn duplicate(object: ObjectRef) -> Error {
    Error::Lifecycle {
        reason: format!("{object} is written twice in the starting world"),
    }
}

/// One cluster's objects, mutably.
fn side_mut(clusters: &mut Snapshot, cluster: ClusterSide) -> &mut Objects {
    match cluster {
        ClusterSide::Host => &mut clusters.host_cluster,
        ClusterSide::Virtual => &mut clusters.virtual_cluster,
    }
}

/// Whether a PV names a volume source (a disk backs it).
fn has_source(pv: &PersistentVolume) -> bool {
    pv.spec
        .as_ref()
        .is_some_and(|s| crate::validate::volume_sources(s).next().is_some())
}

/// The person acting in a cluster.
fn person(cluster: ClusterSide) -> Actor {
    match cluster {
        ClusterSide::Host => Actor::HostAdmin,
        ClusterSide::Virtual => Actor::Tenant,
    }
}

fn target(cluster: ClusterSide) -> Target {
    match cluster {
        ClusterSide::Host => Target::Host,
        ClusterSide::Virtual => Target::Virtual,
    }
}

/// `Kind namespace/name` or `Kind name`.
pub(crate) fn label(kind: Kind, namespace: &str, name: &str) -> String {
    if namespace.is_empty() {
        format!("{kind} {name}")
    } else {
        format!("{kind} {namespace}/{name}")
    }
}
