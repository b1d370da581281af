//! Audits a virtual cluster and its host from `kubectl get pv,pvc,storageclass -A -o yaml` dumps.
//!
//! ```text
//! cargo run --example audit -- --virtual VIRTUAL.yaml --host HOST.yaml \
//!     [--vcluster vcluster.yaml] [--name V] [--host-namespace H] [--format prometheus]
//! ```
//!
//! Prints the findings as a YAML list (`[]` when none), or with `--format prometheus` as a
//! Prometheus text exposition for node_exporter's textfile collector. Exit status: 0 when no
//! finding is `high`, 3 when one is, 1 on bad input (one message on stderr naming the file).

use std::io::Write;
use std::process::ExitCode;

use pv_translate::audit::to_prometheus;
use pv_translate::case::read_input;
use pv_translate::dump::read_objects;
use pv_translate::{Severity, Snapshot, Translator, VirtualCluster};

/// The command line.
#[derive(Default)]
struct Args {
    virtual_file: Option<String>,
    host_file: Option<String>,
    vcluster_file: Option<String>,
    name: Option<String>,
    host_namespace: Option<String>,
    prometheus: bool,
}

const USAGE: &str = "usage: audit --virtual VIRTUAL.yaml --host HOST.yaml [--vcluster vcluster.yaml] \
                     [--name V] [--host-namespace H] [--format yaml|prometheus]";

fn parse_args() -> Result<Args, String> {
    let mut args = Args::default();
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || {
            it.next()
                .ok_or_else(|| format!("{flag} needs a value; {USAGE}"))
        };
        match flag.as_str() {
            "--virtual" => args.virtual_file = Some(value()?),
            "--host" => args.host_file = Some(value()?),
            "--vcluster" => args.vcluster_file = Some(value()?),
            "--name" => args.name = Some(value()?),
            "--host-namespace" => args.host_namespace = Some(value()?),
            "--format" => match value()?.as_str() {
                "yaml" => args.prometheus = false,
                "prometheus" => args.prometheus = true,
                other => return Err(format!("unknown format {other:?}; {USAGE}")),
            },
            other => return Err(format!("unknown argument {other:?}; {USAGE}")),
        }
    }
    Ok(args)
}

fn run(args: &Args) -> Result<(String, bool), String> {
    let read = |path: &str| read_input(path).map_err(|e| format!("{path}: {e}"));
    let (Some(virtual_file), Some(host_file)) = (&args.virtual_file, &args.host_file) else {
        return Err(USAGE.to_owned());
    };
    let virtual_objects =
        read_objects(&read(virtual_file)?).map_err(|e| format!("{virtual_file}: {e}"))?;
    let host_objects = read_objects(&read(host_file)?).map_err(|e| format!("{host_file}: {e}"))?;
    let cluster = VirtualCluster::new(
        args.name.as_deref().unwrap_or("vcluster"),
        args.host_namespace.as_deref().unwrap_or("vcluster"),
    )
    .map_err(|e| e.to_string())?;
    let mut translator = Translator::new(cluster);
    if let Some(path) = &args.vcluster_file {
        let config =
            pv_translate::config::resolve_yaml(&read(path)?).map_err(|e| format!("{path}: {e}"))?;
        translator = translator
            .with_mode(config.mode)
            .with_class_selector(config.class_limit().cloned());
    }
    let findings = translator.audit(&Snapshot::new(virtual_objects, host_objects));
    let high = findings.iter().any(|f| f.severity == Severity::High);
    let text = if args.prometheus {
        to_prometheus(&findings)
    } else if findings.is_empty() {
        "[]\n".to_owned()
    } else {
        serde_saphyr::to_string(&findings).map_err(|e| format!("cannot write YAML: {e}"))?
    };
    Ok((text, high))
}

fn main() -> ExitCode {
    let result = parse_args().and_then(|args| run(&args));
    match result {
        Ok((text, high)) => {
            let mut stdout = std::io::stdout().lock();
            if let Err(e) = stdout
                .write_all(text.as_bytes())
                .and_then(|()| stdout.flush())
            {
                return fail(&format!("cannot write the findings: {e}"));
            }
            if high {
                ExitCode::from(3)
            } else {
                ExitCode::SUCCESS
            }
        }
        Err(message) => fail(&message),
    }
}

fn fail(message: &str) -> ExitCode {
    // If stderr is gone too there is nobody left to tell; the exit status still says it.
    let _ = writeln!(std::io::stderr(), "error: {message}");
    ExitCode::FAILURE
}
