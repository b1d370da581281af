#![allow(missing_docs, clippy::unwrap_used)]
use divan::black_box;
use pv_translate::{Inputs, PvMode, StorageClassMode, SyncMode, Translator, VirtualCluster};
fn main() {
    let which = std::env::args().nth(1).unwrap_or_default();
    let pv: k8s_openapi::api::core::v1::PersistentVolume =
        serde_json::from_str(include_str!("data/virtual-pv.json")).unwrap();
    let host: k8s_openapi::api::core::v1::PersistentVolume =
        serde_json::from_str(include_str!("data/host-pv.json")).unwrap();
    let pvc: k8s_openapi::api::core::v1::PersistentVolumeClaim =
        serde_json::from_str(include_str!("data/virtual-pvc.json")).unwrap();
    let t = Translator::new(VirtualCluster::new("my-vcluster", "vcluster-my-vcluster").unwrap())
        .with_mode(SyncMode::new(PvMode::Sync, StorageClassMode::Off));
    let f = t.clone().with_mode(SyncMode::default());
    let mut n = 0;
    for _ in 0..300_000 {
        n += match which.as_str() {
            "host_pv" => t
                .host_pv(&Inputs::new().with_virtual_pv(black_box(&pv)))
                .unwrap()
                .desired
                .is_some(),
            "mirror" => t
                .virtual_pv(
                    &Inputs::new()
                        .with_virtual_pvc(&pvc)
                        .with_host_pv(black_box(&host)),
                )
                .unwrap()
                .desired
                .is_some(),
            "fake" => f
                .virtual_pv(
                    &Inputs::new()
                        .with_virtual_pvc(black_box(&pvc))
                        .with_host_pv(&host),
                )
                .unwrap()
                .desired
                .is_some(),
            _ => f
                .host_pvc(&Inputs::new().with_virtual_pvc(black_box(&pvc)))
                .unwrap()
                .desired
                .is_some(),
        } as usize;
    }
    println!("{n}");
}
