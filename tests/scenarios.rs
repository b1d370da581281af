//! Scenario files (docs/formats.md "Scenario files and the `lifecycle` example", SPEC section 12):
//! every `tests/scenarios/*.yaml` is played with its timeline and must pass (every expectation
//! held, no invariant broke); an insta YAML snapshot of each keeps its final claims and its
//! timeline for review. The `lifecycle` example's contract (exit status, messages, the Mermaid
//! timeline) is checked by running the built example. The bad inputs of
//! `tests/scenarios/bad/` (skipped by the runner of passing scenarios) are played by the example
//! and by the library, which must refuse them alike.
#![cfg(feature = "yaml")]
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

use pv_translate::scenario::{Outcome, Scenario, claim_states};
use serde::Serialize;
use serde_json::{Map, Value, json};

// ------------------------------------------------------------------------------------------
// Every scenario file

/// One event of the timeline, as the snapshot shows it.
#[derive(Serialize)]
struct Line {
    step: usize,
    actor: &'static str,
    text: String,
    rules: Vec<&'static str>,
}

/// The snapshot of one played scenario: the final claims and the timeline.
#[derive(Serialize)]
struct Played {
    claims: BTreeMap<String, Map<String, Value>>,
    timeline: Vec<Line>,
}

fn snapshot_of(outcome: &Outcome) -> Played {
    Played {
        claims: claim_states(&outcome.world),
        timeline: outcome
            .world
            .timeline()
            .iter()
            .map(|event| Line {
                step: event.step,
                actor: event.actor.as_str(),
                text: event.text.clone(),
                rules: event.rules.iter().map(|r| r.id()).collect(),
            })
            .collect(),
    }
}

