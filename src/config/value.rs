//! Typed reads of known keys from a YAML document held as a `serde_json::Value` (SPEC M4).
//!
//! Every read names the dotted path of the key, so a wrong type is reported where it is. A `null`
//! at a known path counts as unset; keys nobody asks for are never looked at.

use std::borrow::Cow;

use serde_json::Value;

use crate::error::Error;

/// The path shown for the document itself (the root is not a key).
pub(super) const DOCUMENT: &str = "(document)";

/// A configuration error at `path`.
pub(super) fn config_error(path: impl Into<String>, reason: impl Into<String>) -> Error {
    Error::Config {
        line: None,
        path: path.into(),
        reason: reason.into(),
    }
}

/// The dotted form of a key path, e.g. `sync.toHost.persistentVolumes.enabled`.
pub(super) fn dotted(path: &[&str]) -> String {
    if path.is_empty() {
        DOCUMENT.to_owned()
    } else {
        path.join(".")
    }
}

/// A short description of a value's type for messages, e.g. `the string "yes"`. Strings are cut
/// at 40 bytes, so that a message never echoes much of a value.
pub(super) fn describe(value: &Value) -> String {
    match value {
        Value::Null => "null".to_owned(),
        Value::Bool(b) => format!("the boolean {b}"),
        Value::Number(n) => format!("the number {}", cut(&n.to_string(), 40)),
        Value::String(s) => format!("the string {}", quoted(s)),
        Value::Array(_) => "a list".to_owned(),
        Value::Object(_) => "a mapping".to_owned(),
    }
}

/// A string in double quotes with escapes, cut at 40 bytes (`"..."...` when cut).
pub(super) fn quoted(s: &str) -> String {
    let shown = cut(s, 40);
    let more = if shown.len() < s.len() { "..." } else { "" };
    format!("{shown:?}{more}")
}

/// A key as shown in a dotted path: cut at 64 bytes (then ending in `...`).
pub(super) fn shown_key(key: &str) -> Cow<'_, str> {
    let shown = cut(key, 64);
    if shown.len() < key.len() {
        Cow::Owned(format!("{shown}..."))
    } else {
        Cow::Borrowed(key)
    }
}

/// A configuration error with every long part cut: path segments at 64 bytes (as
/// [`shown_key`]), quoted strings in the reason at 40 bytes (as [`quoted`]).
pub(super) fn short(error: Error) -> Error {
    match error {
        Error::Config { path, line, reason } => Error::Config {
            path: path.split('.').map(shown_key).collect::<Vec<_>>().join("."),
            line,
            reason: cut_quoted(&reason),
        },
        other => other,
    }
}

/// `text` with every double-quoted part longer than 40 bytes cut (`"abc..."...`).
fn cut_quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len().min(256));
    let mut rest = text;
    while let Some(open) = rest.find('"') {
        let (before, from_quote) = rest.split_at(open);
        out.push_str(before);
        let inner = from_quote.get(1..).unwrap_or_default();
        // The closing quote is the first one not escaped by a backslash.
        let mut escaped = false;
        let close = inner.char_indices().find_map(|(i, c)| {
            let found = c == '"' && !escaped;
            escaped = c == '\\' && !escaped;
            found.then_some(i)
        });
        let Some(close) = close else {
            out.push_str(from_quote);
            return out;
        };
        let quoted_part = inner.get(..close).unwrap_or_default();
        let shown = cut(quoted_part, 40);
        out.push('"');
        out.push_str(shown);
        out.push('"');
        if shown.len() < quoted_part.len() {
            out.push_str("...");
        }
        rest = inner.get(close.saturating_add(1)..).unwrap_or_default();
    }
    out.push_str(rest);
    out
}

/// The longest prefix of `s` of at most `max` bytes that ends on a character boundary.
pub(super) fn cut(s: &str, max: usize) -> &str {
    let mut end = s.len().min(max);
    while !s.is_char_boundary(end) {
        end = end.saturating_sub(1);
    }
    s.get(..end).unwrap_or_default()
}

/// The value at `path`, `None` when it or any mapping on the way is missing or `null`.
///
/// Every node on the way must be a mapping: anything else is an error naming that node's path.
pub(super) fn lookup<'a>(doc: &'a Value, path: &[&str]) -> Result<Option<&'a Value>, Error> {
    let mut current = doc;
    for (depth, key) in path.iter().enumerate() {
        let map = match current {
            Value::Null => return Ok(None),
            Value::Object(map) => map,
            other => {
                let at: Vec<&str> = path.iter().take(depth).copied().collect();
                return Err(config_error(
                    dotted(&at),
                    format!("expected a mapping, found {}", describe(other)),
                ));
            }
        };
        match map.get(*key) {
            Some(next) => current = next,
            None => return Ok(None),
        }
    }
    Ok((!current.is_null()).then_some(current))
}

