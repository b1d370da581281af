//! Y3: what must hold after every settle, each violation reported with the step that caused it.
//!
//! - the plan holds only wait and conflict actions (a fixed point: by construction of the
//!   settle, which ends only there);
//! - no action of the syncer deleted, changed or bound a host PV or PVC whose claim is in
//!   another host namespace;
//! - no action of the syncer destroyed a disk while a virtual PVC still claimed it;
//! - in sync mode, and in fake mode with `fakeReclaimPolicy` `Inherit` or `FromHostPv`, every
//!   virtual PV that has a host PV shows the host PV's reclaim policy. (With the default options
//!   this is not an invariant but a finding, `TenantSeesDeleteHostRetains`: the simulation shows
//!   the lie of upstream issue #2098 instead of hiding it.)
//!
//! *(0.3)* Isolation, with other tenants' and the virtual cluster's own objects on the host.
//! *This tenant's* host objects are the objects the syncer created for this virtual cluster
//! (and, in the starting world, those carrying its marker, N4), the PVs provisioned for those
//! claims (`pvc-<claim uid>` whose claimRef names the claim by uid), and the disks of those
//! PVs. *Another tenant's* PV is a host PV that is not this tenant's and that, when the step
//! began, was reserved for or bound to a claim that is not this tenant's. After each settle:
//!
//! - no host object that is not this tenant's was changed or deleted by the syncer;
//! - after a step of the tenant (or a restart of the syncer), no disk that is not this
//!   tenant's was destroyed, whoever destroyed it (a host admin's own steps may destroy what
//!   they like);
//! - no PV of another tenant became bound to a claim of this virtual cluster;
//! - no PV of this tenant is bound to a claim outside `H`.

use std::fmt;

use serde::Serialize;

use super::log::Actor;
use super::world::World;
use crate::decision::Action;
use crate::mode::PvMode;
use crate::object::{VirtualPvKind, is_deleting, name, virtual_pv_kind};
use crate::options::FakeReclaimPolicy;
use crate::plan::{ClusterSide, Kind, Plan, PlannedAction};

/// A broken invariant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Violation {
    /// The step after which it broke (0: the starting world).
    pub step: usize,
    /// What broke.
    pub text: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "step {}: Y3: {}", self.step, self.text)
    }
}

fn violate(world: &mut World, text: String) {
    let step = world.steps;
    if !world
        .violations
        .iter()
        .any(|v| v.step == step && v.text == text)
    {
        world.violations.push(Violation { step, text });
    }
}

/// Y3: the syncer never writes a host PV or PVC claimed in another host namespace, and never
/// changes or deletes a host object that is not this tenant's.
pub(crate) fn check_syncer_action(world: &mut World, action: &PlannedAction) {
    if action.cluster != ClusterSide::Host || action.action.writes_nothing() {
        return;
    }
    let changes = matches!(
        action.action,
        Action::Update { .. } | Action::Recreate | Action::Delete { .. }
    );
    if changes && !world.is_owned(action.kind, &action.namespace, &action.name) {
        let what = crate::lifecycle::world::label(action.kind, &action.namespace, &action.name);
        violate(
            world,
            format!(
                "the syncer wrote ({}) host {what}, which is not this tenant's",
                action.action
            ),
        );
    }
    let host_namespace = world
        .translator
        .context()
        .cluster()
        .host_namespace()
        .to_owned();
    let foreign = match action.kind {
        Kind::PersistentVolumeClaim => {
            (action.namespace != host_namespace).then(|| action.namespace.clone())
        }
        Kind::PersistentVolume => world
            .clusters
            .host_cluster
            .pv(&action.name)
            .and_then(|pv| pv.spec.as_ref()?.claim_ref.as_ref())
            .and_then(|claim| claim.namespace.clone())
            .filter(|ns| *ns != host_namespace),
        Kind::StorageClass => None,
    };
    if let Some(other) = foreign {
        violate(
            world,
            format!(
                "the syncer wrote ({}) host {} {}, whose claim is in namespace {other:?}",
                action.action, action.kind, action.name
            ),
        );
    }
}

