//! SPEC M2-M4 against every vcluster configuration in loft-sh/vcluster at 487667546
//! (tests/configs/vcluster/, copied by tests/configs/extract_vcluster_configs.py): the chart
//! defaults (config/values.yaml, chart/values.yaml), the e2e configurations (e2e/vcluster-*.yaml,
//! e2e/test_gatewayapi/testdata/invalidcfg/*.yaml), the test values (test/*Values.yaml), the load
//! test values (load-test/vcluster-*.yml, load-test/ha-k8s.yaml), devspace.yaml's values, the
//! examples of README.md and the `set:` values of every helm-unittest case in chart/tests/.
//!
//! The expected answers were worked out from vcluster's code (pkg/config/validation.go,
//! pkg/controllers/register.go, pkg/controllers/resources/register.go; v0.19 chart and syncer for
//! legacy values), with tests/configs/vcluster_oracle.py as an independent model, and reviewed by
//! hand. A configuration vcluster refuses for a reason outside storage (e.g. the invalid gateway
//! configurations) resolves here: only storage is checked.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    missing_docs
)]

use std::collections::BTreeMap;
use std::path::Path;

use pv_translate::config::{Generation, resolve_yaml};
use pv_translate::{Error, PvMode, StorageClassMode};

/// What vcluster does with a configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Want {
    /// Starts, with this PV mode, StorageClass mode and generation.
    Ok(PvMode, StorageClassMode, Generation),
    /// Refuses to start; the error names this key.
    Refused(&'static str),
}

use Generation::{Legacy, V020};
use StorageClassMode::{FromHost, Off, ToHost};

const FAKE: PvMode = PvMode::Fake;
const SYNC: PvMode = PvMode::Sync;
/// SPEC's PV mode `None`.
const NONE: PvMode = PvMode::Disabled;

const fn ok(pv: PvMode, classes: StorageClassMode, generation: Generation) -> Want {
    Want::Ok(pv, classes, generation)
}

const fn refused(path: &'static str) -> Want {
    Want::Refused(path)
}

