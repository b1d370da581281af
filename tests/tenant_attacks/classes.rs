//! Tenant attacks on classes (SPEC §13).
//!
//! T5: what a tenant's class may hand the host's provisioners in `ToHost` mode, and what a host
//! class shows the tenant in `FromHost` mode; C2's default-class marks. Each attack is played
//! through the single-object API and the plan over a two-cluster snapshot, next to the
//! legitimate class it must not stop.

use pv_translate::plan::{ClusterSide, Kind, Object};
use pv_translate::snapshot::Objects;
use pv_translate::storage_class::ClassInputs;
use pv_translate::{
    Action, Options, Plan, PvMode, Rule, Snapshot, StorageClassMode, SyncMode, Translator,
};
use serde_json::{Value, json};

use super::StorageClass;
use super::common::{edit, from_json};
use super::translator;

fn to_host() -> Translator {
    translator().with_mode(SyncMode::new(PvMode::Sync, StorageClassMode::ToHost))
}

fn from_host() -> Translator {
    translator().with_mode(SyncMode::new(PvMode::Sync, StorageClassMode::FromHost))
}

/// The tenant's class `mine` with these parameters.
fn tenant_class(parameters: Value) -> StorageClass {
    from_json(json!({
        "metadata": {"name": "mine"},
        "provisioner": "ebs.csi.aws.com",
        "parameters": parameters,
    }))
}

/// N3 of `mine`.
const HOST_NAME: &str = "vcluster-mine-x-vc-team-a-x-team-a";

fn plan_to_host(t: &Translator, class: &StorageClass) -> Plan {
    let snapshot = Snapshot::new(
        Objects::new(vec![], vec![], vec![class.clone()]).unwrap(),
        Objects::default(),
    );
    t.plan(None, &snapshot)
}

fn host_class_writes(plan: &Plan) -> Vec<&pv_translate::PlannedAction> {
    plan.actions
        .iter()
        .filter(|a| a.cluster == ClusterSide::Host && a.kind == Kind::StorageClass)
        .filter(|a| !a.action.writes_nothing())
        .collect()
}

fn is_conflict(action: &Action, want: Rule) -> bool {
    matches!(action, Action::Conflict { rule, .. } if *rule == want)
}

#[test]
fn t5_a_class_naming_secrets_namespaces_or_paths_never_reaches_the_host() {
    let t = to_host();
    for (key, value) in [
        ("csi.storage.k8s.io/provisioner-secret-name", "cloud-admin"),
        (
            "csi.storage.k8s.io/node-stage-secret-namespace",
            "kube-system",
        ),
        ("secretName", "cloud-admin"),
        ("adminSecretNamespace", "kube-system"),
        ("SECRETREF", "x"),
        ("targetNamespace", "team-b"),
        ("nodePathMap", "[{\"node\":\"DEFAULT\",\"paths\":[\"/\"]}]"),
        ("hostPath", "/etc"),
    ] {
        let class = tenant_class(json!({"type": "gp3", key: value}));
        let pair = t.host_storage_class(&ClassInputs::new(&class)).unwrap();
        assert_eq!(pair.host_class.desired, None, "{key}");
        assert!(
            is_conflict(&pair.host_class.action, Rule::T5),
            "{key}: {}",
            pair.host_class.action
        );
        assert_eq!(pair.virtual_class.action, Action::Unchanged, "{key}");
        let plan = plan_to_host(&t, &class);
        assert!(host_class_writes(&plan).is_empty(), "{key}: {plan:?}");
        assert!(
            plan.actions
                .iter()
                .any(|a| a.name == HOST_NAME && is_conflict(&a.action, Rule::T5)),
            "{key}: {plan:?}"
        );
        // A host copy made before (e.g. by 0.2) is left as it is: nothing is written to it.
        let existing = edit(&tenant_class(json!({"type": "gp3"})), |v| {
            v["metadata"]["name"] = json!(HOST_NAME);
            v["metadata"]["labels"] = json!({"vcluster.loft.sh/managed-by": "vc-team-a-x-team-a"});
            v["metadata"]["annotations"] = json!({"vcluster.loft.sh/object-name": "mine"});
        });
        let pair = t
            .host_storage_class(&ClassInputs::new(&class).with_host_class(&existing))
            .unwrap();
        assert!(is_conflict(&pair.host_class.action, Rule::T5), "{key}");
    }
}

#[test]
fn t5_a_class_with_ordinary_parameters_still_goes_to_the_host() {
    let t = to_host();
    let class =
        tenant_class(json!({"type": "gp3", "iops": "3000", "csi.storage.k8s.io/fstype": "ext4"}));
    let pair = t.host_storage_class(&ClassInputs::new(&class)).unwrap();
    assert_eq!(pair.host_class.action, Action::Create);
    let host = pair.host_class.desired.unwrap();
    assert_eq!(host.metadata.name.as_deref(), Some(HOST_NAME));
    assert_eq!(host.parameters, class.parameters);
    let plan = plan_to_host(&t, &class);
    let writes = host_class_writes(&plan);
    assert_eq!(writes.len(), 1, "{plan:?}");
    assert_eq!(writes[0].action, Action::Create);
}

