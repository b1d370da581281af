//! Scenario files: a storage lifecycle played on both clusters by the simulation of
//! [`crate::lifecycle`], with expectations in between. Users write scenarios to test what their
//! configuration does to their data before they deploy.
//!
//! ```yaml
//! mode: {persistentVolumes: fake}   # or vcluster: {...}; virtualCluster, options as in case files
//! host:                  # the host cluster before the first step (each list optional)
//!   storageClasses: [{metadata: {name: gp3}, provisioner: ebs.csi.aws.com, reclaimPolicy: Retain}]
//! virtual: {}            # the virtual cluster before the first step (same three lists)
//! steps:
//!   - create: {kind: PersistentVolumeClaim, metadata: {name: data, namespace: default},
//!              spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 5Gi}},
//!                     storageClassName: gp3}}     # in the virtual cluster unless `in: host`
//!   - expect:
//!       claims:
//!         default/data: {virtualPv: {reclaimPolicy: Delete}, hostPv: {reclaimPolicy: Retain}}
//!       findings: [TenantSeesDeleteHostRetains]
//!   - predict: default/data
//!     expect: {disk: retained, tenantMisled: true}
//! ```
//!
//! Steps: `create`, `update` (a whole object, replacing the one of the same kind and name),
//! `delete` (`kind`, `name`, `namespace` when namespaced), `setReclaimPolicy` (host only; `name`,
//! `policy`), each with `in: virtual` (default) or `in: host`; `restart`; `expect`; `predict`.
//! A claim's `virtualPvc`, `hostPvc`, `virtualPv` (the PV its claim is or was bound to) and
//! `hostPv` (the host PV behind it) are `absent` or a map of any of `phase`, `reclaimPolicy`,
//! `storageClassName`, `capacity` (compared by value) and `volumeName`; `disk` is `none`,
//! `retained` or `destroyed`. Only the keys written are compared.
//!
//! ```
//! use pv_translate::scenario::Scenario;
//! let scenario = Scenario::from_yaml(r#"
//! host:
//!   storageClasses:
//!   - metadata: {name: gp3, annotations: {storageclass.kubernetes.io/is-default-class: "true"}}
//!     provisioner: ebs.csi.aws.com
//!     reclaimPolicy: Retain
//! steps:
//! - create: {kind: PersistentVolumeClaim, metadata: {name: data, namespace: default},
//!            spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 5Gi}}}}
//! - predict: default/data
//!   expect: {virtualPv: deleted, hostPv: released, disk: retained, tenantMisled: true}
//! "#)?;
//! let outcome = scenario.run(false)?;
//! assert!(outcome.failures.is_empty(), "{:?}", outcome.failures);
//! # Ok::<(), pv_translate::Error>(())
//! ```

use std::collections::BTreeMap;
use std::fmt;

use k8s_openapi::api::core::v1::{PersistentVolume, PersistentVolumeClaim};
use k8s_openapi::api::storage::v1::StorageClass;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::cluster::VirtualCluster;
use crate::error::Error;
use crate::lifecycle::{Starting, Step, Violation, World};
use crate::mode::SyncMode;
use crate::options::Options;
use crate::plan::{ClusterSide, Kind, Object};
use crate::quantity::same_quantity;
use crate::snapshot::Objects;
use crate::translator::Translator;

/// One step of a scenario file.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ScenarioStep {
    /// An action of a person, followed by a settle.
    Act(Step),
    /// Expectations about the world as it is (nothing changes).
    Expect {
        /// Claims by `namespace/name`: the keys written, as YAML.
        claims: Map<String, Value>,
        /// The finding kinds present, as a set, when written.
        findings: Option<Vec<String>>,
        /// *(0.3)* Host objects by `Kind/[namespace/]name`: the keys written, as YAML.
        host: Map<String, Value>,
        /// *(0.3)* Virtual objects, likewise.
        virtual_objects: Map<String, Value>,
    },
    /// SPEC L1 for a claim, with expected values (nothing changes).
    Predict {
        /// The claim's namespace.
        namespace: String,
        /// The claim's name.
        name: String,
        /// The keys written of `virtualPv`, `hostPv`, `disk`, `tenantMisled`.
        expect: Map<String, Value>,
    },
}

/// A scenario: the starting world, the translator, the steps.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Scenario {
    /// The syncer's identity, mode and options.
    pub translator: Translator,
    /// The host cluster before the first step, in the order written.
    pub host: Starting,
    /// The virtual cluster before the first step, in the order written.
    pub virtual_cluster: Starting,
    /// The steps, in order (numbered from 1 in messages).
    pub steps: Vec<ScenarioStep>,
    /// *(0.3)* The upstream test case the scenario reproduces, when it says.
    pub upstream: Option<String>,
}

/// An expectation that did not hold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Failure {
    /// The step (1-based) of the expectation.
    pub step: usize,
    /// What was expected, e.g. `default/data hostPv.phase: Released`.
    pub expected: String,
    /// What was found.
    pub found: String,
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "step {}: expected {}, found {}",
            self.step, self.expected, self.found
        )
    }
}

