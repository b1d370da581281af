//! Cluster dumps (docs/formats.md "Dumps" and "Limits"): YAML and JSON read alike, a dump over a
//! limit still audited for what was read (T6: an `AuditIncomplete` finding, exit status 3 and the
//! `pv_translate_audit_incomplete` gauge), and names as data: no string of a cluster object adds
//! a line, a label or a metric to the Prometheus exposition. The `audit` example is run as a
//! process.
#![cfg(feature = "yaml")]
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

use pv_translate::audit::to_prometheus;
use pv_translate::dump::{Format, Limit, Limits, read_dump, read_dump_with};
use pv_translate::{Finding, FindingKind, Severity, Snapshot, Translator, VirtualCluster};
use serde_json::{Value, json};

fn data(file: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples/data")
        .join(file)
        .to_string_lossy()
        .into_owned()
}

/// The YAML dump at `path` as `kubectl get -o json` prints it (a `List`, four-space indent).
fn as_json(path: &str) -> String {
    let value: Value = serde_saphyr::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let mut out = Vec::new();
    let formatter = serde_json::ser::PrettyFormatter::with_indent(b"    ");
    let mut serializer = serde_json::Serializer::with_formatter(&mut out, formatter);
    serde::Serialize::serialize(&value, &mut serializer).unwrap();
    String::from_utf8(out).unwrap()
}

fn cluster() -> VirtualCluster {
    VirtualCluster::new("my-vcluster", "vcluster-my-vcluster").unwrap()
}

fn audit(virtual_text: &[u8], host_text: &[u8]) -> Vec<Finding> {
    let snapshot = Snapshot::new(
        read_dump(virtual_text).unwrap().objects,
        read_dump(host_text).unwrap().objects,
    );
    Translator::new(cluster()).audit(&snapshot)
}

// ------------------------------------------------------------------------------------------
// YAML and JSON

#[test]
fn r1_json_and_yaml_dumps_of_the_same_clusters_give_the_same_objects_and_findings() {
    for mode in ["fake-mode", "sync-mode"] {
        let (virtual_yaml, host_yaml) = (
            std::fs::read(data(&format!("{mode}-virtual.yaml"))).unwrap(),
            std::fs::read(data(&format!("{mode}-host.yaml"))).unwrap(),
        );
        let virtual_json = as_json(&data(&format!("{mode}-virtual.yaml")));
        let host_json = as_json(&data(&format!("{mode}-host.yaml")));
        let (yaml, json) = (
            read_dump(&host_yaml).unwrap(),
            read_dump(host_json.as_bytes()).unwrap(),
        );
        assert_eq!((yaml.format, json.format), (Format::Yaml, Format::Json));
        assert_eq!(
            format!("{:?}", yaml.objects),
            format!("{:?}", json.objects),
            "{mode}"
        );
        assert!(!yaml.objects.is_empty());
        let from_yaml = audit(&virtual_yaml, &host_yaml);
        assert!(!from_yaml.is_empty(), "{mode}");
        assert_eq!(
            from_yaml,
            audit(virtual_json.as_bytes(), host_json.as_bytes())
        );
        assert_eq!(from_yaml, audit(virtual_json.as_bytes(), &host_yaml));
    }
}

/// Concatenated JSON objects (`kubectl get ... -o json` run once per kind, appended).
#[test]
fn r1_concatenated_json_dumps_are_read() {
    let host = as_json(&data("sync-mode-host.yaml"));
    let value: Value = serde_json::from_str(&host).unwrap();
    let items = value["items"].as_array().unwrap();
    let concatenated: String = items
        .iter()
        .map(|item| serde_json::to_string_pretty(item).unwrap() + "\n")
        .collect();
    let dump = read_dump(concatenated.as_bytes()).unwrap();
    assert_eq!(dump.format, Format::Json);
    assert_eq!(
        format!("{:?}", dump.objects),
        format!("{:?}", read_dump(host.as_bytes()).unwrap().objects)
    );
}

// ------------------------------------------------------------------------------------------
// The audit example