#[test]
fn scenario_files() {
    let mut problems: Vec<String> = Vec::new();
    let mut played = 0usize;
    insta::glob!("scenarios/*.yaml", |path| {
        played += 1;
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(path).unwrap();
        let outcome = match Scenario::from_yaml(&text).and_then(|s| s.run(true)) {
            Ok(outcome) => outcome,
            Err(err) => {
                eprintln!("SCENARIO FAILED {name}: {err}");
                problems.push(format!("{name}: {err}"));
                return;
            }
        };
        if !outcome.passed() {
            let mut listed = 0usize;
            for failure in &outcome.failures {
                eprintln!("SCENARIO FAILED {name}: {failure}");
                problems.push(format!("{name}: {failure}"));
                listed += 1;
            }
            for violation in outcome.violations() {
                eprintln!("SCENARIO FAILED {name}: {violation}");
                problems.push(format!("{name}: {violation}"));
                listed += 1;
            }
            if listed == 0 {
                problems.push(format!("{name}: did not pass, with nothing to say why"));
            }
        }
        insta::assert_yaml_snapshot!(snapshot_of(&outcome));
    });
    assert!(played >= 13, "expected the scenario files, found {played}");
    assert!(
        problems.is_empty(),
        "{} problem(s) in the scenario files:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

// ------------------------------------------------------------------------------------------
// The `lifecycle` example as a process

/// The example's binary, built once by cargo (no `CARGO_BIN_EXE_` exists for examples). Cargo
/// reports where it wrote it, so the target directory and profile need no guessing.
fn example_binary() -> &'static Path {
    static BINARY: OnceLock<PathBuf> = OnceLock::new();
    BINARY.get_or_init(|| {
        let mut command = Command::new(env!("CARGO"));
        command.current_dir(env!("CARGO_MANIFEST_DIR")).args([
            "build",
            "--example",
            "lifecycle",
            "--message-format=json",
        ]);
        if !cfg!(debug_assertions) {
            command.arg("--release");
        }
        let output = command.output().expect("cargo runs");
        assert!(
            output.status.success(),
            "cargo build --example lifecycle failed:\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout)
            .lines()
            .filter_map(|line| serde_json::from_str::<Value>(line).ok())
            .filter(|m| m["reason"] == "compiler-artifact" && m["target"]["name"] == "lifecycle")
            .filter(|m| {
                m["target"]["kind"]
                    .as_array()
                    .is_some_and(|k| k.contains(&json!("example")))
            })
            .find_map(|m| m["executable"].as_str().map(PathBuf::from))
            .expect("cargo names the example's executable")
    })
}

fn scenario_path(relative: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/scenarios")
        .join(relative)
        .to_string_lossy()
        .into_owned()
}

fn run_lifecycle(args: &[&str]) -> Output {
    Command::new(example_binary())
        .args(args)
        .output()
        .expect("the example runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).unwrap()
}

/// A file of its own under the system's temporary directory, removed on drop.
struct TempFile(PathBuf);

impl TempFile {
    fn new(text: &str) -> Self {
        static COUNT: AtomicUsize = AtomicUsize::new(0);
        let n = COUNT.fetch_add(1, Ordering::Relaxed);
        let path = std::env::temp_dir().join(format!(
            "pv-translate-scenarios-{}-{n}.yaml",
            std::process::id()
        ));
        std::fs::write(&path, text).unwrap();
        Self(path)
    }

    fn path(&self) -> String {
        self.0.to_string_lossy().into_owned()
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// A scenario that passes, used by the contract tests (fake mode, a Delete class, no lie).
const PASSING: &str = "fake-delete-class.yaml";

#[test]
fn example_exits_0_on_a_passing_scenario_and_prints_the_claims() {
    let path = scenario_path(PASSING);
    let output = run_lifecycle(&[&path]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(
        stderr(&output),
        "",
        "no timeline asked for, nothing on stderr"
    );
    // The final state of every claim, as the library computes it.
    let printed: Value = serde_saphyr::from_str(&stdout(&output)).unwrap();
    let outcome = Scenario::from_yaml(&std::fs::read_to_string(&path).unwrap())
        .unwrap()
        .run(false)
        .unwrap();
    assert_eq!(
        printed,
        serde_json::to_value(claim_states(&outcome.world)).unwrap()
    );
    assert_eq!(printed["default/data"]["disk"], "destroyed");
    assert_eq!(printed["default/data"]["virtualPvc"], "absent");
}

#[test]
fn example_timeline_as_text_names_steps_actors_and_rules() {
    let output = run_lifecycle(&[&scenario_path(PASSING), "--timeline"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = stderr(&output);
    assert!(text.starts_with("step 1\n"), "{text}");
    assert!(text.contains("  tenant: create PersistentVolumeClaim default/data [Y2]\n"));
    assert!(text.contains("host kubernetes: disk-000001 provisioned by ebs.csi.aws.com"));
    assert!(text.contains("step 4\n"));
    assert!(text.contains("[K4, K5]"), "{text}");
}

#[test]
fn example_timeline_as_mermaid_is_a_sequence_diagram_on_stderr() {
    let output = run_lifecycle(&[
        &scenario_path("fake-retain-class-2098.yaml"),
        "--timeline",
        "--format",
        "mermaid",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let diagram = stderr(&output);
    assert!(diagram.starts_with("sequenceDiagram\n"), "{diagram}");
    assert!(diagram.contains("    participant T as Tenant\n"));
    // The scenario has a host admin step, so the admin takes part.
    assert!(diagram.contains("    participant A as Host admin\n"));
    assert!(diagram.contains("    Note over T,D: step 1\n"));
    assert!(diagram.contains("A->>H: set the reclaim policy of PV"));
    // The claims still go to stdout, not into the diagram.
    assert!(!diagram.contains("virtualPvc"));
    assert!(stdout(&output).contains("default/data:"));
}

#[test]
fn example_exits_4_on_a_false_expectation_naming_the_step_wanted_and_found() {
    // The #2098 world, with the tenant's hope written as an expectation: the fake PV says Retain.
    let scenario = TempFile::new(
        r"
mode: {persistentVolumes: fake}
host:
  storageClasses:
  - metadata: {name: gp3}
    provisioner: ebs.csi.aws.com
    reclaimPolicy: Retain
steps:
- create:
    kind: PersistentVolumeClaim
    metadata: {name: data, namespace: default}
    spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 5Gi}}, storageClassName: gp3}
- expect:
    claims:
      default/data: {virtualPv: {reclaimPolicy: Retain}, hostPv: {reclaimPolicy: Retain}}
- predict: default/data
  expect: {tenantMisled: false}
",
    );
    let output = run_lifecycle(&[&scenario.path()]);
    assert_eq!(output.status.code(), Some(4), "{}", stderr(&output));
    let text = stderr(&output);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "one line per failed expectation: {text}");
    assert_eq!(
        lines[0],
        format!(
            "{}: step 2: expected default/data virtualPv.reclaimPolicy: Retain, found Delete",
            scenario.path()
        )
    );
    assert_eq!(
        lines[1],
        format!(
            "{}: step 3: expected predict default/data tenantMisled: false, found true",
            scenario.path()
        )
    );
    // The claims are printed all the same.
    assert!(stdout(&output).contains("default/data:"));
}

/// Every bad input of `tests/scenarios/bad/`: the step the message must name and a phrase of it.
const BAD_INPUTS: [(&str, usize, &str); 10] = [
    (
        "provisioner-without-running.yaml",
        1,
        "provisioner.running: expected true or false",
    ),
    (
        "expect-host-unknown-key.yaml",
        1,
        "PersistentVolume/pv-1.owner: unknown key",
    ),
    (
        "expect-host-not-an-object.yaml",
        1,
        "\"Pod/x\" is not an object",
    ),
    ("unknown-step.yaml", 2, "unknown step \"sleep\""),
    (
        "claim-key-not-namespaced.yaml",
        2,
        "\"data\" is not a claim key (namespace/name)",
    ),
    (
        "object-does-not-parse.yaml",
        1,
        "spec.accessModes: invalid type",
    ),
    (
        "update-missing-object.yaml",
        1,
        "PersistentVolumeClaim default/ghost does not exist",
    ),
    ("delete-missing-object.yaml", 2, "ghost does not exist"),
    ("predict-unbound-claim.yaml", 2, "is not bound"),
    (
        "predict-not-a-claim-key.yaml",
        1,
        "\"data\" is not a claim key",
    ),
];

#[test]
fn example_exits_1_on_bad_input_with_one_message_naming_the_file_and_step() {
    let listed: Vec<String> = std::fs::read_dir(scenario_path("bad"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".yaml"))
        .collect();
    for file in &listed {
        assert!(
            BAD_INPUTS.iter().any(|(f, _, _)| f == file),
            "bad/{file} has no expectation here"
        );
    }
    for (file, step, phrase) in BAD_INPUTS {
        let path = scenario_path(&format!("bad/{file}"));
        let output = run_lifecycle(&[&path, "--timeline"]);
        let text = stderr(&output);
        assert_eq!(output.status.code(), Some(1), "{file}: {text}");
        assert_eq!(stdout(&output), "", "{file}: nothing on stdout");
        assert_eq!(text.lines().count(), 1, "{file}: one message: {text}");
        assert!(text.contains(&path), "{file}: names the file: {text}");
        let step_word = format!("step {step}");
        let named = text
            .match_indices(&step_word)
            .any(|(i, _)| !text[i + step_word.len()..].starts_with(char::is_numeric));
        assert!(named, "{file}: names {step_word}: {text}");
        assert!(text.contains(phrase), "{file}: says {phrase:?}: {text}");
    }
}

#[test]
fn example_exits_1_on_a_file_that_is_not_a_scenario() {
    // Invalid YAML, an unknown top-level key, a missing file: one message naming the file.
    let not_yaml = TempFile::new("steps: [\n");
    let unknown_key = TempFile::new("stpes: []\n");
    let missing = scenario_path("no-such-scenario.yaml");
    for path in [not_yaml.path(), unknown_key.path(), missing] {
        let output = run_lifecycle(&[&path]);
        let text = stderr(&output);
        assert_eq!(output.status.code(), Some(1), "{path}: {text}");
        assert_eq!(stdout(&output), "");
        assert_eq!(text.lines().count(), 1, "{text}");
        assert!(text.contains(&path), "{text}");
    }
    let output = run_lifecycle(&[&unknown_key.path()]);
    assert!(stderr(&output).contains("stpes"), "{}", stderr(&output));
}

#[test]
fn bad_inputs_are_errors_of_the_library_too() {
    // The library says the same as the example: `from_yaml` refuses what cannot be read, `run`
    // what cannot be played; each message names the step.
    for (file, step, phrase) in BAD_INPUTS {
        let text = std::fs::read_to_string(scenario_path(&format!("bad/{file}"))).unwrap();
        let err = match Scenario::from_yaml(&text) {
            Err(err) => err,
            Ok(scenario) => scenario.run(false).expect_err(file),
        };
        let message = err.to_string();
        assert!(
            message.contains(&format!("step {step}")),
            "{file}: {message}"
        );
        assert!(message.contains(phrase), "{file}: {message}");
    }
}