/// What playing a scenario gave.
#[derive(Debug)]
#[non_exhaustive]
pub struct Outcome {
    /// The world after the last step.
    pub world: World,
    /// The expectations that did not hold.
    pub failures: Vec<Failure>,
}

impl Outcome {
    /// Every broken invariant (SPEC Y3).
    pub fn violations(&self) -> &[Violation] {
        self.world.violations()
    }

    /// Whether every expectation held and no invariant broke.
    pub fn passed(&self) -> bool {
        self.failures.is_empty() && self.world.violations().is_empty()
    }
}

fn scenario_error(reason: String) -> Error {
    Error::Case { reason }
}

/// The keys of a scenario file.
const TOP_KEYS: [&str; 8] = [
    "mode",
    "vcluster",
    "virtualCluster",
    "options",
    "host",
    "virtual",
    "steps",
    "upstream",
];

impl Scenario {
    /// Reads a scenario from YAML text.
    ///
    /// # Errors
    ///
    /// Invalid YAML, an unknown key, an object that does not parse, a step with an unknown key,
    /// a claim key that is not `namespace/name`: one message naming the step and the field.
    pub fn from_yaml(text: &str) -> Result<Self, Error> {
        let documents = crate::dump::documents(text).map_err(scenario_error)?;
        let document = match documents.as_slice() {
            [] => Value::Null,
            [one] => one.clone(),
            _ => return Err(scenario_error("a scenario is one YAML document".to_owned())),
        };
        let Value::Object(top) = document else {
            return Err(scenario_error(
                "a scenario is a mapping with `steps` (and `host`, `virtual`, `mode`, ...)"
                    .to_owned(),
            ));
        };
        if let Some(unknown) = top.keys().find(|k| !TOP_KEYS.contains(&k.as_str())) {
            return Err(scenario_error(format!(
                "{unknown}: unknown key (want one of {})",
                TOP_KEYS.join(", ")
            )));
        }
        let translator = translator(&top)?;
        let host = cluster(top.get("host"), "host")?;
        let virtual_cluster = cluster(top.get("virtual"), "virtual")?;
        let steps = match top.get("steps") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(steps)) => steps
                .iter()
                .enumerate()
                .map(|(i, step)| read_step(step, i.saturating_add(1)))
                .collect::<Result<_, _>>()?,
            Some(_) => return Err(scenario_error("steps: expected a list".to_owned())),
        };
        let upstream = match top.get("upstream") {
            None | Some(Value::Null) => None,
            Some(Value::String(text)) => Some(text.clone()),
            Some(_) => return Err(scenario_error("upstream: expected text".to_owned())),
        };
        Ok(Self {
            translator,
            host,
            virtual_cluster,
            steps,
            upstream,
        })
    }

    /// Plays the scenario: the starting world settles, then every step in order.
    /// `timeline`: whether the world records every action ([`World::timeline`]).
    ///
    /// # Errors
    ///
    /// A step that cannot be played (an object that does not exist, a prediction for a claim
    /// that is not bound, a sync loop), naming the step.
    pub fn run(&self, timeline: bool) -> Result<Outcome, Error> {
        let mut world = World::new(
            self.translator.clone(),
            self.virtual_cluster.clone(),
            self.host.clone(),
            timeline,
        )
        .map_err(|e| step_error(0, &e))?;
        let mut failures = Vec::new();
        for (i, step) in self.steps.iter().enumerate() {
            let number = i.saturating_add(1);
            match step {
                ScenarioStep::Act(step) => world
                    .step_numbered(number, step.clone())
                    .map_err(|e| step_error(number, &e))?,
                ScenarioStep::Expect {
                    claims,
                    findings,
                    host,
                    virtual_objects,
                } => {
                    check_claims(&world, claims, number, &mut failures);
                    if let Some(findings) = findings {
                        check_findings(&world, findings, number, &mut failures);
                    }
                    check_objects(&world, ClusterSide::Host, host, number, &mut failures);
                    check_objects(
                        &world,
                        ClusterSide::Virtual,
                        virtual_objects,
                        number,
                        &mut failures,
                    );
                }
                ScenarioStep::Predict {
                    namespace,
                    name,
                    expect,
                } => {
                    let prediction = world
                        .predict(namespace, name)
                        .map_err(|e| step_error(number, &e))?;
                    let found = serde_json::to_value(prediction).unwrap_or(Value::Null);
                    for (key, wanted) in expect {
                        let got = found.get(key).cloned().unwrap_or(Value::Null);
                        if &got != wanted {
                            failures.push(Failure {
                                step: number,
                                expected: format!(
                                    "predict {namespace}/{name} {key}: {}",
                                    show(wanted)
                                ),
                                found: show(&got),
                            });
                        }
                    }
                }
            }
        }
        Ok(Outcome { world, failures })
    }
}

fn step_error(step: usize, error: &Error) -> Error {
    scenario_error(format!("step {step}: {error}"))
}