/// A boolean key: `true`/`false` only (YAML 1.1 spellings such as `yes` or `on` arrive as
/// booleans already); `None` when unset.
pub(super) fn bool_at(doc: &Value, path: &[&str]) -> Result<Option<bool>, Error> {
    match lookup(doc, path)? {
        None => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(other) => Err(config_error(
            dotted(path),
            format!(
                "expected a boolean (true or false), found {}",
                describe(other)
            ),
        )),
    }
}

/// vcluster's `StrBool` (`sync.fromHost.storageClasses.enabled`): a boolean or a string.
///
/// vcluster compares the string exactly: only `"auto"` is auto (its validation promotes exactly
/// `"auto"`), and only `true` or `"true"` starts the host class syncer (`== "true"` when the
/// syncers are registered). Any other string is off (SPEC M2, 0.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum StrBool {
    /// `true` or exactly `"true"`.
    True,
    /// `false` or exactly `"false"`.
    False,
    /// Exactly `"auto"`, the default: decided by the other settings.
    Auto,
    /// Any other string (e.g. `"True"`, `"Auto"`, a quoted `"yes"`): off. Holds the string as
    /// shown in messages (quoted, cut).
    Other(String),
}

/// A `StrBool` key: a boolean or any string; `None` when unset. Numbers, lists and mappings are
/// errors (vcluster's `StrBool.UnmarshalJSON` refuses them).
pub(super) fn str_bool_at(doc: &Value, path: &[&str]) -> Result<Option<StrBool>, Error> {
    match lookup(doc, path)? {
        None => Ok(None),
        Some(Value::Bool(true)) => Ok(Some(StrBool::True)),
        Some(Value::Bool(false)) => Ok(Some(StrBool::False)),
        Some(Value::String(s)) => Ok(Some(match s.as_str() {
            "true" => StrBool::True,
            "false" => StrBool::False,
            "auto" => StrBool::Auto,
            other => StrBool::Other(quoted(other)),
        })),
        Some(other) => Err(config_error(
            dotted(path),
            format!(
                "expected true, false or \"auto\", found {}",
                describe(other)
            ),
        )),
    }
}

/// Whether `key` is set (present and not `null`) in the mapping at `parent`.
pub(super) fn is_set(doc: &Value, parent: &[&str], key: &str) -> Result<bool, Error> {
    Ok(match lookup(doc, parent)? {
        Some(Value::Object(map)) => map.get(key).is_some_and(|v| !v.is_null()),
        Some(other) => {
            return Err(config_error(
                dotted(parent),
                format!("expected a mapping, found {}", describe(other)),
            ));
        }
        None => false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn m4_cut_quoted_cuts_only_long_quoted_parts() {
        assert_eq!(cut_quoted("no quotes"), "no quotes");
        assert_eq!(cut_quoted("a \"short\" b"), "a \"short\" b");
        let long = "x".repeat(41);
        assert_eq!(
            cut_quoted(&format!("a \"{long}\" b \"c\"")),
            format!("a \"{}\"... b \"c\"", "x".repeat(40))
        );
        let exact = "y".repeat(40);
        assert_eq!(cut_quoted(&format!("\"{exact}\"")), format!("\"{exact}\""));
        // Escaped quotes stay inside; an unclosed quote is kept as it is.
        assert_eq!(cut_quoted(r#""a\"b" c"#), r#""a\"b" c"#);
        assert_eq!(cut_quoted(r#""a\\" "b""#), r#""a\\" "b""#);
        assert_eq!(cut_quoted("x \"open"), "x \"open");
        // An escaped quote does not end a long string.
        let long = format!(r#""a\"{}""#, "x".repeat(50));
        assert_eq!(cut_quoted(&long), format!(r#""a\"{}"..."#, "x".repeat(37)));
    }

    #[test]
    fn m4_short_cuts_path_segments_and_quoted_values() {
        let key = "k".repeat(100);
        let error = short(config_error(
            format!("a.{key}.b"),
            format!("invalid {:?}", "v".repeat(100)),
        ));
        assert_eq!(
            error,
            config_error(
                format!("a.{}....b", "k".repeat(64)),
                format!("invalid \"{}\"...", "v".repeat(40))
            )
        );
        let other = Error::Case {
            reason: "x".repeat(100),
        };
        assert_eq!(short(other.clone()), other);
    }
}
