//! A kube-rs controller that keeps the virtual PersistentVolume of each virtual PVC as
//! pv-translate decides, the way vcluster's PV syncer would.
//!
//! For every PVC in the virtual cluster it reads, from the host cluster, the host PVC (named by
//! N2, `<pvc>-x-<namespace>-x-<vcluster>` in the host namespace), the host PV that PVC is bound
//! to (`spec.volumeName`) and that PV's StorageClass; from the virtual cluster the current
//! virtual PV. It then asks `Translator::virtual_pv` and acts on the `Decision`:
//!
//! - `Unchanged`, `Wait`, `Conflict`: writes nothing (waits and conflicts are logged);
//! - `Create`, `Update`: server-side apply of `Decision::apply_body()` under
//!   `FIELD_MANAGER`, then a merge patch of `Decision::status_patch()` on the status
//!   subresource;
//! - `Recreate`: deletes the current PV; the next pass creates the desired one;
//! - `Delete`: deletes the PV, then removes its finalizers when the decision asks for it.
//!
//! Every decision's explanation is printed (`--json` prints it as JSON instead).
//!
//! It needs two reachable clusters; without them it prints why and exits with status 1:
//!
//! ```text
//! cargo run --example controller -- \
//!     --virtual-context vcluster_my-vcluster --host-context kind-host \
//!     --name my-vcluster --host-namespace team-a [--sync] [--namespace NS] [--pvc NAME] [--json]
//! ```
//!
//! The contexts come from the kubeconfig (`KUBECONFIG` or `~/.kube/config`); without
//! `--virtual-context`/`--host-context` (or `VIRTUAL_CONTEXT`/`HOST_CONTEXT`) the current
//! context is used. `--name` and `--host-namespace` may also be given as `VCLUSTER_NAME` and
//! `HOST_NAMESPACE`. The mode is fake PVs (vcluster's default); `--sync` selects sync mode
//! (`sync.toHost.persistentVolumes.enabled`). `--namespace` watches one virtual namespace and
//! `--pvc` one PVC by name. Each PVC is looked at again every minute.
//!
//! This is an example, not vcluster: it writes only the virtual PV, never the host side.

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use k8s_openapi::api::core::v1::{PersistentVolume, PersistentVolumeClaim};
use k8s_openapi::api::storage::v1::StorageClass;
use kube::api::{Api, DeleteParams, Patch, PatchParams};
use kube::config::{Config, KubeConfigOptions};
use kube::runtime::controller::{Action as Requeue, Controller};
use kube::runtime::watcher;
use kube::{Client, ResourceExt};
use pv_translate::{
    Action, Decision, FIELD_MANAGER, Inputs, PvMode, StorageClassMode, SyncMode, Translator,
    VirtualCluster,
};

const USAGE: &str = "usage: controller [--virtual-context CTX] [--host-context CTX] \
--name VCLUSTER --host-namespace NAMESPACE [--sync] [--namespace NS] [--pvc NAME] [--json]";

/// How often a PVC is looked at again without a change to it.
const RESYNC: Duration = Duration::from_secs(60);

/// The command line.
#[derive(Debug, Default)]
struct Args {
    virtual_context: Option<String>,
    host_context: Option<String>,
    name: Option<String>,
    host_namespace: Option<String>,
    namespace: Option<String>,
    pvc: Option<String>,
    sync: bool,
    json: bool,
}