/// A value as a person writes it.
fn show(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => "absent".to_owned(),
        other => other.to_string(),
    }
}

/// The translator of the file: `mode` or `vcluster`, `virtualCluster`, `options`.
fn translator(top: &Map<String, Value>) -> Result<Translator, Error> {
    let typed = |key: &str| top.get(key).filter(|v| !v.is_null()).cloned();
    let cluster: VirtualCluster = match typed("virtualCluster") {
        Some(value) => serde_json::from_value(value)
            .map_err(|e| scenario_error(format!("virtualCluster: {e}")))?,
        None => VirtualCluster::default(),
    };
    let options: Options = match typed("options") {
        Some(value) => {
            serde_json::from_value(value).map_err(|e| scenario_error(format!("options: {e}")))?
        }
        None => Options::default(),
    };
    let mut translator = Translator::new(cluster).with_options(options);
    match (typed("mode"), typed("vcluster")) {
        (Some(_), Some(_)) => {
            return Err(scenario_error(
                "mode, vcluster: give either `mode` or `vcluster`, not both".to_owned(),
            ));
        }
        (Some(mode), None) => {
            let mode: SyncMode =
                serde_json::from_value(mode).map_err(|e| scenario_error(format!("mode: {e}")))?;
            translator = translator.with_mode(mode);
        }
        (None, Some(document)) => {
            let config = crate::config::resolve(&document)?;
            translator = translator
                .with_mode(config.mode)
                .with_class_selector(config.class_limit().cloned());
        }
        (None, None) => {}
    }
    Ok(translator)
}

/// One cluster's starting objects: `storageClasses`, `persistentVolumes`,
/// `persistentVolumeClaims`.
fn cluster(value: Option<&Value>, key: &str) -> Result<Starting, Error> {
    let map = match value {
        None | Some(Value::Null) => return Ok(Starting::default()),
        Some(Value::Object(map)) => map,
        Some(_) => return Err(scenario_error(format!("{key}: expected a mapping"))),
    };
    let lists = [
        "storageClasses",
        "persistentVolumes",
        "persistentVolumeClaims",
    ];
    if let Some(unknown) = map.keys().find(|k| !lists.contains(&k.as_str())) {
        return Err(scenario_error(format!(
            "{key}.{unknown}: unknown key (want one of {})",
            lists.join(", ")
        )));
    }
    let list = |name: &str| -> Result<Vec<Value>, Error> {
        match map.get(name) {
            None | Some(Value::Null) => Ok(Vec::new()),
            Some(Value::Array(items)) => Ok(items.clone()),
            Some(_) => Err(scenario_error(format!("{key}.{name}: expected a list"))),
        }
    };
    let typed_list = |name: &str, kind: Kind| -> Result<Vec<Object>, Error> {
        list(name)?
            .into_iter()
            .enumerate()
            .map(|(i, v)| typed_object(v, kind, &format!("{key}.{name}[{i}]")))
            .collect()
    };
    let mut classes = Vec::new();
    let mut pvs = Vec::new();
    let mut pvcs = Vec::new();
    for object in typed_list("storageClasses", Kind::StorageClass)? {
        if let Object::StorageClass(class) = object {
            classes.push(*class);
        }
    }
    for object in typed_list("persistentVolumes", Kind::PersistentVolume)? {
        if let Object::PersistentVolume(pv) = object {
            pvs.push(*pv);
        }
    }
    for object in typed_list("persistentVolumeClaims", Kind::PersistentVolumeClaim)? {
        if let Object::PersistentVolumeClaim(pvc) = object {
            pvcs.push(*pvc);
        }
    }
    Ok(Starting::new(classes, pvs, pvcs))
}

/// Types an object of `kind`, naming `place` and the field at fault.
fn typed_object(value: Value, kind: Kind, place: &str) -> Result<Object, Error> {
    fn typed<T: DeserializeOwned>(value: Value, place: &str) -> Result<T, Error> {
        serde_path_to_error::deserialize(value).map_err(|e| {
            let path = e.path().to_string();
            scenario_error(format!(
                "{place}: {path}: {}",
                crate::dump::first_line(&e.into_inner().to_string())
            ))
        })
    }
    Ok(match kind {
        Kind::PersistentVolumeClaim => {
            Object::PersistentVolumeClaim(Box::new(typed::<PersistentVolumeClaim>(value, place)?))
        }
        Kind::PersistentVolume => {
            Object::PersistentVolume(Box::new(typed::<PersistentVolume>(value, place)?))
        }
        Kind::StorageClass => Object::StorageClass(Box::new(typed::<StorageClass>(value, place)?)),
    })
}

/// The kind a step names.
fn kind_of(value: Option<&Value>, place: &str) -> Result<Kind, Error> {
    match value.and_then(Value::as_str) {
        Some("PersistentVolumeClaim") => Ok(Kind::PersistentVolumeClaim),
        Some("PersistentVolume") => Ok(Kind::PersistentVolume),
        Some("StorageClass") => Ok(Kind::StorageClass),
        other => Err(scenario_error(format!(
            "{place}.kind: expected PersistentVolumeClaim, PersistentVolume or StorageClass, found {}",
            other.unwrap_or("nothing")
        ))),
    }
}