#[test]
fn t5_tenant_provisioners_limit_which_provisioners_a_class_reaches() {
    let t = to_host()
        .with_options(Options::default().with_tenant_provisioners(Some(["ebs.csi.aws.com"])));
    let allowed = tenant_class(json!({"type": "gp3"}));
    assert_eq!(
        t.host_storage_class(&ClassInputs::new(&allowed))
            .unwrap()
            .host_class
            .action,
        Action::Create
    );
    for provisioner in [
        "kubernetes.io/host-path",
        "rancher.io/local-path",
        "EBS.CSI.AWS.COM",
    ] {
        let other = edit(&allowed, |v| v["provisioner"] = json!(provisioner));
        let pair = t.host_storage_class(&ClassInputs::new(&other)).unwrap();
        assert_eq!(pair.host_class.desired, None, "{provisioner}");
        assert!(
            is_conflict(&pair.host_class.action, Rule::T5),
            "{provisioner}"
        );
        assert!(
            host_class_writes(&plan_to_host(&t, &other)).is_empty(),
            "{provisioner}"
        );
    }
    // An empty list allows none; no list allows any.
    let none = to_host()
        .with_options(Options::default().with_tenant_provisioners(Some(Vec::<String>::new())));
    assert!(is_conflict(
        &none
            .host_storage_class(&ClassInputs::new(&allowed))
            .unwrap()
            .host_class
            .action,
        Rule::T5
    ));
    let any = edit(&allowed, |v| {
        v["provisioner"] = json!("rancher.io/local-path")
    });
    assert_eq!(
        to_host()
            .host_storage_class(&ClassInputs::new(&any))
            .unwrap()
            .host_class
            .action,
        Action::Create
    );
}

#[test]
fn t5_the_tenant_never_sees_a_host_parameter_naming_a_secret() {
    let host: StorageClass = from_json(json!({
        "metadata": {"name": "gold"},
        "provisioner": "rbd.csi.ceph.com",
        "parameters": {
            "pool": "gold",
            "csi.storage.k8s.io/provisioner-secret-name": "ceph-admin",
            "csi.storage.k8s.io/provisioner-secret-namespace": "rook-ceph",
            "adminSecretName": "ceph-admin",
            "clusterID": "rook-ceph",
        },
    }));
    let t = from_host();
    let shown = t
        .virtual_storage_class(&host, None)
        .unwrap()
        .desired
        .unwrap();
    let parameters = shown.parameters.unwrap();
    assert!(
        parameters
            .keys()
            .all(|k| !k.to_ascii_lowercase().contains("secret")),
        "{parameters:?}"
    );
    // The class is shown, with its ordinary parameters (a namespace is no secret: C1 shows it).
    assert_eq!(parameters["pool"], "gold");
    assert_eq!(parameters["clusterID"], "rook-ceph");
    // Through the plan.
    let snapshot = Snapshot::new(
        Objects::default(),
        Objects::new(vec![], vec![], vec![host.clone()]).unwrap(),
    );
    let plan = t.plan(None, &snapshot);
    let created = plan
        .actions
        .iter()
        .find(|a| a.cluster == ClusterSide::Virtual && a.name == "gold")
        .unwrap();
    let class = match &created.desired {
        Some(Object::StorageClass(class)) => class,
        other => unreachable!("C1 creates a class: {other:?}"),
    };
    assert!(
        class
            .parameters
            .as_ref()
            .unwrap()
            .keys()
            .all(|k| !k.contains("secret"))
    );
    // ToHost: a host admin who adds a secret parameter to the host copy (by recreating it) does
    // not show it to the tenant (U2).
    let t = to_host();
    let mine = tenant_class(json!({"type": "gp3"}));
    let copy = t
        .host_storage_class(&ClassInputs::new(&mine))
        .unwrap()
        .host_class
        .desired
        .unwrap();
    let recreated = edit(&copy, |v| {
        v["parameters"]["csi.storage.k8s.io/provisioner-secret-name"] = json!("cloud-admin");
    });
    let pair = t
        .host_storage_class(
            &ClassInputs::new(&mine)
                .with_host_class(&recreated)
                .with_last(Some(&mine), Some(&copy)),
        )
        .unwrap();
    assert!(
        pair.virtual_class
            .explanation
            .clone()
            .unwrap()
            .applied(Rule::T5)
    );
    let parameters = pair
        .virtual_class
        .desired
        .unwrap()
        .parameters
        .unwrap_or_default();
    assert!(
        !parameters.keys().any(|k| k.contains("secret")),
        "{parameters:?}"
    );
}

#[test]
fn c2_neither_default_class_key_reaches_the_host_either_way() {
    let t = to_host();
    let class: StorageClass = from_json(json!({
        "metadata": {"name": "mine", "annotations": {
            "storageclass.kubernetes.io/is-default-class": "true",
            "storageclass.beta.kubernetes.io/is-default-class": "true",
            "team.example.com/owner": "alice",
        }},
        "provisioner": "ebs.csi.aws.com",
        "parameters": {"type": "gp3"},
    }));
    let host = t
        .host_storage_class(&ClassInputs::new(&class))
        .unwrap()
        .host_class
        .desired
        .unwrap();
    let annotations = host.metadata.annotations.clone().unwrap();
    assert!(!annotations.contains_key("storageclass.kubernetes.io/is-default-class"));
    assert!(!annotations.contains_key("storageclass.beta.kubernetes.io/is-default-class"));
    assert_eq!(
        annotations["vcluster.loft.sh/managed-annotations"],
        "team.example.com/owner"
    );
    assert_eq!(host.parameters, class.parameters);
    // Added later (U2): still not pushed.
    let plain = edit(&class, |v| {
        v["metadata"]["annotations"] = json!({"team.example.com/owner": "alice"});
    });
    let copy = t
        .host_storage_class(&ClassInputs::new(&plain))
        .unwrap()
        .host_class
        .desired
        .unwrap();
    let pair = t
        .host_storage_class(
            &ClassInputs::new(&class)
                .with_host_class(&copy)
                .with_last(Some(&plain), Some(&copy)),
        )
        .unwrap();
    assert_eq!(
        pair.host_class.action,
        Action::Unchanged,
        "{}",
        pair.host_class.action
    );
}
