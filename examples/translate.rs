//! Prints the desired object of a case file (docs/formats.md).
//!
//! ```text
//! cargo run --example translate -- CASE.yaml [--explain]
//! ```
//!
//! Success: the object as YAML on stdout (or `null`), exit 0. `--explain` adds, on stderr, how
//! `vcluster:` decided the mode (M2/M3 and the keys) and the rules and field origins. Bad input: one message on stderr naming the file, exit 1.

use std::io::Write;
use std::process::ExitCode;

use pv_translate::case::{Case, to_yaml};

fn main() -> ExitCode {
    let mut path = None;
    let mut explain = false;
    for arg in std::env::args().skip(1) {
        match arg.as_str() {
            "--explain" => explain = true,
            _ if arg.starts_with("--") => return fail(&format!("unknown option {arg}")),
            _ if path.is_some() => return fail("give exactly one case file"),
            _ => path = Some(arg),
        }
    }
    let Some(path) = path else {
        return fail("usage: translate CASE.yaml [--explain]");
    };
    let result = pv_translate::case::read_input(&path)
        .map_err(|e| e.to_string())
        .and_then(|text| Case::from_yaml(&text).map_err(|e| e.to_string()))
        .and_then(|case| {
            // `--explain` first says how `vcluster:` decided the mode (M2/M3, with its keys).
            if explain {
                for reason in &case.mode_reasons {
                    let _ = writeln!(std::io::stderr(), "mode: {reason}");
                }
            }
            // As `kubectl --validate=warn`: an unknown field is ignored, and said so.
            for field in &case.unknown_fields {
                let _ = writeln!(
                    std::io::stderr(),
                    "warning: {path}: {field}: unknown field, ignored"
                );
            }
            case.run().map_err(|e| e.to_string())
        })
        .and_then(|outcome| {
            let yaml = to_yaml(outcome.desired.as_ref()).map_err(|e| e.to_string())?;
            Ok((yaml, outcome.explanation))
        });
    match result {
        Ok((yaml, explanation)) => {
            // Closed or full output streams are errors to report, never panics.
            if explain && write!(std::io::stderr(), "{explanation}").is_err() {
                return ExitCode::FAILURE;
            }
            let mut stdout = std::io::stdout().lock();
            match stdout
                .write_all(yaml.as_bytes())
                .and_then(|()| stdout.flush())
            {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => fail(&format!("cannot write the result: {e}")),
            }
        }
        Err(message) => fail(&format!("{path}: {message}")),
    }
}

fn fail(message: &str) -> ExitCode {
    // If stderr is gone too there is nobody left to tell; the exit status still says it.
    let _ = writeln!(std::io::stderr(), "error: {message}");
    ExitCode::FAILURE
}