/// A `namespace/name` claim key.
fn claim_key(text: &str, place: &str) -> Result<(String, String), Error> {
    match text.split_once('/') {
        Some((ns, n)) if !ns.is_empty() && !n.is_empty() && !n.contains('/') => {
            Ok((ns.to_owned(), n.to_owned()))
        }
        _ => Err(scenario_error(format!(
            "{place}: {text:?} is not a claim key (namespace/name)"
        ))),
    }
}

/// The step keys, one action each.
const STEP_KEYS: [&str; 9] = [
    "create",
    "update",
    "delete",
    "setReclaimPolicy",
    "restart",
    "expect",
    "predict",
    "provisioner",
    "consumer",
];

fn read_step(value: &Value, number: usize) -> Result<ScenarioStep, Error> {
    let place = format!("step {number}");
    let Value::Object(map) = value else {
        return Err(scenario_error(format!("{place}: expected a mapping")));
    };
    let action: Vec<&str> = map
        .keys()
        .map(String::as_str)
        .filter(|k| *k != "in" && !(*k == "expect" && map.contains_key("predict")))
        .collect();
    if let Some(unknown) = action.iter().find(|k| !STEP_KEYS.contains(k)) {
        return Err(scenario_error(format!(
            "{place}: unknown step {unknown:?} (want one of {})",
            STEP_KEYS.join(", ")
        )));
    }
    let [key] = action.as_slice() else {
        return Err(scenario_error(format!(
            "{place}: a step has exactly one of {}",
            STEP_KEYS.join(", ")
        )));
    };
    let cluster = match map.get("in").map(|v| v.as_str()) {
        None | Some(Some("virtual")) => ClusterSide::Virtual,
        Some(Some("host")) => ClusterSide::Host,
        Some(_) => {
            return Err(scenario_error(format!(
                "{place}.in: expected virtual or host"
            )));
        }
    };
    let body = map.get(*key).cloned().unwrap_or(Value::Null);
    let here = format!("{place}.{key}");
    Ok(match *key {
        "create" | "update" => {
            let kind = kind_of(body.get("kind"), &here)?;
            let object = typed_object(body, kind, &here)?;
            if *key == "create" {
                ScenarioStep::Act(Step::Create { cluster, object })
            } else {
                ScenarioStep::Act(Step::Update { cluster, object })
            }
        }
        "delete" => {
            let kind = kind_of(body.get("kind"), &here)?;
            let field = |k: &str| {
                body.get(k)
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned()
            };
            let name = field("name");
            if name.is_empty() {
                return Err(scenario_error(format!("{here}.name: missing")));
            }
            let namespace = field("namespace");
            if kind == Kind::PersistentVolumeClaim && namespace.is_empty() {
                return Err(scenario_error(format!("{here}.namespace: missing")));
            }
            ScenarioStep::Act(Step::Delete {
                cluster,
                kind,
                namespace,
                name,
            })
        }
        "setReclaimPolicy" => {
            if cluster != ClusterSide::Host {
                return Err(scenario_error(format!(
                    "{here}: only a host PV's policy is set by a step (`in: host`)"
                )));
            }
            let field = |k: &str| body.get(k).and_then(Value::as_str).map(str::to_owned);
            let name =
                field("name").ok_or_else(|| scenario_error(format!("{here}.name: missing")))?;
            let policy =
                field("policy").ok_or_else(|| scenario_error(format!("{here}.policy: missing")))?;
            if !["Delete", "Retain", "Recycle"].contains(&policy.as_str()) {
                return Err(scenario_error(format!(
                    "{here}.policy: {policy:?} (want Delete, Retain or Recycle)"
                )));
            }
            ScenarioStep::Act(Step::SetReclaimPolicy { name, policy })
        }
        "restart" => ScenarioStep::Act(Step::Restart),
        "provisioner" => {
            if map.contains_key("in") && cluster != ClusterSide::Host {
                return Err(scenario_error(format!(
                    "{here}: a provisioner is a fact of the host (`in: host` or no `in`)"
                )));
            }
            let Value::Object(fact) = &body else {
                return Err(scenario_error(format!(
                    "{here}: expected a mapping with name and running"
                )));
            };
            if let Some(unknown) = fact
                .keys()
                .find(|k| !["name", "running"].contains(&k.as_str()))
            {
                return Err(scenario_error(format!(
                    "{here}.{unknown}: unknown key (want name, running)"
                )));
            }
            let name = fact
                .get("name")
                .and_then(Value::as_str)
                .filter(|n| !n.is_empty())
                .ok_or_else(|| scenario_error(format!("{here}.name: missing")))?
                .to_owned();
            let running = fact
                .get("running")
                .and_then(Value::as_bool)
                .ok_or_else(|| scenario_error(format!("{here}.running: expected true or false")))?;
            ScenarioStep::Act(Step::Provisioner { name, running })
        }
        "consumer" => {
            let Value::Object(fact) = &body else {
                return Err(scenario_error(format!(
                    "{here}: expected a mapping with namespace and name"
                )));
            };
            if let Some(unknown) = fact
                .keys()
                .find(|k| !["namespace", "name"].contains(&k.as_str()))
            {
                return Err(scenario_error(format!(
                    "{here}.{unknown}: unknown key (want namespace, name)"
                )));
            }
            let field = |k: &str| {
                fact.get(k)
                    .and_then(Value::as_str)
                    .filter(|v| !v.is_empty())
                    .map(str::to_owned)
                    .ok_or_else(|| scenario_error(format!("{here}.{k}: missing")))
            };
            let namespace = field("namespace")?;
            let name = field("name")?;
            // A consumer fact about a claim of the host unless `in: virtual`.
            let cluster = match map.get("in") {
                None => ClusterSide::Host,
                Some(_) => cluster,
            };
            ScenarioStep::Act(Step::Consumer {
                cluster,
                namespace,
                name,
            })
        }
        "expect" => {
            let Value::Object(expect) = body else {
                return Err(scenario_error(format!("{here}: expected a mapping")));
            };
            if let Some(unknown) = expect
                .keys()
                .find(|k| !["claims", "findings", "host", "virtual"].contains(&k.as_str()))
            {
                return Err(scenario_error(format!(
                    "{here}.{unknown}: unknown key (want claims, findings, host, virtual)"
                )));
            }
            let host = object_expectations(expect.get("host"), &format!("{here}.host"))?;
            let virtual_objects =
                object_expectations(expect.get("virtual"), &format!("{here}.virtual"))?;
            let claims = match expect.get("claims") {
                None | Some(Value::Null) => Map::new(),
                Some(Value::Object(claims)) => {
                    for key in claims.keys() {
                        claim_key(key, &format!("{here}.claims"))?;
                    }
                    claims.clone()
                }
                Some(_) => {
                    return Err(scenario_error(format!("{here}.claims: expected a mapping")));
                }
            };
            let findings = match expect.get("findings") {
                None => None,
                Some(Value::Array(items)) => Some(
                    items
                        .iter()
                        .map(|v| v.as_str().map(str::to_owned))
                        .collect::<Option<Vec<_>>>()
                        .ok_or_else(|| {
                            scenario_error(format!("{here}.findings: expected kind names"))
                        })?,
                ),
                Some(_) => return Err(scenario_error(format!("{here}.findings: expected a list"))),
            };
            ScenarioStep::Expect {
                claims,
                findings,
                host,
                virtual_objects,
            }
        }
        "predict" => {
            let text = body
                .as_str()
                .ok_or_else(|| scenario_error(format!("{here}: expected namespace/name")))?;
            let (namespace, name) = claim_key(text, &here)?;
            let expect = match map.get("expect") {
                None | Some(Value::Null) => Map::new(),
                Some(Value::Object(expect)) => expect.clone(),
                Some(_) => {
                    return Err(scenario_error(format!(
                        "{place}.expect: expected a mapping"
                    )));
                }
            };
            ScenarioStep::Predict {
                namespace,
                name,
                expect,
            }
        }
        _ => return Err(scenario_error(format!("{place}: unknown step {key:?}"))),
    })
}