/// Every configuration (a file, or one document of a chart-tests file), by its source in
/// loft-sh/vcluster (`path#n it` for the n-th helm-unittest case).
const CONFIGURATIONS: &[(&str, Want)] = &[
    // helm-unittest cases only render the chart's templates; vcluster itself would refuse the
    // ones that enable a scheduler without node sync (pkg/config/validation.go).
    (
        "chart/tests/clusterrole_test.yaml#1 force enable",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/clusterrole_test.yaml#2 force disable",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/clusterrole_test.yaml#3 enable scheduler (k8s distro explicitly enabled)",
        refused("sync.fromHost.nodes.enabled"),
    ),
    (
        "chart/tests/clusterrole_test.yaml#4 enable scheduler (k8s distro implicitly enabled)",
        refused("sync.fromHost.nodes.enabled"),
    ),
    (
        "chart/tests/clusterrole_test.yaml#5 enable scheduler (deprecated)",
        refused("sync.fromHost.nodes.enabled"),
    ),
    (
        "chart/tests/clusterrole_test.yaml#6 enable hybrid scheduling",
        refused("sync.fromHost.nodes.enabled"),
    ),
    (
        "chart/tests/clusterrole_test.yaml#7 enable csinodes",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/clusterrole_test.yaml#8 enable by multi namespace mode",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/clusterrole_test.yaml#9 override rules",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/clusterrole_test.yaml#10 extra rules",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/clusterrole_test.yaml#11 plugin rules",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/clusterrole_test.yaml#12 replicate services",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/clusterrole_test.yaml#13 real nodes with default proxyKubelets",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/clusterrole_test.yaml#14 real nodes without proxyKubelets",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/clusterrole_test.yaml#15 virtual scheduler",
        refused("sync.fromHost.nodes.enabled"),
    ),
    (
        "chart/tests/clusterrole_test.yaml#16 legacy pro",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/clusterrole_test.yaml#17 metrics proxy",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/clusterrole_test.yaml#18 externalSecrets",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/clusterrole_test.yaml#19 kubeVirt",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/clusterrole_test.yaml#20 certManger enabled",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/clusterrole_test.yaml#21 crd sync to host",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/clusterrole_test.yaml#22 crd sync from host",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/clusterrole_test.yaml#23 eso clusterstore sync",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/clusterrole_test.yaml#24 fromHost sync configmaps disabled",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/clusterrole_test.yaml#25 fromHost sync configmaps enabled with wildcard namespace",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/clusterrole_test.yaml#26 fromHost sync configmaps enabled with wildcard name",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/clusterrole_test.yaml#27 fromHost sync configmaps enabled without wildcards",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/clusterrole_test.yaml#28 fromHost sync secrets disabled",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/clusterrole_test.yaml#29 fromHost sync secrets enabled with wildcard namespace",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/clusterrole_test.yaml#30 fromHost sync secrets enabled with wildcard name",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/clusterrole_test.yaml#31 fromHost sync secrets enabled without wildcards",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/clusterrole_test.yaml#32 istio enabled",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/clusterrole_test.yaml#33 resourceClaims rules",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/clusterrole_test.yaml#34 deviceClasses rules",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/clusterrole_test.yaml#35 resourceClaimTemplates rules",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/clusterrole_test.yaml#36 gateway api umbrella enables gatewayclasses rule",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/clusterrole_test.yaml#37 gateway api explicit gateways toggle does not enable gatewayclasses rule",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/clusterrole_test.yaml#38 fromHost gateways enables gatewayclasses rule",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/clusterrolebinding_test.yaml#1 enable by multi namespace mode",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/clusterrolebinding_test.yaml#2 enable by from syncer",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/clusterrolebinding_test.yaml#3 enable by plugins",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/clusterrolebinding_test.yaml#4 enable by plugin",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/clusterrolebinding_test.yaml#5 enable by legacy api key",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/clusterrolebinding_test.yaml#6 enable by extra rules",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/clusterrolebinding_test.yaml#7 enable by overwrite rules",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/etcd-headless-service_test.yaml#1 enable for k8s & defaults",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/etcd-headless-service_test.yaml#2 enable for k8s & defaults",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/etcd-service_test.yaml#1 enable for k8s & defaults",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/etcd-statefulset_test.yaml#1 check disabled for external etcd",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/etcd-statefulset_test.yaml#2 check default image registry",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/etcd-statefulset_test.yaml#3 disables serviceLinks for backingStore etcd pod",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/etcd-statefulset_test.yaml#4 change image registry",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/etcd-statefulset_test.yaml#5 check specified storage class is used",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/etcd-statefulset_test.yaml#6 enable for k8s & defaults",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/headless-service_test.yaml#1 should create if k8s",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/headless-service_test.yaml#2 should not create if stateless",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/headless-service_test.yaml#3 should not create if stateless 2",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/headless-service_test.yaml#4 embedded-etcd",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/headless-service_test.yaml#5 embedded-database",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/ingress_test.yaml#1 ingress defaults",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/ingress_test.yaml#2 overwrite ingress tls",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/ingress_test.yaml#3 template ingress spec",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/kubevirt-csi_test.yaml#1 check fails without private nodes",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/kubevirt-csi_test.yaml#2 check fails with two default storage classes",
        ok(NONE, Off, V020),
    ),
    (
        "chart/tests/kubevirt-csi_test.yaml#3 check renders next to the local path provisioner without a default storage class",
        ok(NONE, Off, V020),
    ),
    (
        "chart/tests/kubevirt-csi_test.yaml#4 check the control plane may hot plug volumes into the virtual machines",
        ok(NONE, Off, V020),
    ),
    (
        "chart/tests/kubevirt-csi_test.yaml#5 check overwritten rules stay untouched",
        ok(NONE, Off, V020),
    ),
    (
        "chart/tests/limitrange_test.yaml#1 check defaults",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/limitrange_test.yaml#2 check enabled",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/limitrange_test.yaml#3 check disabled",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/limitrange_test.yaml#4 check disabled both false",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/limitrange_test.yaml#5 check disabled both false",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/manifests_test.yaml#1 check defaults",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/manifests_test.yaml#2 check defaults",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/manifests_test.yaml#3 check defaults",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/networkpolicy_test.yaml#1 check defaults",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/networkpolicy_test.yaml#2 should set labels and annotations on all network policies",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/networkpolicy_test.yaml#3 should support extra ingress/egress rules",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/networkpolicy_test.yaml#4 should allow external API ingress by default",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/networkpolicy_test.yaml#5 should not create workload or dns policy when privateNodes enabled",
        ok(NONE, Off, V020),
    ),
    (
        "chart/tests/networkpolicy_test.yaml#6 should create all policies when privateNodes disabled (default)",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/platform-secret-role_test.yaml#1 check explicitly disabled",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/platform-secret-role_test.yaml#2 check disabled on empty namespace",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/platform-secret-role_test.yaml#3 check disabled on implicit same namespace",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/platform-secret-role_test.yaml#4 automatically create role for specific secret for reading & patching",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/platform-secret-role_test.yaml#5 automatically create role for default secret for reading & patching",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/resourcequota_test.yaml#1 check defaults",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/resourcequota_test.yaml#2 check enabled",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/resourcequota_test.yaml#3 check disabled",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/resourcequota_test.yaml#4 check disabled both false",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/role_test.yaml#1 check disabled",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/role_test.yaml#2 check overwrite rules",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/role_test.yaml#3 check plugin extra rules",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/role_test.yaml#4 check extra rules",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/role_test.yaml#5 multi-namespace mode",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/role_test.yaml#6 metrics proxy",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/role_test.yaml#7 external secret test",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/role_test.yaml#8 certManager enabled",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/role_test.yaml#9 external secret test store sync",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/role_test.yaml#10 kubeVirt test",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/role_test.yaml#11 crd sync",
        ok(FAKE, Off, V020),
    ),
    ("chart/tests/role_test.yaml#12 patches", ok(FAKE, Off, V020)),
    (
        "chart/tests/role_test.yaml#13 patches 2",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/role_test.yaml#14 istio integration",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/role_test.yaml#15 gateway api umbrella enables gateways and httproutes rules",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/role_test.yaml#16 gateway api explicit gateways toggle enables gateways rule",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/role_test.yaml#17 private nodes",
        ok(NONE, Off, V020),
    ),
    (
        "chart/tests/role_test.yaml#18 embedded etcd grants lease verbs",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/role_test.yaml#19 resourceClaims rules",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/role_test.yaml#20 resourceClaimTemplates rules",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/rolebinding_test.yaml#1 multi-namespace mode",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/service-monitor_test.yaml#1 check defaults",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/service-monitor_test.yaml#2 override release label",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/service-monitor_test.yaml#3 check virtual scheduler",
        refused("sync.fromHost.nodes.enabled"),
    ),
    (
        "chart/tests/service-monitor_test.yaml#4 check virtual scheduler (deprecated)",
        refused("sync.fromHost.nodes.enabled"),
    ),
    (
        "chart/tests/service-monitor_test.yaml#5 check embedded etcd",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/service-monitor_test.yaml#6 check external database renders kine endpoint",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/service-monitor_test.yaml#7 check deployed etcd omits kine endpoint",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/service-monitor_test.yaml#8 check external etcd omits kine endpoint",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/service_test.yaml#1 should not create service",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/service_test.yaml#2 should not create kubelet port",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/service_test.yaml#3 should not create kubelet port 2",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/service_test.yaml#4 konnectivity",
        ok(NONE, Off, V020),
    ),
    (
        "chart/tests/serviceaccount_test.yaml#1 should not create service account",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/serviceaccount_test.yaml#2 should create service account with name",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/serviceaccount_test.yaml#3 should create image pull secrets",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/statefulset_test.yaml#1 image name",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/statefulset_test.yaml#2 defaultImageRegistry",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/statefulset_test.yaml#3 custom tag",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/statefulset_test.yaml#4 disables serviceLinks for sts etcd pod",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/statefulset_test.yaml#5 custom init container",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/statefulset_test.yaml#6 custom init container",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/statefulset_test.yaml#7 fail when both backing stores are enabled",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/statefulset_test.yaml#8 not persistent when external etcd is enabled",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/statefulset_test.yaml#9 not persistent when k8s and external database",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/statefulset_test.yaml#10 persistent when embedded database",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/statefulset_test.yaml#11 persistent when k8s and embedded etcd",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/statefulset_test.yaml#12 plugin 1",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/statefulset_test.yaml#13 plugin volumes 2",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/statefulset_test.yaml#14 plugin volumes 3",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/statefulset_test.yaml#15 add volumes",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/statefulset_test.yaml#16 add templated volumes",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/statefulset_test.yaml#17 enable k8s",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/statefulset_test.yaml#18 enable k8s with deploy etcd",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/statefulset_test.yaml#19 enable k8s",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/statefulset_test.yaml#20 enable k8s",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/statefulset_test.yaml#21 enable k8s with deploy etcd",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/statefulset_test.yaml#22 append distro env",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/statefulset_test.yaml#23 should correctly set labels on the statefulset",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/statefulset_test.yaml#24 binariesVolume - should set the specified volume type correctly",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/statefulset_test.yaml#25 dataVolume - should set the specified data volume type correctly",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/statefulset_test.yaml#26 k8s version not set, default tag images used for apiServer and controllerManager",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/statefulset_test.yaml#27 k8s override image tag",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/statefulset_test.yaml#28 k8s version sets image tag for apiServer and controllerManager",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/statefulset_test.yaml#29 k8s version set and not overridden by image tag",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/statefulset_test.yaml#30 k8s not version set but image tags for apiServer and controllerManager set",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/statefulset_test.yaml#31 k8s version not set, default tag images used for apiServer and controllerManager (virtual scheduler enabled)",
        refused("sync.fromHost.nodes.enabled"),
    ),
    (
        "chart/tests/statefulset_test.yaml#32 k8s version not set, default tag images used for apiServer and controllerManager (virtual scheduler enabled, deprecated)",
        refused("sync.fromHost.nodes.enabled"),
    ),
    (
        "chart/tests/statefulset_test.yaml#33 k8s version sets image tag for apiServer and controllerManager (virtual scheduler enabled)",
        refused("sync.fromHost.nodes.enabled"),
    ),
    (
        "chart/tests/statefulset_test.yaml#34 k8s version sets image tag for apiServer and controllerManager (virtual scheduler enabled, deprecated)",
        refused("sync.fromHost.nodes.enabled"),
    ),
    (
        "chart/tests/statefulset_test.yaml#35 k8s version set but not overridden by image tag for apiServer and controllerManager (virtual scheduler enabled)",
        refused("sync.fromHost.nodes.enabled"),
    ),
    (
        "chart/tests/statefulset_test.yaml#36 k8s version set but not overridden by image tag for apiServer and controllerManager (virtual scheduler enabled, deprecated)",
        refused("sync.fromHost.nodes.enabled"),
    ),
    (
        "chart/tests/statefulset_test.yaml#37 custom dnsPolicy",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/statefulset_test.yaml#38 custom dnsConfig",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/statefulset_test.yaml#39 sets host aliases",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/statefulset_test.yaml#40 sets runtimeClassName",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/statefulset_test.yaml#41 must use StatefulSet for embedded etcd",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/statefulset_test.yaml#42 must use StatefulSet for embedded etcd without persistence",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/statefulset_test.yaml#43 sync custom resources",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/statefulset_test.yaml#44 fails when you set both exportKubeConfig.secret and exportKubeConfig.additionalSecrets",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/statefulset_test.yaml#45 fails when additional secret does not have at least name or namespace",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/statefulset_test.yaml#46 must use Deployment for external etcd",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/statefulset_test.yaml#47 private nodes k8s full image",
        ok(NONE, Off, V020),
    ),
    (
        "chart/tests/statefulset_test.yaml#48 private nodes k8s full image version",
        ok(NONE, Off, V020),
    ),
    (
        "chart/tests/statefulset_test.yaml#49 sets custom probe configuration",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/statefulset_test.yaml#50 uses default probe values when none are overridden",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/statefulset_test.yaml#51 should set logging format to json",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/statefulset_test.yaml#52 should enable additive file logging for the syncer and a sidecar",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/statefulset_test.yaml#53 should reject a user-defined vcluster-logs volume when file logging is enabled",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/statefulset_test.yaml#54 should allow a user-defined vcluster-logs volume when file logging is disabled",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/statefulset_test.yaml#55 should add init containers",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/statefulset_test.yaml#56 should add sidecar containers",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/statefulset_test.yaml#57 fails when sync.toHost.volumeSnapshots is set",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/statefulset_test.yaml#58 fails when sync.toHost.volumeSnapshots is set to false",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/statefulset_test.yaml#59 fails when sync.toHost.volumeSnapshotContents is set",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/statefulset_test.yaml#60 fails when sync.fromHost.volumeSnapshotClasses is set",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/statefulset_test.yaml#61 fails when deploy.volumeSnapshotController is set",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/statefulset_test.yaml#62 fails when rbac.enableVolumeSnapshotRules is set",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/statefulset_test.yaml#63 does not error on legacy validation when sync.toHost is null",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/statefulset_test.yaml#64 does not error on legacy validation when sync is null",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/statefulset_test.yaml#65 should add NET_ADMIN and NET_RAW capabilities when kube-vip is enabled",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/statefulset_test.yaml#66 should merge and deduplicate kube-vip capabilities with custom security context",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/tlsroute_test.yaml#1 tlsroute defaults",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/tlsroute_test.yaml#2 custom host",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/tlsroute_test.yaml#3 custom labels and annotations",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/tlsroute_test.yaml#4 global metadata annotations are merged",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/tlsroute_test.yaml#5 parentRefs from top-level field",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/tlsroute_test.yaml#6 overwrite spec completely",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/tlsroute_test.yaml#7 template spec values",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/workload-serviceaccount_test.yaml#1 should not create service account",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/workload-serviceaccount_test.yaml#2 should create service account with name",
        ok(FAKE, Off, V020),
    ),
    (
        "chart/tests/workload-serviceaccount_test.yaml#3 should create image pull secrets",
        ok(FAKE, Off, V020),
    ),
    ("chart/values.yaml", ok(FAKE, Off, V020)),
    // The defaults: every storage switch at its default.
    ("config/values.yaml", ok(FAKE, Off, V020)),
    (
        "devspace.yaml (deployments.vcluster.helm.values, lines 31-52)",
        ok(FAKE, Off, V020),
    ),
    ("e2e/vcluster-certs.yaml", ok(FAKE, Off, V020)),
    ("e2e/vcluster-cli.yaml", ok(FAKE, Off, V020)),
    ("e2e/vcluster-default.yaml", ok(SYNC, FromHost, V020)),
    ("e2e/vcluster-export-kubeconfig.yaml", ok(FAKE, Off, V020)),
    (
        "e2e/vcluster-fromhost-limitclasses.yaml",
        ok(FAKE, FromHost, V020),
    ),
    ("e2e/vcluster-gatewayapi-combined.yaml", ok(FAKE, Off, V020)),
    (
        "e2e/vcluster-gatewayapi-fromhost-both.yaml",
        ok(FAKE, Off, V020),
    ),
    (
        "e2e/vcluster-gatewayapi-grants-disabled.yaml",
        ok(FAKE, Off, V020),
    ),
    ("e2e/vcluster-gatewayapi-import.yaml", ok(FAKE, Off, V020)),
    // Gateway configurations vcluster refuses for gateway reasons (not storage, not checked).
    (
        "e2e/test_gatewayapi/testdata/invalidcfg/tc38-empty-mappings.yaml",
        ok(FAKE, Off, V020),
    ),
    (
        "e2e/test_gatewayapi/testdata/invalidcfg/tc39-empty-key.yaml",
        ok(FAKE, Off, V020),
    ),
    (
        "e2e/test_gatewayapi/testdata/invalidcfg/tc39-missing-source-ns.yaml",
        ok(FAKE, Off, V020),
    ),
    (
        "e2e/test_gatewayapi/testdata/invalidcfg/tc39-wildcard-key.yaml",
        ok(FAKE, Off, V020),
    ),
    (
        "e2e/test_gatewayapi/testdata/invalidcfg/tc40-fixed-src-wildcard-dst.yaml",
        ok(FAKE, Off, V020),
    ),
    (
        "e2e/test_gatewayapi/testdata/invalidcfg/tc40-wildcard-src-fixed-dst.yaml",
        ok(FAKE, Off, V020),
    ),
    (
        "e2e/test_gatewayapi/testdata/invalidcfg/tc41-override-outside-mappings.yaml",
        ok(FAKE, Off, V020),
    ),
    (
        "e2e/vcluster-gatewayapi-rg-disabled.yaml",
        ok(FAKE, Off, V020),
    ),
    (
        "e2e/vcluster-gatewayapi-selective.yaml",
        ok(FAKE, Off, V020),
    ),
    ("e2e/vcluster-gatewayapi-umbrella.yaml", ok(FAKE, Off, V020)),
    ("e2e/vcluster-gatewayapi.yaml", ok(FAKE, Off, V020)),
    ("e2e/vcluster-ha-short-certs.yaml", ok(FAKE, FromHost, V020)),
    ("e2e/vcluster-isolation-mode.yaml", ok(SYNC, FromHost, V020)),
    ("e2e/vcluster-kubelet-proxy.yaml", ok(FAKE, Off, V020)),
    ("e2e/vcluster-metricsproxy.yaml", ok(FAKE, Off, V020)),
    ("e2e/vcluster-node.yaml", ok(SYNC, FromHost, V020)),
    ("e2e/vcluster-plugin.yaml", ok(FAKE, Off, V020)),
    ("e2e/vcluster-rootless.yaml", ok(SYNC, FromHost, V020)),
    ("e2e/vcluster-scheduler.yaml", ok(SYNC, FromHost, V020)),
    ("e2e/vcluster-servicesync.yaml", ok(FAKE, Off, V020)),
    ("e2e/vcluster-short-certs.yaml", ok(FAKE, FromHost, V020)),
    ("e2e/vcluster-snapshot.yaml", ok(SYNC, FromHost, V020)),
    ("e2e/vcluster-versionskew.yaml", ok(FAKE, Off, V020)),
    // Helm values of the v0.19 chart; ha-k8s.yaml sets no `sync` key, so it reads as defaults.
    ("load-test/ha-k8s.yaml", ok(FAKE, Off, V020)),
    ("load-test/vcluster-k0s.yml", ok(FAKE, Off, Legacy)),
    ("load-test/vcluster-k3s.yml", ok(FAKE, Off, Legacy)),
    ("load-test/vcluster-k8s-1.yml", ok(FAKE, Off, Legacy)),
    ("load-test/vcluster-k8s-3.yml", ok(FAKE, Off, Legacy)),
    ("load-test/vcluster-pro-k3s-1.yml", ok(FAKE, Off, V020)),
    ("load-test/vcluster-pro-k3s-3.yml", ok(FAKE, Off, V020)),
    // README examples. vcluster's strict parser would refuse the top-level `autoNodes` of the
    // last one; outside the sections SPEC M4 makes strict, it is ignored here.
    ("README.md (lines 139-142)", ok(FAKE, Off, V020)),
    ("README.md (lines 153-159)", ok(FAKE, Off, V020)),
    ("README.md (lines 170-175)", ok(NONE, Off, V020)),
    ("README.md (lines 186-192)", ok(NONE, Off, V020)),
    ("README.md (lines 203-207)", ok(NONE, Off, V020)),
    ("test/commonValues.yaml", ok(FAKE, Off, V020)),
    ("test/conformanceValues.yaml", ok(SYNC, ToHost, V020)),
    ("test/proValues.yaml", ok(FAKE, Off, V020)),
];

