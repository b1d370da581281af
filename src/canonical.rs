//! Canonical quantities in desired objects (SPEC §0, 0.2): written as the API server stores them
//! (`1024Mi` -> `1Gi`), so that a caller comparing desired and actual objects never loops on a
//! spelling.

use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::api::resource::Quantity;

/// Rewrites every quantity of a resource map (capacity, requests, limits) in canonical form.
/// A quantity that does not parse is left as it is: the rules validate their inputs first, so
/// only fields no rule reads can hold one.
pub(crate) fn quantities(map: &mut BTreeMap<String, Quantity>) {
    for quantity in map.values_mut() {
        if let Ok(canonical) = crate::quantity::canonical(&quantity.0)
            && canonical != quantity.0
        {
            quantity.0 = canonical;
        }
    }
}

/// [`quantities`] on an optional map.
pub(crate) fn capacity(map: &mut Option<BTreeMap<String, Quantity>>) {
    if let Some(map) = map.as_mut() {
        quantities(map);
    }
}