/// The fields of an object a claim expectation can name.
fn fields_of_pv(pv: &PersistentVolume) -> Map<String, Value> {
    let spec = pv.spec.as_ref();
    let mut out = Map::new();
    let mut put = |key: &str, value: Option<String>| {
        out.insert(key.to_owned(), value.map_or(Value::Null, Value::String));
    };
    put("phase", pv.status.as_ref().and_then(|s| s.phase.clone()));
    put(
        "reclaimPolicy",
        spec.and_then(|s| s.persistent_volume_reclaim_policy.clone()),
    );
    put(
        "storageClassName",
        spec.and_then(|s| s.storage_class_name.clone()),
    );
    put(
        "capacity",
        spec.and_then(|s| s.capacity.as_ref())
            .and_then(|c| c.get("storage"))
            .map(|q| q.0.clone()),
    );
    put("volumeName", None);
    out
}

fn fields_of_pvc(pvc: &PersistentVolumeClaim) -> Map<String, Value> {
    let spec = pvc.spec.as_ref();
    let mut out = Map::new();
    let mut put = |key: &str, value: Option<String>| {
        out.insert(key.to_owned(), value.map_or(Value::Null, Value::String));
    };
    put("phase", pvc.status.as_ref().and_then(|s| s.phase.clone()));
    put("reclaimPolicy", None);
    put(
        "storageClassName",
        spec.and_then(|s| s.storage_class_name.clone()),
    );
    put(
        "capacity",
        pvc.status
            .as_ref()
            .and_then(|s| s.capacity.as_ref())
            .and_then(|c| c.get("storage"))
            .map(|q| q.0.clone()),
    );
    put("volumeName", spec.and_then(|s| s.volume_name.clone()));
    out
}