fn example_binary() -> &'static Path {
    static BINARY: OnceLock<PathBuf> = OnceLock::new();
    BINARY.get_or_init(|| {
        let mut command = Command::new(env!("CARGO"));
        command.current_dir(env!("CARGO_MANIFEST_DIR")).args([
            "build",
            "--example",
            "audit",
            "--message-format=json",
        ]);
        if !cfg!(debug_assertions) {
            command.arg("--release");
        }
        let output = command.output().expect("cargo runs");
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout)
            .lines()
            .filter_map(|line| serde_json::from_str::<Value>(line).ok())
            .filter(|m| m["reason"] == "compiler-artifact" && m["target"]["name"] == "audit")
            .filter(|m| {
                m["target"]["kind"]
                    .as_array()
                    .is_some_and(|k| k.contains(&json!("example")))
            })
            .find_map(|m| m["executable"].as_str().map(PathBuf::from))
            .expect("cargo names the example's executable")
    })
}

/// A file of its own under the system's temporary directory, removed on drop.
struct TempFile(PathBuf);

impl TempFile {
    fn new(content: impl AsRef<[u8]>) -> Self {
        static COUNT: AtomicUsize = AtomicUsize::new(0);
        let n = COUNT.fetch_add(1, Ordering::Relaxed);
        let path = std::env::temp_dir().join(format!(
            "pv-translate-dump-rules-{}-{n}.yaml",
            std::process::id()
        ));
        std::fs::write(&path, content).unwrap();
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

fn run_audit(args: &[&str]) -> Output {
    Command::new(example_binary())
        .args(args)
        .args([
            "--name",
            "my-vcluster",
            "--host-namespace",
            "vcluster-my-vcluster",
        ])
        .output()
        .expect("the example runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).unwrap()
}

#[test]
fn audit_example_reads_json_dumps_as_it_reads_yaml() {
    for mode in ["fake-mode", "sync-mode"] {
        let (virtual_yaml, host_yaml) = (
            data(&format!("{mode}-virtual.yaml")),
            data(&format!("{mode}-host.yaml")),
        );
        let virtual_json = TempFile::new(as_json(&virtual_yaml));
        let host_json = TempFile::new(as_json(&host_yaml));
        let yaml = run_audit(&["--virtual", &virtual_yaml, "--host", &host_yaml]);
        let json = run_audit(&[
            "--virtual",
            &virtual_json.path(),
            "--host",
            &host_json.path(),
        ]);
        assert_eq!(yaml.status.code(), json.status.code(), "{mode}");
        assert_eq!(stdout(&yaml), stdout(&json), "{mode}");
        assert_eq!(stderr(&json), "", "{mode}");
        assert!(stdout(&yaml).starts_with("- kind: "), "{mode}");
    }
}

/// Billion laughs after `keep` objects of a List (each line of `dump` after its `items:`).
fn with_alias_bomb(dump: &str) -> String {
    let mut bomb = String::from(
        "- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: laughs, namespace: default}\n  data:\n    l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n",
    );
    for level in 1..10 {
        let prev = level - 1;
        let aliases = vec![format!("*l{prev}"); 10].join(", ");
        bomb.push_str(&format!("    l{level}: &l{level} [{aliases}]\n"));
    }
    // Right after the first object of the list.
    let second = dump.match_indices("\n- ").nth(1).unwrap().0 + 1;
    format!("{}{bomb}{}", &dump[..second], &dump[second..])
}

/// T6: a host dump over a limit (an alias bomb after its first object) still gives the findings
/// of what was read, an AuditIncomplete finding first, a warning on stderr, exit status 3 (in
/// fake mode, whose findings alone are warnings: never a clean 0) and the gauge at 1.
#[test]
fn audit_example_over_a_limit_reports_what_it_read_and_that_it_is_incomplete() {
    let virtual_file = data("fake-mode-virtual.yaml");
    let host_text = std::fs::read_to_string(data("fake-mode-host.yaml")).unwrap();
    let complete = run_audit(&[
        "--virtual",
        &virtual_file,
        "--host",
        &data("fake-mode-host.yaml"),
    ]);
    assert_eq!(complete.status.code(), Some(0), "warnings only");

    let host = TempFile::new(with_alias_bomb(&host_text));
    let output = run_audit(&["--virtual", &virtual_file, "--host", &host.path()]);
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    let printed: Value = serde_saphyr::from_str(&stdout(&output)).unwrap();
    let printed = printed.as_array().unwrap();
    assert_eq!(printed[0]["kind"], "AuditIncomplete");
    assert_eq!(printed[0]["severity"], "high");
    let message = printed[0]["message"].as_str().unwrap();
    assert!(
        message.starts_with(&format!("host dump {}: not read from line ", host.path())),
        "{message}"
    );
    assert!(
        message.contains("(document 1, object 2) on: YAML aliases"),
        "{message}"
    );
    // What was read (the class before the bomb) is audited; the PVs after it are not.
    let read = read_dump(with_alias_bomb(&host_text).as_bytes()).unwrap();
    assert!(!read.is_complete());
    let expected = Translator::new(cluster()).audit(&Snapshot::new(
        read_dump(&std::fs::read(&virtual_file).unwrap())
            .unwrap()
            .objects,
        read.objects,
    ));
    assert_eq!(
        serde_json::to_value(&expected).unwrap(),
        Value::Array(printed[1..].to_vec())
    );
    let warning = stderr(&output);
    assert_eq!(warning.lines().count(), 1, "{warning}");
    assert!(
        warning.starts_with(&format!("warning: {}: not read from line ", host.path())),
        "{warning}"
    );

    let output = run_audit(&[
        "--virtual",
        &virtual_file,
        "--host",
        &host.path(),
        "--format",
        "prometheus",
    ]);
    assert_eq!(output.status.code(), Some(3));
    let text = stdout(&output);
    assert!(
        text.ends_with("\npv_translate_audit_incomplete 1\n"),
        "{text}"
    );
    assert!(
        text.contains(
            "\npv_translate_audit_findings{kind=\"AuditIncomplete\",severity=\"high\"} 1\n"
        ),
        "{text}"
    );
    let complete = run_audit(&[
        "--virtual",
        &virtual_file,
        "--host",
        &data("fake-mode-host.yaml"),
        "--format",
        "prometheus",
    ]);
    assert!(stdout(&complete).ends_with("\npv_translate_audit_incomplete 0\n"));
}

/// The byte limit (`--max-dump-bytes`, default 8 GiB): the virtual dump cut, its last object
/// dropped, the audit incomplete.
#[test]
fn audit_example_reads_a_dump_over_the_byte_limit_in_part() {
    // The virtual dump is the larger: the limit cuts it, not the host's.
    let (virtual_file, host_file) = (data("fake-mode-host.yaml"), data("fake-mode-virtual.yaml"));
    let size = std::fs::metadata(&virtual_file).unwrap().len();
    assert!(size > std::fs::metadata(&host_file).unwrap().len() + 100);
    let args = |max: u64| {
        run_audit(&[
            "--virtual",
            &virtual_file,
            "--host",
            &host_file,
            "--max-dump-bytes",
            &max.to_string(),
        ])
    };
    assert_eq!(args(size).status.code(), Some(0), "the whole dump fits");
    let output = args(size - 100);
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    let printed: Value = serde_saphyr::from_str(&stdout(&output)).unwrap();
    let message = printed[0]["message"].as_str().unwrap();
    assert!(
        message.starts_with(&format!("virtual dump {virtual_file}: not read from line ")),
        "{message}"
    );
    assert!(
        message.contains(&format!("on: the dump is larger than {} bytes", size - 100)),
        "{message}"
    );
    let output = args(0);
    assert_eq!(output.status.code(), Some(3));
    let output = run_audit(&[
        "--virtual",
        &virtual_file,
        "--host",
        &virtual_file,
        "--max-dump-bytes",
        "lots",
    ]);
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("--max-dump-bytes \"lots\": not a number of bytes"));
}

/// What is not text is refused after one buffer, whatever the limit: `/dev/zero` costs 1 MiB.
#[test]
fn audit_example_refuses_what_is_not_text_at_once() {
    let host = data("fake-mode-host.yaml");
    let nul = TempFile::new(b"apiVersion: v1\nkind: List\nitems: []\n\0\0");
    let output = run_audit(&["--virtual", &nul.path(), "--host", &host]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        stderr(&output),
        format!("error: {}: not text (byte 36 is NUL)\n", nul.path())
    );
    let latin1 = TempFile::new(b"apiVersion: v1\nkind: List # caf\xe9\nitems: []\n");
    let output = run_audit(&["--virtual", &latin1.path(), "--host", &host]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        stderr(&output),
        format!(
            "error: {}: not UTF-8 text (byte 31 is not)\n",
            latin1.path()
        )
    );
    if Path::new("/dev/zero").exists() {
        let output = run_audit(&["--virtual", "/dev/zero", "--host", &host]);
        assert_eq!(output.status.code(), Some(1));
        assert_eq!(
            stderr(&output),
            "error: /dev/zero: not text (byte 0 is NUL)\n"
        );
    }
}

// ------------------------------------------------------------------------------------------
// Names are data

/// Strings a tenant (or whoever writes a dump) controls, each trying to break out of a label
/// value, a sample line or the exposition.
const NASTY: [&str; 9] = [
    "a\nb",
    "pv_translate_audit_findings{kind=\"TenantSeesRetainHostDeletes\",severity=\"high\"} 99",
    "x\"} 1\n# TYPE evil gauge\nevil 1\n#",
    "back\\slash\\",
    "# HELP pv_translate_audit_incomplete lies",
    "{}{}{",
    "<script>alert(1)</script>",
    "\u{202e}evil\u{202c}",
    "\r\u{2028}\u{85}end",
];

/// Dumps whose object names, namespaces, labels and annotations are the nasty strings: fake PVs
/// (one per string) over Retain host PVs of the same name (TenantSeesDeleteHostRetains), a fake
/// PV no claim names and whose host PV is missing, and released host PVs no virtual PV shows.
fn nasty_dumps() -> (String, String) {
    let mut virtual_items = Vec::new();
    let mut host_items = Vec::new();
    for (i, nasty) in NASTY.iter().enumerate() {
        let meta = |name: String| {
            json!({
                "name": name,
                "labels": {"vcluster.loft.sh/fake-pv": "true", "x": nasty},
                "annotations": {"pv.kubernetes.io/provisioned-by": nasty, (*nasty): nasty},
            })
        };
        let pv_name = format!("{nasty}-{i}");
        virtual_items.push(json!({
            "apiVersion": "v1", "kind": "PersistentVolumeClaim",
            "metadata": {"name": nasty, "namespace": format!("{nasty}-ns"), "annotations": {"a": nasty}},
            "spec": {"volumeName": pv_name, "storageClassName": nasty, "accessModes": ["ReadWriteOnce"],
                     "resources": {"requests": {"storage": "1Gi"}}},
        }));
        virtual_items.push(json!({
            "apiVersion": "v1", "kind": "PersistentVolume", "metadata": meta(pv_name.clone()),
            "spec": {"persistentVolumeReclaimPolicy": "Delete", "flexVolume": {"driver": "fake"},
                     "capacity": {"storage": "1Gi"}, "storageClassName": nasty,
                     "claimRef": {"name": nasty, "namespace": format!("{nasty}-ns")}},
        }));
        virtual_items.push(json!({
            "apiVersion": "v1", "kind": "PersistentVolume", "metadata": meta(format!("{nasty}-orphan-{i}")),
            "spec": {"persistentVolumeReclaimPolicy": "Delete", "flexVolume": {"driver": "fake"}},
        }));
        host_items.push(json!({
            "apiVersion": "v1", "kind": "PersistentVolume",
            "metadata": {"name": pv_name, "annotations": {"a": nasty}, "labels": {"b": nasty}},
            "spec": {"persistentVolumeReclaimPolicy": "Retain", "capacity": {"storage": "1Gi"},
                     "storageClassName": nasty,
                     "claimRef": {"name": nasty, "namespace": "vcluster-my-vcluster"}},
        }));
        host_items.push(json!({
            "apiVersion": "v1", "kind": "PersistentVolume",
            "metadata": {"name": format!("{nasty}-released-{i}")},
            "spec": {"persistentVolumeReclaimPolicy": "Retain", "capacity": {"storage": "2Gi"},
                     "claimRef": {"name": nasty, "namespace": "vcluster-my-vcluster"}},
            "status": {"phase": "Released"},
        }));
    }
    let list = |items: Vec<Value>| {
        serde_json::to_string_pretty(&json!({"apiVersion": "v1", "kind": "List", "items": items}))
            .unwrap()
    };
    (list(virtual_items), list(host_items))
}

/// Every line of the exposition is one of the lines the crate writes, whatever the findings:
/// the fixed HELP and TYPE lines, one sample per kind with its own kind and severity, and the
/// two unlabelled gauges.
fn assert_only_the_crates_lines(text: &str) {
    let mut expected_prefixes: Vec<String> = FindingKind::ALL
        .iter()
        .map(|kind| {
            format!(
                "pv_translate_audit_findings{{kind=\"{}\",severity=\"{}\"}} ",
                kind.as_str(),
                kind.severity().as_str()
            )
        })
        .collect();
    expected_prefixes.push("pv_translate_audit_retained_bytes ".to_owned());
    expected_prefixes.push("pv_translate_audit_incomplete ".to_owned());
    let lines: Vec<&str> = text.split('\n').collect();
    assert_eq!(lines.last(), Some(&""), "ends with a line feed");
    let lines = &lines[..lines.len() - 1];
    assert_eq!(lines.len(), FindingKind::ALL.len() + 2 + 3 * 2, "{text}");
    let mut samples = 0;
    for line in lines {
        assert!(line.is_ascii(), "{line:?}");
        assert!(!line.chars().any(|c| c.is_control()), "{line:?}");
        if let Some(rest) = line
            .strip_prefix("# HELP ")
            .or_else(|| line.strip_prefix("# TYPE "))
        {
            let name = rest.split(' ').next().unwrap();
            assert!(
                [
                    "pv_translate_audit_findings",
                    "pv_translate_audit_retained_bytes",
                    "pv_translate_audit_incomplete"
                ]
                .contains(&name),
                "{line:?}"
            );
            continue;
        }
        let prefix = expected_prefixes
            .iter()
            .find(|p| line.starts_with(p.as_str()))
            .unwrap_or_else(|| panic!("a line the crate does not write: {line:?}"));
        let value = &line[prefix.len()..];
        assert!(
            !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()),
            "{line:?}"
        );
        samples += 1;
    }
    assert_eq!(samples, FindingKind::ALL.len() + 2);
}

#[test]
fn t6_names_are_data_in_the_prometheus_exposition() {
    let (virtual_text, host_text) = nasty_dumps();
    let found = audit(virtual_text.as_bytes(), host_text.as_bytes());
    // The nasty strings reached the findings (they are data there)... (The fake PVs named in
    // a claim pair with no host PV: T6 pairs a fake PV only through its claim's host copy.)
    for kind in [
        FindingKind::FakePvWithoutClaim,
        FindingKind::HostPvMissing,
        FindingKind::ReleasedHostPvWithoutVirtual,
    ] {
        let of_kind: Vec<&Finding> = found.iter().filter(|f| f.kind == kind).collect();
        assert_eq!(of_kind.len(), NASTY.len(), "{kind}: {found:#?}");
    }
    for nasty in NASTY {
        assert!(found.iter().any(|f| f.message.contains(nasty)), "{nasty:?}");
    }
    // ... and not one of them reaches the exposition.
    let text = to_prometheus(&found);
    assert_only_the_crates_lines(&text);
    for nasty in NASTY {
        assert!(!text.contains(nasty), "{nasty:?} in\n{text}");
    }
    assert!(text.contains(&format!(
        "\npv_translate_audit_findings{{kind=\"FakePvWithoutClaim\",severity=\"warning\"}} {}\n",
        NASTY.len()
    )));
    // An incomplete audit too.
    let mut with_incomplete = vec![
        read_dump_with(
            b"kind: List\nitems: [[[]]]\n",
            &Limits::default().with_max_depth(2),
        )
        .unwrap()
        .skipped
        .unwrap()
        .finding(NASTY[2]),
    ];
    with_incomplete.extend(found.iter().cloned());
    let text = to_prometheus(&with_incomplete);
    assert_only_the_crates_lines(&text);
    assert!(text.ends_with("\npv_translate_audit_incomplete 1\n"));

    // The example, from the dumps as files: the same exposition.
    let virtual_file = TempFile::new(&virtual_text);
    let host_file = TempFile::new(&host_text);
    let output = run_audit(&[
        "--virtual",
        &virtual_file.path(),
        "--host",
        &host_file.path(),
        "--format",
        "prometheus",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(stdout(&output), to_prometheus(&found));
    // In YAML, every nasty string is a quoted value that reads back as itself.
    let output = run_audit(&[
        "--virtual",
        &virtual_file.path(),
        "--host",
        &host_file.path(),
    ]);
    let printed: Value = serde_saphyr::from_str(&stdout(&output)).unwrap();
    assert_eq!(printed, serde_json::to_value(&found).unwrap());
    assert!(found.iter().all(|f| f.severity == Severity::Warning));
}

/// T6 in the other notation: JSON has no aliases, but nesting and size are bounded alike.
#[test]
fn t6_json_dumps_over_a_limit_keep_what_was_read() {
    let host = as_json(&data("sync-mode-host.yaml"));
    let full = read_dump(host.as_bytes()).unwrap();
    let cut = host.len() / 2;
    let part = read_dump_with(
        host.as_bytes(),
        &Limits::default().with_max_bytes(cut as u64),
    )
    .unwrap();
    let skipped = part.skipped.clone().unwrap();
    assert_eq!(skipped.limit, Limit::Bytes(cut as u64));
    assert!(part.objects.len() < full.objects.len());
    assert!(!part.objects.is_empty());
    // Every object read is one of the dump's, whole.
    for pv in part.objects.pvs() {
        let name = pv.metadata.name.as_deref().unwrap();
        assert_eq!(
            format!("{pv:?}"),
            format!("{:?}", full.objects.pv(name).unwrap())
        );
    }
}

// ------------------------------------------------------------------------------------------
// Never a panic

proptest::proptest! {
    #![proptest_config(proptest::test_runner::Config::with_cases(256))]

    /// Any edit of a real dump, YAML or JSON, under any limits: an error or a dump, never a
    /// panic; a dump read in part is no larger than the whole.
    #[test]
    fn r1_read_dump_never_panics(
        json in proptest::bool::ANY,
        cut in 0usize..10_000,
        at in 0usize..10_000,
        insert in proptest::sample::select(vec!["", "\n", "- ", "&a ", "*a", "{", "]", "\"", ": ", "\0", "\u{202e}", "- *a\n", "---\n", "\t"]),
        max_bytes in 0u64..12_000,
        max_depth in 0usize..16,
        aliases in 0usize..4,
    ) {
        let text = if json {
            as_json(&data("sync-mode-host.yaml"))
        } else {
            std::fs::read_to_string(data("sync-mode-host.yaml")).unwrap()
        };
        let mut text = text.into_bytes();
        let at = at % (text.len() + 1);
        text.splice(at..at, insert.bytes());
        text.truncate(cut.max(1) * 2);
        let limits = Limits::default()
            .with_max_bytes(max_bytes)
            .with_max_depth(max_depth)
            .with_max_aliases(aliases, aliases * 10);
        if let Ok(dump) = read_dump_with(&text, &limits) {
            let whole = read_dump(&text).map(|d| d.objects.len());
            if let Ok(whole) = whole {
                proptest::prop_assert!(dump.objects.len() <= whole);
            }
            proptest::prop_assert_eq!(dump.is_complete(), dump.skipped.is_none());
        }
    }
}
