//! SPEC M1: the sync mode has two parts with vcluster's defaults.
#![allow(missing_docs, clippy::unwrap_used)]

use pv_translate::{PvMode, StorageClassMode, SyncMode, Translator, VirtualCluster};

#[test]
fn m1_mode_has_a_pv_part_and_a_storage_class_part_defaulting_to_fake_and_off() {
    let mode = SyncMode::default();
    assert_eq!(mode, SyncMode::new(PvMode::Fake, StorageClassMode::Off));
    assert_eq!(
        Translator::new(VirtualCluster::default()).context().mode(),
        mode
    );
}

#[test]
fn m1_case_file_spellings_of_both_parts() {
    let read = |text: &str| serde_json::from_str::<SyncMode>(text).unwrap();
    assert_eq!(
        read(r#"{"persistentVolumes": "sync", "storageClasses": "fromHost"}"#),
        SyncMode::new(PvMode::Sync, StorageClassMode::FromHost)
    );
    assert_eq!(
        read(r#"{"storageClasses": "toHost"}"#),
        SyncMode::new(PvMode::Fake, StorageClassMode::ToHost)
    );
    // The legacy PV mode None (SPEC M3) under both names.
    assert_eq!(
        read(r#"{"persistentVolumes": "none"}"#).persistent_volumes,
        PvMode::Disabled
    );
    assert_eq!(
        read(r#"{"persistentVolumes": "disabled"}"#).persistent_volumes,
        PvMode::Disabled
    );
    assert!(serde_json::from_str::<SyncMode>(r#"{"persistentVolume": "sync"}"#).is_err());
    assert!(serde_json::from_str::<SyncMode>(r#"{"storageClasses": "both"}"#).is_err());
}