/// The state of one claim, in the format of `claims`: every key, `absent` for a missing
/// object.
pub fn claim_state(world: &World, namespace: &str, claim: &str) -> Map<String, Value> {
    let clusters = world.clusters();
    let cluster = world.translator().context().cluster();
    let record = world.record(namespace, claim).cloned().unwrap_or_default();
    let absent = || Value::String("absent".to_owned());
    let mut out = Map::new();
    out.insert(
        "virtualPvc".to_owned(),
        clusters
            .virtual_cluster
            .pvc(namespace, claim)
            .map_or_else(absent, |p| Value::Object(fields_of_pvc(p))),
    );
    let host_pvc = cluster
        .host_name(claim, namespace)
        .ok()
        .and_then(|n| clusters.host_cluster.pvc(cluster.host_namespace(), &n));
    out.insert(
        "hostPvc".to_owned(),
        host_pvc.map_or_else(absent, |p| Value::Object(fields_of_pvc(p))),
    );
    let pv = |objects: &Objects, volume: Option<&str>| {
        volume
            .and_then(|v| objects.pv(v))
            .map_or_else(absent, |p| Value::Object(fields_of_pv(p)))
    };
    out.insert(
        "virtualPv".to_owned(),
        pv(&clusters.virtual_cluster, record.virtual_volume.as_deref()),
    );
    out.insert(
        "hostPv".to_owned(),
        pv(&clusters.host_cluster, record.host_volume.as_deref()),
    );
    let disk = match record.disk.as_deref().and_then(|d| world.disk(d)) {
        None => "none",
        Some(d) if d.exists => "retained",
        Some(_) => "destroyed",
    };
    out.insert("disk".to_owned(), Value::String(disk.to_owned()));
    out
}

/// The state of every claim the world has a record of, by `namespace/name`.
pub fn claim_states(world: &World) -> BTreeMap<String, Map<String, Value>> {
    world
        .records()
        .map(|((ns, n), _)| (format!("{ns}/{n}"), claim_state(world, ns, n)))
        .collect()
}

/// Whether a found value is what a person wrote (quantities by value).
fn matches(key: &str, wanted: &Value, found: &Value) -> bool {
    match (wanted, found) {
        (Value::String(w), Value::String(f)) if key == "capacity" => same_quantity(w, f),
        (Value::Number(w), Value::String(f)) if key == "capacity" => {
            same_quantity(&w.to_string(), f)
        }
        _ => wanted == found,
    }
}

fn check_claims(
    world: &World,
    claims: &Map<String, Value>,
    step: usize,
    failures: &mut Vec<Failure>,
) {
    for (key, wanted) in claims {
        let Some((namespace, claim)) = key.split_once('/') else {
            continue;
        };
        let state = claim_state(world, namespace, claim);
        let Value::Object(wanted) = wanted else {
            continue;
        };
        for (object, want) in wanted {
            let found = state.get(object).cloned().unwrap_or(Value::Null);
            match (want, &found) {
                (Value::Object(fields), Value::Object(have)) => {
                    for (field, value) in fields {
                        let got = have.get(field).cloned().unwrap_or(Value::Null);
                        if !matches(field, value, &got) {
                            failures.push(Failure {
                                step,
                                expected: format!("{key} {object}.{field}: {}", show(value)),
                                found: show(&got),
                            });
                        }
                    }
                }
                (Value::Object(_), other) => failures.push(Failure {
                    step,
                    expected: format!("{key} {object}: present"),
                    found: show(other),
                }),
                (want, have) if want != have => failures.push(Failure {
                    step,
                    expected: format!("{key} {object}: {}", show(want)),
                    found: match have {
                        Value::Object(_) => "present".to_owned(),
                        other => show(other),
                    },
                }),
                _ => {}
            }
        }
    }
}

fn check_findings(world: &World, wanted: &[String], step: usize, failures: &mut Vec<Failure>) {
    let mut found: Vec<String> = world
        .translator()
        .audit(world.clusters())
        .iter()
        .map(|f| f.kind.as_str().to_owned())
        .collect();
    found.sort_unstable();
    found.dedup();
    let mut wanted: Vec<String> = wanted.to_vec();
    wanted.sort_unstable();
    wanted.dedup();
    if found != wanted {
        failures.push(Failure {
            step,
            expected: format!("findings [{}]", wanted.join(", ")),
            found: format!("[{}]", found.join(", ")),
        });
    }
}