/// Y3: a disk destroyed by a chain the syncer started, while a virtual PVC still claims it.
pub(crate) fn check_destroyed_disk(world: &mut World, id: &str) {
    let Some(pv) = world
        .records()
        .map(|(_, r)| r)
        .find(|r| r.disk.as_deref() == Some(id))
        .and_then(|r| r.host_volume.clone())
    else {
        return;
    };
    if world.causes.get(&pv) != Some(&Actor::Syncer) {
        return;
    }
    let claimed_by: Option<String> = world
        .records()
        .filter(|(_, r)| r.disk.as_deref() == Some(id))
        .find_map(|((ns, n), _)| {
            world
                .clusters
                .virtual_cluster
                .pvc(ns, n)
                .filter(|pvc| !is_deleting(&pvc.metadata))
                // Claims it: bound to it, not merely naming it while it waits.
                .filter(|pvc| pvc.status.as_ref().and_then(|s| s.phase.as_deref()) == Some("Bound"))
                .map(|_| format!("{ns}/{n}"))
        });
    if let Some(claim) = claimed_by {
        violate(
            world,
            format!("the syncer destroyed {id} (host PV {pv}) while virtual PVC {claim} claims it"),
        );
    }
}

/// Y3 after a settle: a settled plan; the reclaim policy a tenant sees is the host's where sync
/// mode or an option promises it.
pub(crate) fn check_settled(world: &mut World, plan: &Plan) {
    if !plan.is_settled() {
        violate(
            world,
            "the settle ended with writes left in the plan".to_owned(),
        );
    }
    let context = world.translator.context();
    let promised = match context.mode().persistent_volumes {
        PvMode::Sync => true,
        PvMode::Fake => matches!(
            context.options().fake_reclaim_policy,
            FakeReclaimPolicy::Inherit | FakeReclaimPolicy::FromHostPv
        ),
        PvMode::Disabled => false,
    };
    if !promised {
        return;
    }
    let cluster = context.cluster().clone();
    let conflicted: Vec<String> = plan
        .actions
        .iter()
        .filter(|a| matches!(a.action, Action::Conflict { .. } | Action::Wait { .. }))
        .map(|a| a.name.clone())
        .collect();
    let mut broken = Vec::new();
    for pv in world.clusters.virtual_cluster.pvs() {
        if is_deleting(&pv.metadata) {
            continue;
        }
        let host_name = match virtual_pv_kind(pv) {
            VirtualPvKind::Mirror(host) => host.to_owned(),
            VirtualPvKind::Fake => name(&pv.metadata).to_owned(),
            VirtualPvKind::TenantMade => match cluster.host_name_cluster(name(&pv.metadata)) {
                Ok(n) => n,
                Err(_) => continue,
            },
        };
        let Some(host) = world.clusters.host_cluster.pv(&host_name) else {
            continue;
        };
        if conflicted
            .iter()
            .any(|n| *n == host_name || n == name(&pv.metadata))
        {
            continue;
        }
        let policy = |p: &k8s_openapi::api::core::v1::PersistentVolume| {
            p.spec
                .as_ref()
                .and_then(|s| s.persistent_volume_reclaim_policy.clone())
                .unwrap_or_else(|| "Retain".to_owned())
        };
        if policy(pv) != policy(host) {
            broken.push(format!(
                "virtual PV {} shows reclaim policy {}, its host PV {host_name} has {}",
                name(&pv.metadata),
                policy(pv),
                policy(host)
            ));
        }
    }
    for text in broken {
        violate(world, text);
    }
}

/// Y3: after a step of the tenant (or a syncer restart), a destroyed disk must be this
/// tenant's.
pub(crate) fn check_foreign_disk(world: &mut World, id: &str) {
    if !matches!(world.actor, Actor::Tenant | Actor::Syncer) || world.owned_disks.contains(id) {
        return;
    }
    violate(
        world,
        format!("{id}, which is not this tenant's, was destroyed after a step of the tenant"),
    );
}