impl Args {
    /// The arguments, with environment fallbacks; `None` for `--help`.
    fn parse(mut argv: impl Iterator<Item = String>) -> Result<Option<Self>, String> {
        let mut args = Self::default();
        while let Some(arg) = argv.next() {
            let slot = match arg.as_str() {
                "-h" | "--help" => return Ok(None),
                "--sync" => {
                    args.sync = true;
                    continue;
                }
                "--json" => {
                    args.json = true;
                    continue;
                }
                "--virtual-context" => &mut args.virtual_context,
                "--host-context" => &mut args.host_context,
                "--name" => &mut args.name,
                "--host-namespace" => &mut args.host_namespace,
                "--namespace" => &mut args.namespace,
                "--pvc" => &mut args.pvc,
                other => return Err(format!("unknown argument {other:?}")),
            };
            *slot = Some(argv.next().ok_or_else(|| format!("{arg} needs a value"))?);
        }
        for (slot, var) in [
            (&mut args.virtual_context, "VIRTUAL_CONTEXT"),
            (&mut args.host_context, "HOST_CONTEXT"),
            (&mut args.name, "VCLUSTER_NAME"),
            (&mut args.host_namespace, "HOST_NAMESPACE"),
        ] {
            if slot.is_none() {
                *slot = std::env::var(var).ok().filter(|value| !value.is_empty());
            }
        }
        Ok(Some(args))
    }
}

/// What every reconcile shares.
struct Ctx {
    translator: Translator,
    virtual_client: Client,
    host_client: Client,
    json: bool,
}