/// An object address of `expect.host` / `expect.virtual`: `PersistentVolume/NAME`,
/// `PersistentVolumeClaim/NAMESPACE/NAME` or `StorageClass/NAME`.
fn object_address(text: &str, place: &str) -> Result<(Kind, String, String), Error> {
    let parts: Vec<&str> = text.split('/').collect();
    let bad = || {
        scenario_error(format!(
            "{place}: {text:?} is not an object (PersistentVolume/NAME, PersistentVolumeClaim/NAMESPACE/NAME or StorageClass/NAME)"
        ))
    };
    match parts.as_slice() {
        ["PersistentVolume", n] if !n.is_empty() => {
            Ok((Kind::PersistentVolume, String::new(), (*n).to_owned()))
        }
        ["StorageClass", n] if !n.is_empty() => {
            Ok((Kind::StorageClass, String::new(), (*n).to_owned()))
        }
        ["PersistentVolumeClaim", ns, n] if !ns.is_empty() && !n.is_empty() => Ok((
            Kind::PersistentVolumeClaim,
            (*ns).to_owned(),
            (*n).to_owned(),
        )),
        _ => Err(bad()),
    }
}

/// The keys an object expectation may have.
const OBJECT_KEYS: [&str; 10] = [
    "phase",
    "claimRef",
    "volumeName",
    "storageClassName",
    "reclaimPolicy",
    "capacity",
    "annotations",
    "finalizers",
    "deleting",
    "disk",
];

/// Reads `expect.host` or `expect.virtual`: every address and key checked.
fn object_expectations(value: Option<&Value>, place: &str) -> Result<Map<String, Value>, Error> {
    let map = match value {
        None | Some(Value::Null) => return Ok(Map::new()),
        Some(Value::Object(map)) => map,
        Some(_) => return Err(scenario_error(format!("{place}: expected a mapping"))),
    };
    for (address, wanted) in map {
        object_address(address, place)?;
        let here = format!("{place}.{address}");
        match wanted {
            Value::String(s) if s == "absent" => {}
            Value::Object(fields) => {
                if let Some(unknown) = fields.keys().find(|k| !OBJECT_KEYS.contains(&k.as_str())) {
                    return Err(scenario_error(format!(
                        "{here}.{unknown}: unknown key (want one of {})",
                        OBJECT_KEYS.join(", ")
                    )));
                }
                if let Some(annotations) = fields.get("annotations")
                    && !annotations.is_object()
                {
                    return Err(scenario_error(format!(
                        "{here}.annotations: expected a mapping of keys to values (or `absent`)"
                    )));
                }
                if let Some(finalizers) = fields.get("finalizers")
                    && !(finalizers.is_object()
                        || finalizers
                            .as_array()
                            .is_some_and(|a| a.iter().all(Value::is_string)))
                {
                    return Err(scenario_error(format!(
                        "{here}.finalizers: expected a list of finalizers (or a mapping to present/absent)"
                    )));
                }
                if let Some(deleting) = fields.get("deleting")
                    && !deleting.is_boolean()
                {
                    return Err(scenario_error(format!(
                        "{here}.deleting: expected true or false"
                    )));
                }
                if let Some(disk) = fields.get("disk")
                    && !["none", "retained", "destroyed"]
                        .iter()
                        .any(|d| disk.as_str() == Some(d))
                {
                    return Err(scenario_error(format!(
                        "{here}.disk: expected none, retained or destroyed"
                    )));
                }
            }
            _ => {
                return Err(scenario_error(format!(
                    "{here}: expected `absent` or a mapping"
                )));
            }
        }
    }
    Ok(map.clone())
}

/// The metadata of an object of a cluster, when it exists.
fn object_meta<'o>(
    objects: &'o Objects,
    kind: Kind,
    namespace: &str,
    name: &str,
) -> Option<&'o k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta> {
    match kind {
        Kind::PersistentVolume => objects.pv(name).map(|o| &o.metadata),
        Kind::PersistentVolumeClaim => objects.pvc(namespace, name).map(|o| &o.metadata),
        Kind::StorageClass => objects.storage_class(name).map(|o| &o.metadata),
    }
}

/// The value of one field of an object, as an expectation names it.
fn object_field(objects: &Objects, kind: Kind, namespace: &str, name: &str, key: &str) -> Value {
    let text = |v: Option<String>| v.map_or(Value::Null, Value::String);
    match kind {
        Kind::PersistentVolume => {
            let Some(pv) = objects.pv(name) else {
                return Value::Null;
            };
            let mut fields = fields_of_pv(pv);
            match key {
                "claimRef" => text(Some(
                    pv.spec
                        .as_ref()
                        .and_then(|s| s.claim_ref.as_ref())
                        .map_or_else(
                            || "none".to_owned(),
                            |c| {
                                format!(
                                    "{}/{}/{}",
                                    c.namespace.as_deref().unwrap_or_default(),
                                    c.name.as_deref().unwrap_or_default(),
                                    c.uid.as_deref().unwrap_or_default()
                                )
                            },
                        ),
                )),
                other => fields.remove(other).unwrap_or(Value::Null),
            }
        }
        Kind::PersistentVolumeClaim => objects.pvc(namespace, name).map_or(Value::Null, |pvc| {
            fields_of_pvc(pvc).remove(key).unwrap_or(Value::Null)
        }),
        Kind::StorageClass => {
            let Some(class) = objects.storage_class(name) else {
                return Value::Null;
            };
            match key {
                "reclaimPolicy" => text(class.reclaim_policy.clone()),
                _ => Value::Null,
            }
        }
    }
}

