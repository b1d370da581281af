#![allow(missing_docs, clippy::unwrap_used)]
fn main() {
    println!(
        "PV {} spec {} PVC {} meta {} SC {}",
        std::mem::size_of::<k8s_openapi::api::core::v1::PersistentVolume>(),
        std::mem::size_of::<k8s_openapi::api::core::v1::PersistentVolumeSpec>(),
        std::mem::size_of::<k8s_openapi::api::core::v1::PersistentVolumeClaim>(),
        std::mem::size_of::<k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta>(),
        std::mem::size_of::<k8s_openapi::api::storage::v1::StorageClass>()
    );
}
