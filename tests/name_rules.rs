//! SPEC N1-N5 and I6: host names, vcluster-compatible.
#![allow(missing_docs, clippy::unwrap_used)]

use pv_translate::VirtualCluster;
use pv_translate::names::{
    cluster_marker, host_label_key, host_name, host_name_cluster, safe_concat, virtual_label_key,
};

#[test]
fn n1_short_names_are_joined_with_dashes_unchanged() {
    assert_eq!(safe_concat(&["a", "x", "b"]).unwrap(), "a-x-b");
    assert_eq!(safe_concat(&["", "x", ""]).unwrap(), "-x-");
    assert_eq!(safe_concat(&["UPPER--case", "x"]).unwrap(), "UPPER--case-x");
}

#[test]
fn n1_exactly_63_bytes_is_not_hashed() {
    let name = host_name(&"p".repeat(53), "ns", "vc").unwrap();
    assert_eq!(name.len(), 63);
    assert_eq!(name, format!("{}-x-ns-x-vc", "p".repeat(53)));
}

#[test]
fn n1_64_bytes_is_hashed_to_52_bytes_dash_10_hex() {
    let name = host_name(&"p".repeat(54), "ns", "vc").unwrap();
    assert_eq!(name, format!("{}-8a6e3050df", "p".repeat(52)));
    assert_eq!(name.len(), 63);
}

#[test]
fn n1_dot_at_byte_52_collapses_into_the_dash() {
    let vc = VirtualCluster::new("vcluster-one", "namespace-one").unwrap();
    let name = vc
        .host_name_cluster(&format!("{}.b", "a".repeat(42)))
        .unwrap();
    assert_eq!(name, format!("vcluster-{}-60dfd6feff", "a".repeat(42)));
    assert_eq!(name.len(), 62);
}

#[test]
fn n1_double_dashes_are_not_collapsed() {
    let name = host_name_cluster(
        "wekafs--sdf-k8s01",
        "vcluster--sshd-gateway",
        "vcluster--sshd-gateway",
    )
    .unwrap();
    assert_eq!(
        name,
        "vcluster-wekafs--sdf-k8s01-x-vcluster--sshd-gateway--c4bd828f58"
    );
}

#[test]
fn n1_non_ascii_input_is_an_error_in_every_name_function() {
    // vcluster's byte cut could split the UTF-8 sequence; no Kubernetes name has one (N1 0.2).
    let long = format!("{}é", "a".repeat(51));
    assert!(safe_concat(&[&long, "tail-that-makes-it-long"]).is_err());
    assert!(safe_concat(&["é"]).is_err());
    assert!(host_name("daté", "ns", "vc").is_err());
    assert!(host_name("data", "näme", "vc").is_err());
    assert!(host_name_cluster("pv", "ns", "vç").is_err());
    assert!(cluster_marker("ns", "vç").is_err());
    assert!(host_label_key("release", "vç").is_err());
    // Non-reserved keys are not joined, so they pass through whatever they hold.
    assert_eq!(host_label_key("äpp", "vc").unwrap(), "äpp");
    let err = safe_concat(&["ok", "dätä"]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "\"dätä\" is not a Kubernetes name: it has a non-ASCII character (SPEC N1)"
    );
}

#[test]
fn n2_namespaced_host_name_examples() {
    assert_eq!(
        host_name("testpvc", "test", "suffix").unwrap(),
        "testpvc-x-test-x-suffix"
    );
    assert_eq!(
        host_name("data-my-postgres-0", "default", "my-vcluster").unwrap(),
        "data-my-postgres-0-x-default-x-my-vcluster"
    );
    assert_eq!(
        host_name(
            "data-elasticsearch-master-elasticsearch-master-0",
            "logging",
            "my-vcluster"
        )
        .unwrap(),
        "data-elasticsearch-master-elasticsearch-master-0-x-l-9ea8bc624a"
    );
}

#[test]
fn n2_empty_name_stays_empty() {
    assert_eq!(host_name("", "ns", "vc").unwrap(), "");
}

#[test]
fn n3_cluster_scoped_host_name_examples() {
    assert_eq!(
        host_name_cluster("testsc", "test", "suffix").unwrap(),
        "vcluster-testsc-x-test-x-suffix"
    );
    let vc = VirtualCluster::new("vcluster-commerce-dev-eastus2-001", "test1-orntd").unwrap();
    assert_eq!(
        vc.host_name_cluster("azureblob-fuse-premium").unwrap(),
        "vcluster-azureblob-fuse-premium-x-test1-orntd-x-vclu-bde7a601ce"
    );
    assert_eq!(
        vc.host_name_cluster("search-master-pv-auth").unwrap(),
        "vcluster-search-master-pv-auth-x-test1-orntd-x-vclus-b839fd130d"
    );
    assert_eq!(
        host_name_cluster(
            "pvc-9d75b190-1d19-4e14-82ac-0941ffecd03d",
            "vcluster-team-a",
            "my-vcluster"
        )
        .unwrap(),
        "vcluster-pvc-9d75b190-1d19-4e14-82ac-0941ffecd03d-x--346cb2ef5b"
    );
}

#[test]
fn n3_empty_name_stays_empty() {
    assert_eq!(host_name_cluster("", "test", "suffix").unwrap(), "");
}

#[test]
fn n4_markers_for_cluster_scoped_and_namespaced_objects() {
    assert_eq!(cluster_marker("test", "suffix").unwrap(), "test-x-suffix");
    let vc = VirtualCluster::new("suffix", "test").unwrap();
    assert_eq!(vc.cluster_marker(), "test-x-suffix");
    assert_eq!(vc.namespaced_marker(), "suffix");
}

#[test]
fn n5_reserved_label_keys_are_rewritten() {
    assert_eq!(
        host_label_key("release", "suffix").unwrap(),
        "vcluster.loft.sh/label-suffix-x-a4d451ec23"
    );
    for key in [
        "vcluster.loft.sh/namespace",
        "vcluster.loft.sh/managed-by",
        "vcluster.loft.sh/controlled-by",
    ] {
        let host = host_label_key(key, "suffix").unwrap();
        assert!(
            host.starts_with("vcluster.loft.sh/label-suffix-x-"),
            "{key} -> {host}"
        );
        assert_eq!(virtual_label_key(&host, "suffix"), Some(key));
    }
}

#[test]
fn n5_other_label_keys_are_unchanged() {
    assert_eq!(
        host_label_key("app.kubernetes.io/name", "suffix").unwrap(),
        "app.kubernetes.io/name"
    );
    assert_eq!(virtual_label_key("app", "suffix"), None);
}

/// A controller calling the name functions directly can use `?` into the crate's error.
#[test]
fn n1_name_errors_convert_into_the_crate_error() {
    fn host(name: &str) -> Result<String, pv_translate::Error> {
        Ok(pv_translate::names::host_name(name, "team", "my-vcluster")?)
    }
    let error = host("dätä").unwrap_err();
    assert!(matches!(error, pv_translate::Error::Name(_)), "{error:?}");
    assert!(error.to_string().contains("non-ASCII"), "{error}");
    assert_eq!(host("data").unwrap(), "data-x-team-x-my-vcluster");
}
