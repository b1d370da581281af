//! vcluster reads vcluster.yaml strictly (SPEC M4, 0.2): `sigs.k8s.io/yaml`'s `UnmarshalStrict`
//! into its Go `Config` struct refuses a key no struct field has, so a misspelt key stops
//! vcluster. This module checks the sections that decide the sync mode (`sync.toHost`,
//! `sync.fromHost` and `privateNodes`, with every object under them) against vcluster's own list
//! of keys ([`super::known_keys`]) and names the closest known key. Everything else in the file is
//! not checked.
//!
//! (vcluster's decoder also accepts a key that differs from a known one only in case, because Go's
//! `encoding/json` matches field names case-insensitively; SPEC M4 makes that an error too.)

use serde_json::Value;

use super::known_keys::{PRIVATE_NODES, SYNC_FROM_HOST, SYNC_TO_HOST};
use super::value::{config_error, describe, dotted, lookup, shown_key};
use crate::error::Error;

/// A mapping vcluster decodes into a Go struct: the only keys it may have.
#[derive(Debug)]
pub(super) struct Shape {
    /// The Go type's name, for messages.
    pub(super) name: &'static str,
    /// Each key with what its value is decoded into.
    pub(super) keys: &'static [(&'static str, Node)],
}

/// What vcluster decodes a value into.
#[derive(Debug, Clone, Copy)]
pub(super) enum Node {
    /// A scalar, a list of scalars or a free-form mapping (`map[string]string`,
    /// `map[string]interface{}`): nothing to check.
    Free,
    /// A struct: a mapping with only the shape's keys (or `null`).
    Struct(&'static Shape),
    /// `map[string]Struct`: any keys, each value a struct.
    MapOf(&'static Shape),
    /// `[]Struct`: a list of structs.
    ListOf(&'static Shape),
}

/// The strict sections: where they are and their shape.
static SECTIONS: [(&[&str], &Shape); 3] = [
    (&["sync", "toHost"], &SYNC_TO_HOST),
    (&["sync", "fromHost"], &SYNC_FROM_HOST),
    (&["privateNodes"], &PRIVATE_NODES),
];

/// Checks the strict sections of a v0.20+ document: unknown keys, and mappings or lists where
/// vcluster decodes a struct or a list of structs.
pub(super) fn check(doc: &Value) -> Result<(), Error> {
    for (path, shape) in &SECTIONS {
        if let Some(value) = lookup(doc, path)? {
            check_node(value, Node::Struct(shape), &dotted(path))?;
        }
    }
    Ok(())
}

fn check_node(value: &Value, node: Node, path: &str) -> Result<(), Error> {
    match (node, value) {
        (Node::Free, _) | (_, Value::Null) => Ok(()),
        (Node::Struct(shape), Value::Object(map)) => {
            for (key, child) in map {
                let at = format!("{path}.{}", shown_key(key));
                match shape.keys.iter().find(|(known, _)| known == key) {
                    Some((_, node)) => check_node(child, *node, &at)?,
                    None => return Err(config_error(at, unknown_key(key, shape))),
                }
            }
            Ok(())
        }
        (Node::MapOf(shape), Value::Object(map)) => {
            for (key, child) in map {
                let at = format!("{path}.{}", shown_key(key));
                check_node(child, Node::Struct(shape), &at)?;
            }
            Ok(())
        }
        (Node::ListOf(shape), Value::Array(items)) => {
            for (index, item) in items.iter().enumerate() {
                check_node(item, Node::Struct(shape), &format!("{path}[{index}]"))?;
            }
            Ok(())
        }
        (Node::ListOf(_), other) => Err(config_error(
            path,
            format!("expected a list, found {}", describe(other)),
        )),
        (Node::Struct(_) | Node::MapOf(_), other) => Err(config_error(
            path,
            format!("expected a mapping, found {}", describe(other)),
        )),
    }
}

/// "unknown key" with the closest known key of the shape.
fn unknown_key(key: &str, shape: &Shape) -> String {
    let Some((closest, distance)) = closest(key, shape.keys.iter().map(|(known, _)| *known)) else {
        return format!("unknown key; vcluster's {} takes no keys", shape.name);
    };
    if is_near(closest, distance) {
        format!("unknown key; did you mean {closest}?")
    } else {
        format!("unknown key; the closest known key is {closest}")
    }
}

/// A suggestion is worth a "did you mean" when at most a third of it (at least 2 edits) differs.
fn is_near(known: &str, distance: usize) -> bool {
    distance <= (known.chars().count() / 3).max(2)
}

/// The known key nearest to `key` (case-insensitive edit distance; the first on a tie).
fn closest<'k>(key: &str, known: impl Iterator<Item = &'k str>) -> Option<(&'k str, usize)> {
    // Only the start of a very long key is compared: enough to find a misspelling.
    let key: Vec<char> = key.chars().take(64).flat_map(char::to_lowercase).collect();
    let mut best: Option<(&str, usize)> = None;
    for candidate in known {
        let lower: Vec<char> = candidate.chars().flat_map(char::to_lowercase).collect();
        let distance = edit_distance(&key, &lower);
        if best.is_none_or(|(_, d)| distance < d) {
            best = Some((candidate, distance));
        }
    }
    best
}

/// Levenshtein distance: insertions, deletions and substitutions of one character each.
fn edit_distance(a: &[char], b: &[char]) -> usize {
    // `previous[j]`: the distance between the first `i` characters of `a` and the first `j` of b.
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut current = Vec::with_capacity(previous.len());
        current.push(i.saturating_add(1));
        for (cb, (diagonal, above)) in b.iter().zip(previous.iter().zip(previous.iter().skip(1))) {
            let left = current.last().copied().unwrap_or(usize::MAX);
            let cost = diagonal.saturating_add(usize::from(ca != cb));
            current.push(
                cost.min(above.saturating_add(1))
                    .min(left.saturating_add(1)),
            );
        }
        previous = current;
    }
    previous.last().copied().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn distance(a: &str, b: &str) -> usize {
        let a: Vec<char> = a.chars().collect();
        let b: Vec<char> = b.chars().collect();
        edit_distance(&a, &b)
    }

    #[test]
    fn m4_edit_distance_counts_single_character_edits() {
        assert_eq!(distance("", ""), 0);
        assert_eq!(distance("abc", ""), 3);
        assert_eq!(distance("", "abc"), 3);
        assert_eq!(distance("abc", "abc"), 0);
        assert_eq!(distance("abc", "abd"), 1);
        assert_eq!(distance("abc", "ab"), 1);
        assert_eq!(distance("ab", "abc"), 1);
        assert_eq!(distance("kitten", "sitting"), 3);
        assert_eq!(distance("flaw", "lawn"), 2);
        assert_eq!(distance("storgeClasses", "storageClasses"), 1);
    }

    #[test]
    fn m4_closest_is_case_insensitive_and_first_on_a_tie() {
        let keys = ["persistentVolumes", "persistentVolumeClaims", "pods"];
        assert_eq!(
            closest("persistentvolumes", keys.into_iter()),
            Some(("persistentVolumes", 0))
        );
        assert_eq!(
            closest("persistentVolume", keys.into_iter()),
            Some(("persistentVolumes", 1))
        );
        assert_eq!(closest("pod", keys.into_iter()), Some(("pods", 1)));
        assert_eq!(closest("x", ["ab", "cd"].into_iter()), Some(("ab", 2)));
        assert_eq!(closest("x", [].into_iter()), None);
    }

    #[test]
    fn m4_near_means_at_most_a_third_and_at_least_two_edits() {
        assert!(is_near("pods", 2));
        assert!(!is_near("pods", 3));
        assert!(is_near("persistentVolumes", 5));
        assert!(!is_near("persistentVolumes", 6));
    }

    #[test]
    fn m4_every_known_shape_is_reachable_and_has_unique_keys() {
        fn walk(shape: &'static Shape, seen: &mut Vec<&'static str>) {
            if seen.contains(&shape.name) {
                return;
            }
            seen.push(shape.name);
            let mut keys: Vec<&str> = shape.keys.iter().map(|(k, _)| *k).collect();
            keys.sort_unstable();
            keys.dedup();
            assert_eq!(keys.len(), shape.keys.len(), "{}", shape.name);
            for (_, node) in shape.keys {
                match node {
                    Node::Free => {}
                    Node::Struct(s) | Node::MapOf(s) | Node::ListOf(s) => walk(s, seen),
                }
            }
        }
        let mut seen = Vec::new();
        for (_, shape) in &SECTIONS {
            walk(shape, &mut seen);
        }
        assert_eq!(seen.len(), 55);
    }
}