/// Whether a claimRef found (`namespace/name/uid` or `none`) is the one written: `none`,
/// `namespace/name` (any uid), or `namespace/name/uid` (`namespace/name/` for an empty uid).
fn claim_ref_matches(wanted: &str, found: &str) -> bool {
    if wanted == "none" || found == "none" {
        return wanted == found;
    }
    if wanted.matches('/').count() == 1 {
        found
            .rsplit_once('/')
            .is_some_and(|(ns_name, _)| ns_name == wanted)
    } else {
        wanted == found
    }
}

/// `expect.host` / `expect.virtual`: every object and key written.
fn check_objects(
    world: &World,
    side: ClusterSide,
    wanted: &Map<String, Value>,
    step: usize,
    failures: &mut Vec<Failure>,
) {
    let clusters = world.clusters();
    let (objects, cluster) = match side {
        ClusterSide::Host => (&clusters.host_cluster, "host"),
        ClusterSide::Virtual => (&clusters.virtual_cluster, "virtual"),
    };
    for (address, want) in wanted {
        let Ok((kind, namespace, name)) = object_address(address, "") else {
            continue;
        };
        let meta = object_meta(objects, kind, &namespace, &name);
        let mut fail = |expected: String, found: String| {
            failures.push(Failure {
                step,
                expected: format!("{cluster} {address} {expected}"),
                found,
            });
        };
        let fields = match (want, meta) {
            (Value::String(_), None) => continue,
            (Value::String(_), Some(_)) => {
                fail("absent".to_owned(), "present".to_owned());
                continue;
            }
            (Value::Object(fields), _) => fields,
            _ => continue,
        };
        let disk_only = fields.keys().all(|k| k == "disk");
        let Some(meta) = meta else {
            if !disk_only {
                fail("present".to_owned(), "absent".to_owned());
                continue;
            }
            if let Some(disk) = fields.get("disk") {
                let found = volume_disk_state(world, side, kind, &name);
                if Some(found) != disk.as_str() {
                    fail(format!("disk: {}", show(disk)), found.to_owned());
                }
            }
            continue;
        };
        for (key, value) in fields {
            match key.as_str() {
                "annotations" => {
                    let Value::Object(annotations) = value else {
                        continue;
                    };
                    for (k, v) in annotations {
                        let found = crate::object::annotation(meta, k);
                        let ok = match v.as_str() {
                            Some("absent") => found.is_none(),
                            Some(text) => found == Some(text),
                            None => false,
                        };
                        if !ok {
                            fail(
                                format!("annotations.{k}: {}", show(v)),
                                found.unwrap_or("absent").to_owned(),
                            );
                        }
                    }
                }
                "finalizers" => {
                    let have = meta.finalizers.clone().unwrap_or_default();
                    let expected: Vec<(String, bool)> = match value {
                        Value::Array(items) => items
                            .iter()
                            .filter_map(Value::as_str)
                            .map(|f| (f.to_owned(), true))
                            .collect(),
                        Value::Object(map) => map
                            .iter()
                            .map(|(f, v)| (f.clone(), v.as_str() != Some("absent")))
                            .collect(),
                        _ => Vec::new(),
                    };
                    for (finalizer, present) in expected {
                        if have.contains(&finalizer) != present {
                            fail(
                                format!(
                                    "finalizers: {finalizer} {}",
                                    if present { "present" } else { "absent" }
                                ),
                                format!("[{}]", have.join(", ")),
                            );
                        }
                    }
                }
                "deleting" => {
                    let found = meta.deletion_timestamp.is_some();
                    if value.as_bool() != Some(found) {
                        fail(format!("deleting: {}", show(value)), found.to_string());
                    }
                }
                "disk" => {
                    let found = volume_disk_state(world, side, kind, &name);
                    if value.as_str() != Some(found) {
                        fail(format!("disk: {}", show(value)), found.to_owned());
                    }
                }
                "claimRef" => {
                    let found = object_field(objects, kind, &namespace, &name, key);
                    let ok = match (value.as_str(), found.as_str()) {
                        (Some(w), Some(f)) => claim_ref_matches(w, f),
                        _ => false,
                    };
                    if !ok {
                        fail(format!("claimRef: {}", show(value)), show(&found));
                    }
                }
                other => {
                    let found = object_field(objects, kind, &namespace, &name, other);
                    if !matches(other, value, &found) {
                        fail(format!("{other}: {}", show(value)), show(&found));
                    }
                }
            }
        }
    }
}

/// The state of the disk that backs (or backed) a host PV: `none` when none ever did.
fn volume_disk_state(world: &World, side: ClusterSide, kind: Kind, name: &str) -> &'static str {
    if side != ClusterSide::Host || kind != Kind::PersistentVolume {
        return "none";
    }
    match world.volume_disk(name) {
        None => "none",
        Some(d) if d.exists => "retained",
        Some(_) => "destroyed",
    }
}
