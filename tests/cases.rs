//! Runs every fixture in `tests/cases/*.yaml` (docs/formats.md format): checks `expect` / `expectError`
//! and keeps an insta YAML snapshot of each output. Every file is checked; failures are listed
//! together at the end.
#![cfg(feature = "yaml")]
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use pv_translate::case::{Case, DesiredObject, Expectation};
use pv_translate::validate::{admissible_pv, admissible_pvc, admissible_storage_class};
use serde_json::{Value, json};

/// `expectError` read straight from the file, for cases that fail before they are typed.
fn raw_expect_error(text: &str) -> Option<String> {
    let raw: Value = serde_saphyr::from_str(text).ok()?;
    raw.get("expectError")?.as_str().map(str::to_owned)
}

/// `actual` equals `expected`, except that `expected` may omit `apiVersion` and `kind`.
fn same_object(expected: &Value, actual: &Value) -> bool {
    let (Value::Object(want), Value::Object(got)) = (expected, actual) else {
        return expected == actual;
    };
    let keys_match = got
        .keys()
        .all(|k| want.contains_key(k) || k == "apiVersion" || k == "kind");
    keys_match && want.iter().all(|(k, v)| got.get(k) == Some(v))
}

/// The snapshot content and, when the case does not hold, why.
fn check(text: &str) -> (Value, Option<String>) {
    let case = match Case::from_yaml(text) {
        Ok(case) => case,
        Err(err) => {
            let output = json!({"error": err.to_string()});
            let problem = match raw_expect_error(text) {
                Some(wanted) if err.to_string().contains(&wanted) => None,
                Some(wanted) => Some(format!("error {err} lacks {wanted:?}")),
                None => Some(format!("unexpected error reading the case: {err}")),
            };
            return (output, problem);
        }
    };
    let result = case.run();
    // The snapshot holds the desired object, the action and the explanation (E1): every line of
    // the explanation is reviewed with the object it explains.
    let output = match &result {
        Ok(outcome) => json!({
            "desired": outcome.desired,
            "action": outcome.action.to_string(),
            "explanation": outcome.explanation.to_string().lines().collect::<Vec<_>>(),
        }),
        Err(err) => json!({"error": err.to_string()}),
    };
    // I7: every object a fixture produces is one the API server admits.
    let admitted = match result.as_ref().ok().and_then(|o| o.desired.as_ref()) {
        Some(DesiredObject::PersistentVolume(pv)) => admissible_pv(pv),
        Some(DesiredObject::PersistentVolumeClaim(pvc)) => admissible_pvc(pvc),
        Some(DesiredObject::StorageClass(class)) => admissible_storage_class(class),
        None => Ok(()),
    };
    if let Err(err) = admitted {
        return (
            output,
            Some(format!("the API server would reject the output: {err}")),
        );
    }
    let desired = output.get("desired").cloned().unwrap_or(Value::Null);
    let problem = match (&case.expectation, &result) {
        (Expectation::Absent, Ok(o)) if o.desired.is_none() => None,
        (Expectation::Object(expected), Ok(_)) if same_object(expected, &desired) => None,
        (Expectation::Object(expected), Ok(_)) => {
            Some(format!("\nexpected {expected}\n     got {desired}"))
        }
        (Expectation::Error(wanted), Err(err)) if err.to_string().contains(wanted.as_str()) => None,
        (Expectation::Unspecified, _) => Some("a fixture states expect or expectError".into()),
        (expectation, _) => Some(format!("expected {expectation:?}, got {output}")),
    };
    (output, problem)
}

#[test]
fn fixture_cases() {
    let mut failures = Vec::new();
    insta::glob!("cases/*.yaml", |path| {
        let text = std::fs::read_to_string(path).unwrap();
        let (output, problem) = check(&text);
        if let Some(problem) = problem {
            // Printed at once: a failing snapshot below would end the test before the summary.
            eprintln!("FIXTURE FAILED {}: {problem}", path.display());
            failures.push(format!("{}: {problem}", path.display()));
        }
        insta::assert_yaml_snapshot!(output);
    });
    assert!(
        failures.is_empty(),
        "{} fixture(s) failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Unknown fields inside objects are ignored as `kubectl --validate=warn` ignores them, and
/// listed so that the `translate` example can warn; the translation is the same as without them.
#[test]
fn unknown_fields_inside_objects_are_listed_not_fatal() {
    let with = "virtualPvc:\n  metadata: {name: d, namespace: default, nmae: x}\n  spec:\n    accessModes: [ReadWriteOnce]\n    volumName: typo\n    volumeName: pv1\n    resources: {requests: {storage: 1Gi}}\n";
    let without = "virtualPvc:\n  metadata: {name: d, namespace: default}\n  spec:\n    accessModes: [ReadWriteOnce]\n    volumeName: pv1\n    resources: {requests: {storage: 1Gi}}\n";
    let case = pv_translate::case::Case::from_yaml(with).unwrap();
    assert_eq!(
        case.unknown_fields,
        vec!["virtualPvc.metadata.nmae", "virtualPvc.spec.volumName"]
    );
    let clean = pv_translate::case::Case::from_yaml(without).unwrap();
    assert!(clean.unknown_fields.is_empty());
    assert_eq!(case.run().unwrap(), clean.run().unwrap());
}