/// Y3 after a settle: no PV of another tenant is bound to a claim of this virtual cluster, no
/// PV of this tenant to a claim outside `H`.
pub(crate) fn check_isolation(world: &mut World) {
    let host_namespace = world
        .translator
        .context()
        .cluster()
        .host_namespace()
        .to_owned();
    let mut broken = Vec::new();
    for pv in world.clusters.host_cluster.pvs() {
        let Some(claim) = pv.spec.as_ref().and_then(|s| s.claim_ref.as_ref()) else {
            continue;
        };
        let (ns, claim_name) = (
            claim.namespace.as_deref().unwrap_or_default(),
            claim.name.as_deref().unwrap_or_default(),
        );
        let volume = name(&pv.metadata);
        let bound = claim.uid.as_deref().is_some_and(|u| !u.is_empty());
        if bound
            && world.foreign.contains(volume)
            && world.is_owned(Kind::PersistentVolumeClaim, ns, claim_name)
        {
            broken.push(format!(
                "host PV {volume}, another tenant's, is bound to this tenant's claim {ns}/{claim_name}"
            ));
        }
        if world.is_owned(Kind::PersistentVolume, "", volume) && ns != host_namespace {
            broken.push(format!(
                "host PV {volume}, this tenant's, is claimed by {ns}/{claim_name}, outside {host_namespace}"
            ));
        }
    }
    for text in broken {
        violate(world, text);
    }
}

