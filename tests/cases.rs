//! Runs every fixture in `tests/cases/*.yaml` (CASES.md format): checks `expect` / `expectError`
//! and keeps an insta YAML snapshot of each output.
#![cfg(feature = "yaml")]
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use pv_translate::case::{Case, Expectation};
use serde_json::Value;

/// `expectError` read straight from the file, for cases that fail before they are typed.
fn raw_expect_error(text: &str) -> Option<String> {
    let raw: Value = serde_saphyr::from_str(text).ok()?;
    raw.get("expectError")?.as_str().map(str::to_owned)
}

/// `actual` contains everything `expected` says (objects compared key by key, `apiVersion` and
/// `kind` optional in `expected`).
fn same_object(expected: &Value, actual: &Value) -> bool {
    let (Value::Object(want), Value::Object(got)) = (expected, actual) else {
        return expected == actual;
    };
    let keys_match = got
        .keys()
        .all(|k| want.contains_key(k) || k == "apiVersion" || k == "kind");
    keys_match && want.iter().all(|(k, v)| got.get(k) == Some(v))
}

#[test]
fn fixture_cases() {
    insta::glob!("cases/*.yaml", |path| {
        let text = std::fs::read_to_string(path).unwrap();
        let name = path.display();
        let case = match Case::from_yaml(&text) {
            Ok(case) => case,
            Err(err) => {
                let wanted = raw_expect_error(&text)
                    .unwrap_or_else(|| panic!("{name}: unexpected error reading the case: {err}"));
                assert!(
                    err.to_string().contains(&wanted),
                    "{name}: error {err:?} lacks {wanted:?}"
                );
                insta::assert_yaml_snapshot!(serde_json::json!({"error": err.to_string()}));
                return;
            }
        };
        let result = case.run();
        let output = match &result {
            Ok(outcome) => serde_json::to_value(&outcome.desired).unwrap(),
            Err(err) => serde_json::json!({"error": err.to_string()}),
        };
        match (&case.expectation, &result) {
            (Expectation::Absent, Ok(outcome)) => {
                assert!(
                    outcome.desired.is_none(),
                    "{name}: expected none, got {output}"
                );
            }
            (Expectation::Object(expected), Ok(_)) => {
                assert!(
                    same_object(expected, &output),
                    "{name}:\nexpected {expected}\n     got {output}"
                );
            }
            (Expectation::Error(wanted), Err(err)) => {
                assert!(
                    err.to_string().contains(wanted.as_str()),
                    "{name}: error {err:?} lacks {wanted:?}"
                );
            }
            (Expectation::Unspecified, _) => {
                panic!("{name}: a fixture states expect or expectError")
            }
            (expectation, _) => panic!("{name}: expected {expectation:?}, got {output}"),
        }
        insta::assert_yaml_snapshot!(output);
    });
}
