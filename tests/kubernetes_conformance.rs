//! Conformance of the host model (SPEC §11) with Kubernetes' own PV controller tests: every
//! `tests/kubernetes/*.yaml` reproduces one case of `binder_test.go`, `delete_test.go`,
//! `recycle_test.go` or `provision_test.go` (its `upstream:` key names it) as a host-only
//! scenario, and must pass: every expectation held, no invariant broke. The suite's size is the
//! one `tests/kubernetes/README.md` states.
#![cfg(feature = "yaml")]
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use std::collections::BTreeSet;
use std::path::Path;

use pv_translate::scenario::Scenario;

fn suite() -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/kubernetes");
    let mut files: Vec<(String, String)> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read_to_string(&p).unwrap(),
            )
        })
        .collect();
    files.sort();
    files
}

#[test]
fn k1_k5_the_model_passes_every_expressible_upstream_case() {
    let mut problems = Vec::new();
    let mut upstream = BTreeSet::new();
    let files = suite();
    for (name, text) in &files {
        let scenario = match Scenario::from_yaml(text) {
            Ok(s) => s,
            Err(e) => {
                problems.push(format!("{name}: {e}"));
                continue;
            }
        };
        let Some(case) = scenario.upstream.clone() else {
            problems.push(format!("{name}: no `upstream:` key"));
            continue;
        };
        if !upstream.insert(case.clone()) {
            problems.push(format!("{name}: {case} is reproduced twice"));
        }
        match scenario.run(false) {
            Err(e) => problems.push(format!("{name}: {e}")),
            Ok(outcome) => {
                for failure in &outcome.failures {
                    problems.push(format!("{name}: {failure}"));
                }
                for violation in outcome.violations() {
                    problems.push(format!("{name}: {violation}"));
                }
            }
        }
    }
    assert!(
        problems.is_empty(),
        "{} problem(s) in the conformance suite:\n{}",
        problems.len(),
        problems.join("\n")
    );
    // The README counts the suite: a case added or lost must be counted there too.
    let readme = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/kubernetes/README.md"),
    )
    .unwrap();
    let stated = format!("{} scenarios, {} pass", files.len(), files.len());
    assert!(
        readme.contains(&stated),
        "tests/kubernetes/README.md must say \"{stated}\""
    );
}