/// Why one reconcile failed; the controller logs it and tries again later.
#[derive(Debug, thiserror::Error)]
enum ReconcileError {
    #[error("Kubernetes API: {0}")]
    Kube(#[from] kube::Error),
    #[error("translation: {0}")]
    Translate(#[from] pv_translate::Error),
    #[error("host name: {0}")]
    Name(#[from] pv_translate::names::NameError),
    #[error("{0}")]
    Other(String),
}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

#[tokio::main]
async fn main() -> ExitCode {
    let args = match Args::parse(std::env::args().skip(1)) {
        Ok(Some(args)) => args,
        Ok(None) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("controller: {message}\n{USAGE}");
            return ExitCode::FAILURE;
        }
    };
    match run(args).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("controller: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn run(args: Args) -> Result<(), BoxError> {
    let name = args
        .name
        .ok_or_else(|| format!("missing --name (or VCLUSTER_NAME)\n{USAGE}"))?;
    let host_namespace = args
        .host_namespace
        .ok_or_else(|| format!("missing --host-namespace (or HOST_NAMESPACE)\n{USAGE}"))?;
    let mode = if args.sync {
        SyncMode::new(PvMode::Sync, StorageClassMode::Off)
    } else {
        SyncMode::default()
    };
    let translator = Translator::new(VirtualCluster::new(name, host_namespace)?)
        .with_mode(mode)
        .with_explanations(true);

    let virtual_client = connect("virtual", args.virtual_context).await?;
    let host_client = connect("host", args.host_context).await?;

    let pvcs: Api<PersistentVolumeClaim> = match &args.namespace {
        Some(namespace) => Api::namespaced(virtual_client.clone(), namespace),
        None => Api::all(virtual_client.clone()),
    };
    let mut watch = watcher::Config::default();
    if let Some(pvc) = &args.pvc {
        watch = watch.fields(&format!("metadata.name={pvc}"));
    }
    println!(
        "reconciling virtual PVs for vcluster {:?} (host namespace {:?}) in {:?} mode",
        translator.context().cluster().name(),
        translator.context().cluster().host_namespace(),
        mode.persistent_volumes,
    );
    let ctx = Arc::new(Ctx {
        translator,
        virtual_client,
        host_client,
        json: args.json,
    });
    Controller::new(pvcs, watch)
        .shutdown_on_signal()
        .run(reconcile, error_policy, ctx)
        .for_each(|result| async move {
            match result {
                Ok((pvc, _)) => println!("reconciled {pvc}"),
                Err(error) => eprintln!("reconcile failed: {error}"),
            }
        })
        .await;
    Ok(())
}

/// A client for kubeconfig context `context` (the current one when `None`), checked by asking
/// the API server for its version so that an unreachable cluster fails here, clearly.
async fn connect(which: &str, context: Option<String>) -> Result<Client, BoxError> {
    let shown = context.clone().unwrap_or_else(|| "(current)".to_owned());
    let options = KubeConfigOptions {
        context,
        ..KubeConfigOptions::default()
    };
    let config = Config::from_kubeconfig(&options).await.map_err(|error| {
        format!("cannot load the kubeconfig for the {which} cluster, context {shown}: {error}")
    })?;
    let client = Client::try_from(config)
        .map_err(|error| format!("cannot make a client for the {which} cluster: {error}"))?;
    let version = client.apiserver_version().await.map_err(|error| {
        format!(
            "cannot reach the {which} cluster (context {shown}): {}",
            with_causes(&error)
        )
    })?;
    println!(
        "{which} cluster: context {shown}, Kubernetes {}",
        version.git_version
    );
    Ok(client)
}

/// An error with its chain of causes (kube's own message hides why a connection failed).
fn with_causes(error: &dyn std::error::Error) -> String {
    let mut message = error.to_string();
    let mut cause = error.source();
    while let Some(inner) = cause {
        let text = inner.to_string();
        if !message.ends_with(&text) {
            message.push_str(": ");
            message.push_str(&text);
        }
        cause = inner.source();
    }
    message
}

fn error_policy(pvc: Arc<PersistentVolumeClaim>, error: &ReconcileError, _: Arc<Ctx>) -> Requeue {
    eprintln!(
        "PVC {}/{}: {error}",
        pvc.namespace().unwrap_or_default(),
        pvc.name_any()
    );
    Requeue::requeue(Duration::from_secs(15))
}

/// The `spec.volumeName` of a PVC, if bound.
fn volume_name(pvc: &PersistentVolumeClaim) -> Option<&str> {
    pvc.spec
        .as_ref()?
        .volume_name
        .as_deref()
        .filter(|name| !name.is_empty())
}

/// `get_opt` for a name that may be absent.
async fn get_named<K>(api: &Api<K>, name: Option<&str>) -> Result<Option<K>, kube::Error>
where
    K: Clone + std::fmt::Debug + serde::de::DeserializeOwned,
{
    match name {
        Some(name) => api.get_opt(name).await,
        None => Ok(None),
    }
}

async fn reconcile(
    pvc: Arc<PersistentVolumeClaim>,
    ctx: Arc<Ctx>,
) -> Result<Requeue, ReconcileError> {
    let namespace = pvc
        .namespace()
        .ok_or_else(|| ReconcileError::Other("a PVC without a namespace".to_owned()))?;
    let pvc_name = pvc.name_any();
    let cluster = ctx.translator.context().cluster();

    // The host side: the host PVC (N2), its PV and that PV's class.
    let host_pvcs: Api<PersistentVolumeClaim> =
        Api::namespaced(ctx.host_client.clone(), cluster.host_namespace());
    let host_pvc = host_pvcs
        .get_opt(&cluster.host_name(&pvc_name, &namespace)?)
        .await?;
    let host_pv = get_named(
        &Api::<PersistentVolume>::all(ctx.host_client.clone()),
        host_pvc.as_ref().and_then(volume_name),
    )
    .await?;
    let class_name = host_pv
        .as_ref()
        .and_then(|pv| pv.spec.as_ref()?.storage_class_name.as_deref())
        .or_else(|| {
            host_pvc
                .as_ref()?
                .spec
                .as_ref()?
                .storage_class_name
                .as_deref()
        })
        .filter(|name| !name.is_empty());
    let host_class = get_named(
        &Api::<StorageClass>::all(ctx.host_client.clone()),
        class_name,
    )
    .await?;

    // The virtual side: the PV the PVC names (a mirror in sync mode has the host PV's name).
    let virtual_pvs: Api<PersistentVolume> = Api::all(ctx.virtual_client.clone());
    let pv_name = volume_name(&pvc)
        .or_else(|| host_pv.as_ref()?.metadata.name.as_deref())
        .map(str::to_owned);
    let virtual_pv = get_named(&virtual_pvs, pv_name.as_deref()).await?;

    let mut inputs = Inputs::new().with_virtual_pvc(&pvc);
    inputs.host_pvc = host_pvc.as_ref();
    inputs.host_pv = host_pv.as_ref();
    inputs.host_storage_class = host_class.as_ref();
    inputs.virtual_pv = virtual_pv.as_ref();
    let decision = ctx.translator.virtual_pv(&inputs)?;

    let shown = pv_name.as_deref().unwrap_or("(none)");
    println!(
        "PVC {namespace}/{pvc_name}: virtual PV {shown}: {}",
        decision.action
    );
    if let Some(explanation) = &decision.explanation {
        if ctx.json {
            match serde_json::to_string(explanation) {
                Ok(json) => println!("{json}"),
                Err(error) => eprintln!("cannot serialise the explanation: {error}"),
            }
        } else {
            println!("{explanation}");
        }
    }

    if decision.is_unchanged() {
        match &decision.action {
            Action::Wait { rule, reason } => println!("  waiting ({rule}): {reason}"),
            Action::Conflict { rule, reason } => eprintln!("  conflict ({rule}): {reason}"),
            _ => {}
        }
        return Ok(Requeue::requeue(RESYNC));
    }

    match &decision.action {
        Action::Create | Action::Update { .. } => apply(&virtual_pvs, &decision).await?,
        Action::Recreate => {
            // A PV is deleted first; its finalizers may hold it for a while, so the desired
            // one is created by the next pass, once the old one is gone.
            if let Some(current) = &virtual_pv {
                delete(&virtual_pvs, &current.name_any(), &DeleteParams::default()).await?;
            }
            return Ok(Requeue::requeue(Duration::from_secs(5)));
        }
        Action::Delete {
            remove_finalizers,
            grace_period_seconds,
        } => {
            let Some(current) = &virtual_pv else {
                return Ok(Requeue::requeue(RESYNC));
            };
            let name = current.name_any();
            let params = DeleteParams {
                // Kubernetes takes an unsigned grace period; a negative one means the default.
                grace_period_seconds: grace_period_seconds.and_then(|s| u32::try_from(s).ok()),
                ..DeleteParams::default()
            };
            delete(&virtual_pvs, &name, &params).await?;
            if *remove_finalizers {
                let patch = serde_json::json!({ "metadata": { "finalizers": null } });
                match virtual_pvs
                    .patch(&name, &PatchParams::default(), &Patch::Merge(&patch))
                    .await
                {
                    Ok(_) => {}
                    Err(kube::Error::Api(status)) if status.is_not_found() => {}
                    Err(error) => return Err(error.into()),
                }
            }
        }
        other => println!("  action {other} is not handled by this example"),
    }
    Ok(Requeue::requeue(RESYNC))
}

/// Server-side apply of the desired PV, then its status through the status subresource.
async fn apply(
    pvs: &Api<PersistentVolume>,
    decision: &Decision<PersistentVolume>,
) -> Result<(), ReconcileError> {
    let body = decision
        .apply_body()
        .ok_or_else(|| ReconcileError::Other("a write decision without a desired PV".to_owned()))?;
    let name = body
        .metadata
        .name
        .clone()
        .ok_or_else(|| ReconcileError::Other("a desired PV without a name".to_owned()))?;
    // `force`: the translator owns the fields it decides, as vcluster's syncer does.
    let params = PatchParams::apply(FIELD_MANAGER).force();
    pvs.patch(&name, &params, &Patch::Apply(&body)).await?;
    if let Some(status) = decision.status_patch() {
        pvs.patch_status(&name, &PatchParams::default(), &Patch::Merge(&status))
            .await?;
    }
    Ok(())
}

/// Deletes `name`; one already gone is fine.
async fn delete(
    pvs: &Api<PersistentVolume>,
    name: &str,
    params: &DeleteParams,
) -> Result<(), ReconcileError> {
    match pvs.delete(name, params).await {
        Ok(_) => Ok(()),
        Err(kube::Error::Api(status)) if status.is_not_found() => Ok(()),
        Err(error) => Err(error.into()),
    }
}
