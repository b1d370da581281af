//! The audit as a Prometheus text exposition (format 0.0.4), for node_exporter's textfile
//! collector: the dual monitoring of both clusters in an existing monitoring stack.

use std::collections::HashSet;
use std::fmt::Write as _;

use super::{Finding, FindingKind};

/// Escapes a label value: backslash, double quote and line feed (the exposition format's rule).
fn escape_label(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out
}

/// The findings as gauges: `pv_translate_audit_findings{kind,severity}` for every kind (0 when
/// absent); `pv_translate_audit_retained_bytes`, the summed capacity of the (distinct) host PVs
/// of the `TenantSeesDeleteHostRetains` and `ReleasedHostPvWithoutVirtual` findings (storage the
/// host keeps, and bills, that tenants were told would be deleted or cannot see); and
/// `pv_translate_audit_incomplete`, 1 when an `AuditIncomplete` finding says a dump was not read
/// to its end (the other gauges then count only what was read), else 0.
///
/// Labels are only the kind and the severity, both from this crate: no name, namespace or
/// annotation of a cluster object reaches the exposition.
///
/// ```
/// use pv_translate::audit::to_prometheus;
/// let text = to_prometheus(&[]);
/// assert!(text.contains("# TYPE pv_translate_audit_findings gauge\n"));
/// assert!(text.contains("pv_translate_audit_retained_bytes 0\n"));
/// assert!(text.ends_with("pv_translate_audit_incomplete 0\n"));
/// ```
pub fn to_prometheus(findings: &[Finding]) -> String {
    let mut out = String::new();
    out.push_str(
        "# HELP pv_translate_audit_findings Findings of the pv-translate audit of a virtual \
         cluster and its host, by kind and severity.\n",
    );
    out.push_str("# TYPE pv_translate_audit_findings gauge\n");
    for kind in FindingKind::ALL {
        let count = findings.iter().filter(|f| f.kind == *kind).count();
        let _ = writeln!(
            out,
            "pv_translate_audit_findings{{kind=\"{}\",severity=\"{}\"}} {count}",
            escape_label(kind.as_str()),
            escape_label(kind.severity().as_str()),
        );
    }
    // Each host PV once: two virtual PVs over one volume do not keep twice the storage.
    let mut counted: HashSet<&str> = HashSet::new();
    let mut retained: u128 = 0;
    for finding in findings.iter().filter(|f| {
        matches!(
            f.kind,
            FindingKind::TenantSeesDeleteHostRetains | FindingKind::ReleasedHostPvWithoutVirtual
        )
    }) {
        let Some(host) = finding.host_pv.as_deref() else {
            continue;
        };
        if !counted.insert(host) {
            continue;
        }
        retained = retained.saturating_add(finding.host_storage_bytes.unwrap_or(0));
    }
    out.push_str(
        "# HELP pv_translate_audit_retained_bytes Bytes of host storage kept after the claim is \
         gone that the tenant was told would be deleted or cannot see.\n",
    );
    out.push_str("# TYPE pv_translate_audit_retained_bytes gauge\n");
    let _ = writeln!(out, "pv_translate_audit_retained_bytes {retained}");
    let incomplete = findings
        .iter()
        .any(|f| f.kind == FindingKind::AuditIncomplete);
    out.push_str(
        "# HELP pv_translate_audit_incomplete 1 when a dump was not read to its end (a limit \
         was reached): the other gauges count only what was read.\n",
    );
    out.push_str("# TYPE pv_translate_audit_incomplete gauge\n");
    let _ = writeln!(
        out,
        "pv_translate_audit_incomplete {}",
        u8::from(incomplete)
    );
    out
}

#[cfg(test)]
mod tests {
    use super::escape_label;

    #[test]
    fn a1_label_values_are_escaped() {
        assert_eq!(escape_label("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
        assert_eq!(escape_label("plain"), "plain");
    }
}
