//! Case-file bytes in, no panic, hang or huge allocation out.
//!
//! Parses the input as a case file (`Case::from_yaml`) and, when it parses, runs the
//! translation (`Case::run`) for the case's own `want` and then for every other `want`
//! value, writing each desired object back as YAML (`case::to_yaml`). Errors are fine.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pv_translate::case::{self, Case, Want};

/// Every `want`; the match below stops compiling when `Want` gains a variant.
const WANTS: [Want; 5] = [
    Want::VirtualPv,
    Want::HostPv,
    Want::HostPvc,
    Want::VirtualStorageClass,
    Want::HostStorageClass,
];

const _: fn(Want) = |want| match want {
    Want::VirtualPv
    | Want::HostPv
    | Want::HostPvc
    | Want::VirtualStorageClass
    | Want::HostStorageClass => {}
};

fn run(case: &Case) {
    if let Ok(outcome) = case.run() {
        let _ = case::to_yaml(outcome.desired.as_ref());
        let _ = outcome.explanation.to_string();
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(mut case) = Case::from_yaml(text) else {
        return;
    };
    // The case's own `want` first, exactly as the file asks.
    run(&case);
    let own = case.want;
    for want in WANTS {
        if want != own {
            case.want = want;
            run(&case);
        }
    }
});
