//! Audits a virtual cluster and its host from `kubectl get pv,pvc,storageclass -A -o yaml` (or
//! `-o json`) dumps.
//!
//! ```text
//! cargo run --example audit -- --virtual VIRTUAL.yaml --host HOST.yaml \
//!     [--vcluster vcluster.yaml] [--name V] [--host-namespace H] [--format prometheus] \
//!     [--max-dump-bytes N]
//! ```
//!
//! Prints the findings as a YAML list (`[]` when none), or with `--format prometheus` as a
//! Prometheus text exposition for node_exporter's textfile collector. A dump over a limit of
//! docs/formats.md is read up to that point: the findings of what was read come with an
//! `AuditIncomplete` finding (and a warning on stderr). Exit status: 0 when no finding is `high`,
//! 3 when one is, 1 on bad input (one message on stderr naming the file).

use std::io::{Read, Write};
use std::process::ExitCode;

use pv_translate::audit::to_prometheus;
use pv_translate::case::read_input;
use pv_translate::dump::{Format, Limits, Skipped, read_dump_with};
use pv_translate::snapshot::Objects;
use pv_translate::{Finding, Severity, Snapshot, Translator, VirtualCluster};

/// The command line.
#[derive(Default)]
struct Args {
    virtual_file: Option<String>,
    host_file: Option<String>,
    vcluster_file: Option<String>,
    name: Option<String>,
    host_namespace: Option<String>,
    prometheus: bool,
    max_dump_bytes: Option<u64>,
}

const USAGE: &str = "usage: audit --virtual VIRTUAL.yaml --host HOST.yaml [--vcluster vcluster.yaml] \
                     [--name V] [--host-namespace H] [--format yaml|prometheus] \
                     [--max-dump-bytes N]";

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
            "--max-dump-bytes" => {
                let text = value()?;
                let bytes = text
                    .parse()
                    .map_err(|_| format!("--max-dump-bytes {text:?}: not a number of bytes"))?;
                args.max_dump_bytes = Some(bytes);
            }
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

/// Reads a dump file (`-`: standard input), at most one byte more than the limit (so that the
/// reader knows it is over), refusing at once what is not text: a NUL byte, or bytes that are
/// not UTF-8 (`/dev/zero` or a binary file costs one buffer, not the limit).
fn read_dump_file(path: &str, max_bytes: u64) -> Result<Vec<u8>, String> {
    let fail = |reason: String| format!("{path}: {reason}");
    let cap = max_bytes.saturating_add(1);
    let mut bytes = Vec::new();
    let mut input: Box<dyn Read> = if path == "-" {
        Box::new(std::io::stdin().lock())
    } else {
        let file = std::fs::File::open(path).map_err(|e| fail(format!("cannot read: {e}")))?;
        // A regular file's size, as far as it will be read: one allocation, no regrowth (when
        // the memory cannot be reserved, the vector grows as it reads).
        if let Ok(meta) = file.metadata() {
            let size = usize::try_from(meta.len().min(cap)).unwrap_or(0);
            let _ = bytes.try_reserve_exact(size);
        }
        Box::new(file)
    };
    let mut checked = 0;
    let mut chunk = vec![0; 1 << 20];
    loop {
        let room = cap.saturating_sub(u64::try_from(bytes.len()).unwrap_or(u64::MAX));
        let want = usize::try_from(room).unwrap_or(usize::MAX).min(chunk.len());
        if want == 0 {
            break;
        }
        let n = match input.read(chunk.get_mut(..want).unwrap_or_default()) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(fail(format!("cannot read: {e}"))),
        };
        bytes.extend_from_slice(chunk.get(..n).unwrap_or_default());
        let fresh = bytes.get(checked..).unwrap_or_default();
        if let Some(at) = fresh.iter().position(|b| *b == 0) {
            return Err(fail(format!(
                "not text (byte {} is NUL)",
                checked.saturating_add(at)
            )));
        }
        match std::str::from_utf8(fresh) {
            Ok(_) => checked = bytes.len(),
            // A character cut by the buffer's end: checked with the next read.
            Err(e) if e.error_len().is_none() => checked = checked.saturating_add(e.valid_up_to()),
            Err(e) => {
                return Err(fail(format!(
                    "not UTF-8 text (byte {} is not)",
                    checked.saturating_add(e.valid_up_to())
                )));
            }
        }
    }
    Ok(bytes)
}

fn run(args: &Args) -> Result<(String, bool), String> {
    let read = |path: &str| read_input(path).map_err(|e| format!("{path}: {e}"));
    let (Some(virtual_file), Some(host_file)) = (&args.virtual_file, &args.host_file) else {
        return Err(USAGE.to_owned());
    };
    let mut limits = Limits::default();
    if let Some(max) = args.max_dump_bytes {
        limits = limits.with_max_bytes(max);
    }
    // YAML parsing is the slow part of an audit: a YAML virtual dump is parsed on a thread of its
    // own while the host dump is read and parsed. A JSON one parses fast and its text is large
    // (four-space indents): it is parsed, and its text dropped, before the host dump is read,
    // so that two JSON texts are never in memory at once.
    let parse = |path: &String, bytes: Vec<u8>| -> Result<(Objects, Option<Skipped>), String> {
        let dump = read_dump_with(&bytes, &limits).map_err(|e| format!("{path}: {e}"))?;
        drop(bytes);
        Ok((dump.objects, dump.skipped))
    };
    let read_host = || parse(host_file, read_dump_file(host_file, limits.max_bytes)?);
    let virtual_bytes = read_dump_file(virtual_file, limits.max_bytes)?;
    let (virtual_read, host_read) = if Format::detect(&virtual_bytes) == Format::Yaml {
        std::thread::scope(|scope| {
            let virtual_thread = scope.spawn(|| parse(virtual_file, virtual_bytes));
            let host_read = read_host();
            let virtual_read = virtual_thread
                .join()
                .unwrap_or_else(|_| Err(format!("{virtual_file}: the reading thread failed")));
            (virtual_read, host_read)
        })
    } else {
        let virtual_read = parse(virtual_file, virtual_bytes);
        (virtual_read, read_host())
    };
    let (virtual_objects, virtual_skipped) = virtual_read?;
    let (host_objects, host_skipped) = host_read?;
    let mut incomplete: Vec<Finding> = Vec::new();
    for (which, path, skipped) in [
        ("virtual", virtual_file, virtual_skipped),
        ("host", host_file, host_skipped),
    ] {
        if let Some(skipped) = skipped {
            // If stderr is gone the finding still says it.
            let _ = writeln!(std::io::stderr(), "warning: {path}: {skipped}");
            incomplete.push(skipped.finding(&format!("{which} dump {path}")));
        }
    }
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
    // AuditIncomplete is the first kind of the output order: it goes before the others.
    let mut findings = incomplete;
    findings.extend(translator.audit(&Snapshot::new(virtual_objects, host_objects)));
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
