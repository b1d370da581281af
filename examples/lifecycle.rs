//! Plays a scenario file on a simulated virtual cluster, host cluster and disks.
//!
//! ```text
//! cargo run --example lifecycle -- SCENARIO.yaml [--timeline] [--format mermaid]
//! ```
//!
//! Prints the final state of every claim as YAML on stdout. `--timeline` also prints, on stderr,
//! each step with every action of each controller and the rule ids behind it (`--format mermaid`:
//! as a Mermaid sequence diagram). Exit status: 0 when every expectation held and no invariant
//! broke; 4 when one did not, after saying on stderr what was expected and what was found; 1 on
//! bad input (one message naming the file and the step).

use std::io::Write;
use std::process::ExitCode;

use pv_translate::case::read_input;
use pv_translate::lifecycle::to_mermaid;
use pv_translate::scenario::{Scenario, claim_states};

const USAGE: &str = "usage: lifecycle SCENARIO.yaml [--timeline] [--format text|mermaid]";

fn main() -> ExitCode {
    let mut path = None;
    let mut timeline = false;
    let mut mermaid = false;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--timeline" => timeline = true,
            "--format" => match args.next().as_deref() {
                Some("mermaid") => mermaid = true,
                Some("text") => mermaid = false,
                _ => return fail(USAGE),
            },
            _ if arg.starts_with("--") => return fail(&format!("unknown option {arg}; {USAGE}")),
            _ if path.is_some() => return fail(USAGE),
            _ => path = Some(arg),
        }
    }
    let Some(path) = path else {
        return fail(USAGE);
    };
    let outcome = match read_input(&path)
        .and_then(|text| Scenario::from_yaml(&text))
        .and_then(|scenario| scenario.run(timeline))
    {
        Ok(outcome) => outcome,
        Err(e) => return fail(&format!("{path}: {e}")),
    };
    let mut stderr = std::io::stderr().lock();
    if timeline {
        let events = outcome.world.timeline();
        let text = if mermaid {
            to_mermaid(events)
        } else {
            let mut text = String::new();
            let mut step = usize::MAX;
            for event in events {
                if event.step != step {
                    step = event.step;
                    text.push_str(&if step == 0 {
                        "the starting world settles\n".to_owned()
                    } else {
                        format!("step {step}\n")
                    });
                }
                text.push_str(&format!("  {event}\n"));
            }
            text
        };
        if stderr.write_all(text.as_bytes()).is_err() {
            return ExitCode::FAILURE;
        }
    }
    let claims = claim_states(&outcome.world);
    let yaml = if claims.is_empty() {
        Ok("{}\n".to_owned())
    } else {
        serde_saphyr::to_string(&claims)
    };
    let yaml = match yaml {
        Ok(yaml) => yaml,
        Err(e) => return fail(&format!("cannot write YAML: {e}")),
    };
    let mut stdout = std::io::stdout().lock();
    if let Err(e) = stdout
        .write_all(yaml.as_bytes())
        .and_then(|()| stdout.flush())
    {
        return fail(&format!("cannot write the claims: {e}"));
    }
    if outcome.passed() {
        return ExitCode::SUCCESS;
    }
    for failure in &outcome.failures {
        let _ = writeln!(stderr, "{path}: {failure}");
    }
    for violation in outcome.violations() {
        let _ = writeln!(stderr, "{path}: {violation}");
    }
    ExitCode::from(4)
}

fn fail(message: &str) -> ExitCode {
    // If stderr is gone too there is nobody left to tell; the exit status still says it.
    let _ = writeln!(std::io::stderr(), "error: {message}");
    ExitCode::FAILURE
}