/// The configurations in tests/configs/vcluster/, by source label, with their text.
fn configurations() -> BTreeMap<String, String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/configs/vcluster");
    let mut found = BTreeMap::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("yaml") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let source = text
            .strip_prefix("# Source: loft-sh/vcluster ")
            .and_then(|rest| rest.split(" at commit 487667546 ").next())
            .unwrap_or_else(|| panic!("{}: no source header", path.display()))
            .to_owned();
        let name = path.file_name().unwrap().to_str().unwrap();
        if name.starts_with("chart-tests-") {
            for (index, document) in text.split("\n---\n").enumerate() {
                let case = document
                    .lines()
                    .find_map(|l| l.strip_prefix("# it: "))
                    .unwrap_or_else(|| panic!("{name}: document {index} has no `# it:`"));
                let label = format!("{source}#{} {case}", index + 1);
                assert!(found.insert(label, document.to_owned()).is_none());
            }
        } else {
            assert!(found.insert(source, text).is_none());
        }
    }
    found
}

#[test]
fn m2_m3_m4_vcluster_repository_configurations() {
    let found = configurations();
    let table: BTreeMap<&str, Want> = CONFIGURATIONS.iter().copied().collect();
    assert_eq!(table.len(), CONFIGURATIONS.len(), "duplicate rows");
    let missing: Vec<&String> = found
        .keys()
        .filter(|k| !table.contains_key(k.as_str()))
        .collect();
    assert!(
        missing.is_empty(),
        "configurations without a row: {missing:#?}"
    );
    let stale: Vec<&&str> = table.keys().filter(|k| !found.contains_key(**k)).collect();
    assert!(stale.is_empty(), "rows without a configuration: {stale:#?}");

    let mut failures = Vec::new();
    for (label, text) in &found {
        let want = match table[label.as_str()] {
            Want::Ok(pv, classes, generation) => Ok((pv, classes, generation)),
            Want::Refused(path) => Err(path.to_owned()),
        };
        let got = match resolve_yaml(text) {
            Ok(config) => {
                assert!(!config.reasons.is_empty(), "{label}");
                Ok((
                    config.mode.persistent_volumes,
                    config.mode.storage_classes,
                    config.generation,
                ))
            }
            Err(Error::Config { path, reason, .. }) => {
                assert!(
                    reason.starts_with("vcluster refuses to start: "),
                    "{label}: {path}: {reason}"
                );
                Err(path)
            }
            Err(other) => panic!("{label}: {other}"),
        };
        if got != want {
            failures.push(format!("{label}: want {want:?}, got {got:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn m2_vcluster_defaults_are_fake_and_off() {
    // The two default files: every storage switch at its default.
    for name in ["config-values.yaml", "chart-values.yaml"] {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/configs/vcluster")
            .join(name);
        let config = resolve_yaml(&std::fs::read_to_string(path).unwrap()).unwrap();
        assert_eq!(config.mode.persistent_volumes, PvMode::Fake, "{name}");
        assert_eq!(config.mode.storage_classes, StorageClassMode::Off, "{name}");
        assert!(config.pvc_sync, "{name}");
        assert_eq!(config.class_limit(), None, "{name}");
    }
}

#[test]
fn m2_vcluster_e2e_limit_classes_selector_applies() {
    // e2e/vcluster-fromhost-limitclasses.yaml: fromHost classes with a selector (C1).
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/configs/vcluster/e2e-fromhost-limitclasses.yaml");
    let config = resolve_yaml(&std::fs::read_to_string(path).unwrap()).unwrap();
    let limit = config.class_limit().unwrap();
    assert_eq!(
        limit
            .match_labels
            .as_ref()
            .unwrap()
            .get("value")
            .map(String::as_str),
        Some("one")
    );
}