/// Every Y3 check, fired on purpose: a deliberately wrong plan or host action applied to a
/// world. Without its check, each of these tests fails.
#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

    use k8s_openapi::api::core::v1::{PersistentVolume, PersistentVolumeClaim};
    use k8s_openapi::api::storage::v1::StorageClass;
    use serde_json::json;

    use super::super::log::Actor;
    use super::super::world::{Step, World};
    use crate::cluster::VirtualCluster;
    use crate::decision::Action;
    use crate::mode::{PvMode, StorageClassMode, SyncMode};
    use crate::options::{FakeReclaimPolicy, Options};
    use crate::plan::{ClusterSide, Kind, Object, Plan, PlannedAction};
    use crate::snapshot::Objects;
    use crate::translator::Translator;

    fn typed<T: serde::de::DeserializeOwned>(value: serde_json::Value) -> T {
        serde_json::from_value(value).unwrap()
    }

    fn translator(mode: PvMode) -> Translator {
        Translator::new(VirtualCluster::new("vc", "team-a").unwrap())
            .with_mode(SyncMode::new(mode, StorageClassMode::Off))
            .with_options(Options::default().with_fake_reclaim_policy(FakeReclaimPolicy::Inherit))
    }

    fn class(name: &str, policy: &str) -> StorageClass {
        typed(
            json!({"metadata": {"name": name}, "provisioner": "ebs.csi.aws.com",
                     "reclaimPolicy": policy}),
        )
    }

    fn claim(namespace: &str, name: &str, class: &str) -> PersistentVolumeClaim {
        typed(json!({"metadata": {"name": name, "namespace": namespace},
                     "spec": {"accessModes": ["ReadWriteOnce"],
                              "resources": {"requests": {"storage": "1Gi"}},
                              "storageClassName": class}}))
    }

    /// Another team's PV in namespace `other`, bound to its claim `other/theirs`, `Delete`.
    fn foreign() -> (PersistentVolume, PersistentVolumeClaim) {
        let pv: PersistentVolume = typed(json!({
            "metadata": {"name": "theirs-pv"},
            "spec": {"capacity": {"storage": "1Gi"}, "accessModes": ["ReadWriteOnce"],
                     "persistentVolumeReclaimPolicy": "Delete", "storageClassName": "gp3",
                     "csi": {"driver": "ebs.csi.aws.com", "volumeHandle": "vol-theirs"},
                     "claimRef": {"namespace": "other", "name": "theirs", "uid": "u-theirs"}},
        }));
        let mut pvc = claim("other", "theirs", "gp3");
        pvc.metadata.uid = Some("u-theirs".to_owned());
        pvc.spec.as_mut().unwrap().volume_name = Some("theirs-pv".to_owned());
        (pv, pvc)
    }

    /// A world whose tenant has a bound claim `default/data` of class `gp3` (`policy`), and
    /// whose host holds another team's bound volume.
    fn world(mode: PvMode, policy: &str) -> World {
        let (pv, pvc) = foreign();
        let host = Objects::new(vec![pvc], vec![pv], vec![class("gp3", policy)]).unwrap();
        let mut world = World::new(translator(mode), Objects::default(), host, false).unwrap();
        world
            .step(Step::Create {
                cluster: ClusterSide::Virtual,
                object: Object::PersistentVolumeClaim(Box::new(claim("default", "data", "gp3"))),
            })
            .unwrap();
        assert!(world.violations().is_empty(), "{:?}", world.violations());
        world
    }

    fn host_claim_name(world: &World) -> String {
        world
            .translator()
            .context()
            .cluster()
            .host_name("data", "default")
            .unwrap()
    }

    fn action(kind: Kind, namespace: &str, name: &str, action: Action) -> PlannedAction {
        PlannedAction {
            cluster: ClusterSide::Host,
            kind,
            namespace: namespace.to_owned(),
            name: name.to_owned(),
            action,
            desired: None,
            explanation: None,
        }
    }

    fn delete() -> Action {
        Action::Delete {
            remove_finalizers: false,
            grace_period_seconds: None,
        }
    }

    fn fired(world: &World, phrase: &str) -> bool {
        world.violations().iter().any(|v| v.text.contains(phrase))
    }

    #[test]
    fn y3_fires_when_a_settle_ends_with_writes() {
        let mut world = world(PvMode::Fake, "Delete");
        let plan = Plan {
            actions: vec![action(
                Kind::StorageClass,
                "",
                "gp3",
                Action::Update { changed: vec![] },
            )],
            errors: vec![],
        };
        super::check_settled(&mut world, &plan);
        assert!(fired(&world, "ended with writes left"));
    }

    #[test]
    fn y3_fires_when_the_syncer_writes_a_pv_claimed_in_another_namespace() {
        let mut world = world(PvMode::Fake, "Delete");
        let plan = Plan {
            actions: vec![action(
                Kind::PersistentVolume,
                "",
                "theirs-pv",
                Action::Update { changed: vec![] },
            )],
            errors: vec![],
        };
        world.apply(&plan);
        assert!(fired(&world, "whose claim is in namespace \"other\""));
    }

    #[test]
    fn y3_fires_when_the_syncer_changes_a_host_object_that_is_not_the_tenants() {
        // The virtual cluster's own data volume claim, in H, that the syncer did not make.
        let own: PersistentVolumeClaim = claim("team-a", "data-vc-0", "gp3");
        let host = Objects::new(vec![own], vec![], vec![class("gp3", "Retain")]).unwrap();
        let mut world =
            World::new(translator(PvMode::Fake), Objects::default(), host, false).unwrap();
        let plan = Plan {
            actions: vec![action(
                Kind::PersistentVolumeClaim,
                "team-a",
                "data-vc-0",
                delete(),
            )],
            errors: vec![],
        };
        world.apply(&plan);
        assert!(fired(&world, "which is not this tenant's"));
    }

    #[test]
    fn y3_fires_when_the_syncer_destroys_a_disk_a_virtual_pvc_still_claims() {
        let mut world = world(PvMode::Fake, "Delete");
        let host_claim = host_claim_name(&world);
        // The syncer deletes the host PVC of a claim that is still bound in the virtual
        // cluster: the Delete PV is released and the provisioner destroys the disk.
        let plan = Plan {
            actions: vec![action(
                Kind::PersistentVolumeClaim,
                "team-a",
                &host_claim,
                delete(),
            )],
            errors: vec![],
        };
        world.apply(&plan);
        let before = world.destroyed();
        super::super::kube::Kube {
            objects: &mut world.clusters.host_cluster,
            disks: &mut world.disks,
            ids: &mut world.ids,
            log: &mut world.log,
            facts: &world.facts,
        }
        .round();
        world.update_ownership();
        world.check_destroyed(&before);
        assert!(
            fired(&world, "while virtual PVC default/data claims it"),
            "{:?}",
            world.violations()
        );
    }

    #[test]
    fn y3_fires_when_a_virtual_pv_hides_its_host_pvs_policy() {
        let mut world = world(PvMode::Sync, "Delete");
        let host_pv = world
            .clusters
            .host_cluster
            .pvs()
            .find(|pv| pv.metadata.name.as_deref() != Some("theirs-pv"))
            .unwrap()
            .clone();
        let mut changed = host_pv.clone();
        changed
            .spec
            .as_mut()
            .unwrap()
            .persistent_volume_reclaim_policy = Some("Retain".to_owned());
        world.clusters.host_cluster.insert_pv(changed).unwrap();
        super::check_settled(
            &mut world,
            &Plan {
                actions: vec![],
                errors: vec![],
            },
        );
        assert!(fired(&world, "shows reclaim policy Delete"));
    }

    #[test]
    fn y3_fires_when_a_disk_that_is_not_the_tenants_is_destroyed_after_a_tenant_step() {
        let mut world = world(PvMode::Fake, "Delete");
        // A wrong host action during a tenant's step: the other team's claim goes.
        world.actor = Actor::Tenant;
        world.clusters.host_cluster.remove_pvc("other", "theirs");
        world.settle().unwrap();
        assert!(fired(&world, "which is not this tenant's, was destroyed"));
    }

    #[test]
    fn y3_fires_when_another_tenants_pv_binds_a_claim_of_this_virtual_cluster() {
        let (pv, pvc) = foreign();
        let host = Objects::new(vec![pvc], vec![pv], vec![]).unwrap();
        let mut world =
            World::new(translator(PvMode::Fake), Objects::default(), host, false).unwrap();
        // The tenant's claim waits: its class does not exist.
        world
            .step(Step::Create {
                cluster: ClusterSide::Virtual,
                object: Object::PersistentVolumeClaim(Box::new(claim("default", "data", "slow"))),
            })
            .unwrap();
        let host_claim = host_claim_name(&world);
        let uid = world
            .clusters
            .host_cluster
            .pvc("team-a", &host_claim)
            .unwrap()
            .metadata
            .uid
            .clone();
        // A wrong host action: the other team's PV is pointed at the tenant's claim.
        world.foreign = world.foreign_pvs();
        let mut pv = world.clusters.host_cluster.pv("theirs-pv").unwrap().clone();
        let claim_ref = pv.spec.as_mut().unwrap().claim_ref.as_mut().unwrap();
        claim_ref.namespace = Some("team-a".to_owned());
        claim_ref.name = Some(host_claim);
        claim_ref.uid = uid;
        world.clusters.host_cluster.insert_pv(pv).unwrap();
        world.settle().unwrap();
        assert!(fired(
            &world,
            "another tenant's, is bound to this tenant's claim"
        ));
    }

    #[test]
    fn y3_fires_when_a_pv_of_the_tenant_is_claimed_outside_the_host_namespace() {
        let mut world = world(PvMode::Fake, "Retain");
        let mine = world
            .clusters
            .host_cluster
            .pvs()
            .find(|pv| pv.metadata.name.as_deref() != Some("theirs-pv"))
            .unwrap()
            .clone();
        let mut pv = mine.clone();
        let claim_ref = pv.spec.as_mut().unwrap().claim_ref.as_mut().unwrap();
        claim_ref.namespace = Some("other".to_owned());
        world.clusters.host_cluster.insert_pv(pv).unwrap();
        super::check_isolation(&mut world);
        assert!(fired(&world, "this tenant's, is claimed by other/"));
    }
}
