//! SPEC N1-N5 and I6: host names, vcluster-compatible.
#![allow(missing_docs)]

use pv_translate::VirtualCluster;
use pv_translate::names::{
    cluster_marker, host_label_key, host_name, host_name_cluster, safe_concat, virtual_label_key,
};

#[test]
fn n1_short_names_are_joined_with_dashes_unchanged() {
    assert_eq!(safe_concat(&["a", "x", "b"]), "a-x-b");
    assert_eq!(safe_concat(&["", "x", ""]), "-x-");
    assert_eq!(safe_concat(&["UPPER--case", "x"]), "UPPER--case-x");
}

#[test]
fn n1_exactly_63_bytes_is_not_hashed() {
    let name = host_name(&"p".repeat(53), "ns", "vc");
    assert_eq!(name.len(), 63);
    assert_eq!(name, format!("{}-x-ns-x-vc", "p".repeat(53)));
}

#[test]
fn n1_64_bytes_is_hashed_to_52_bytes_dash_10_hex() {
    let name = host_name(&"p".repeat(54), "ns", "vc");
    assert_eq!(name, format!("{}-8a6e3050df", "p".repeat(52)));
    assert_eq!(name.len(), 63);
}

#[test]
fn n1_dot_at_byte_52_collapses_into_the_dash() {
    let vc = VirtualCluster::new("vcluster-one", "namespace-one");
    let name = vc.host_name_cluster(&format!("{}.b", "a".repeat(42)));
    assert_eq!(name, format!("vcluster-{}-60dfd6feff", "a".repeat(42)));
    assert_eq!(name.len(), 62);
}

#[test]
fn n1_double_dashes_are_not_collapsed() {
    let name = host_name_cluster(
        "wekafs--sdf-k8s01",
        "vcluster--sshd-gateway",
        "vcluster--sshd-gateway",
    );
    assert_eq!(
        name,
        "vcluster-wekafs--sdf-k8s01-x-vcluster--sshd-gateway--c4bd828f58"
    );
}

#[test]
fn n1_non_ascii_input_never_splits_a_character_and_stays_within_63_bytes() {
    let name = safe_concat(&[&format!("{}é", "a".repeat(51)), "tail-that-makes-it-long"]);
    assert!(name.len() <= 63, "{name}");
    assert!(name.starts_with(&"a".repeat(51)));
}

#[test]
fn n2_namespaced_host_name_examples() {
    assert_eq!(
        host_name("testpvc", "test", "suffix"),
        "testpvc-x-test-x-suffix"
    );
    assert_eq!(
        host_name("data-my-postgres-0", "default", "my-vcluster"),
        "data-my-postgres-0-x-default-x-my-vcluster"
    );
    assert_eq!(
        host_name(
            "data-elasticsearch-master-elasticsearch-master-0",
            "logging",
            "my-vcluster"
        ),
        "data-elasticsearch-master-elasticsearch-master-0-x-l-9ea8bc624a"
    );
}

#[test]
fn n2_empty_name_stays_empty() {
    assert_eq!(host_name("", "ns", "vc"), "");
}

#[test]
fn n3_cluster_scoped_host_name_examples() {
    assert_eq!(
        host_name_cluster("testsc", "test", "suffix"),
        "vcluster-testsc-x-test-x-suffix"
    );
    let vc = VirtualCluster::new("vcluster-commerce-dev-eastus2-001", "test1-orntd");
    assert_eq!(
        vc.host_name_cluster("azureblob-fuse-premium"),
        "vcluster-azureblob-fuse-premium-x-test1-orntd-x-vclu-bde7a601ce"
    );
    assert_eq!(
        vc.host_name_cluster("search-master-pv-auth"),
        "vcluster-search-master-pv-auth-x-test1-orntd-x-vclus-b839fd130d"
    );
    assert_eq!(
        host_name_cluster(
            "pvc-9d75b190-1d19-4e14-82ac-0941ffecd03d",
            "vcluster-team-a",
            "my-vcluster"
        ),
        "vcluster-pvc-9d75b190-1d19-4e14-82ac-0941ffecd03d-x--346cb2ef5b"
    );
}

#[test]
fn n3_empty_name_stays_empty() {
    assert_eq!(host_name_cluster("", "test", "suffix"), "");
}

#[test]
fn n4_markers_for_cluster_scoped_and_namespaced_objects() {
    assert_eq!(cluster_marker("test", "suffix"), "test-x-suffix");
    let vc = VirtualCluster::new("suffix", "test");
    assert_eq!(vc.cluster_marker(), "test-x-suffix");
    assert_eq!(vc.namespaced_marker(), "suffix");
}

#[test]
fn n5_reserved_label_keys_are_rewritten() {
    assert_eq!(
        host_label_key("release", "suffix"),
        "vcluster.loft.sh/label-suffix-x-a4d451ec23"
    );
    for key in [
        "vcluster.loft.sh/namespace",
        "vcluster.loft.sh/managed-by",
        "vcluster.loft.sh/controlled-by",
    ] {
        let host = host_label_key(key, "suffix");
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
        host_label_key("app.kubernetes.io/name", "suffix"),
        "app.kubernetes.io/name"
    );
    assert_eq!(virtual_label_key("app", "suffix"), None);
}
